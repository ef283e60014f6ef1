"""Unexpected errors: each gets an id (logged on one line, returned in the 500 body); the traceback is logged once
per distinct error (its type and the line that raised it), so a bug hit by every request does not flood the log.
"""

from __future__ import annotations

import logging
import threading
import traceback
import uuid

log = logging.getLogger("emstd.serve")

MAX_KINDS = 1000  # distinct errors remembered; beyond this, tracebacks are no longer logged (lines still are)


class FailureLog:
    def __init__(self):
        self._seen: set[tuple[str, str, int]] = set()
        self._lock = threading.Lock()

    def report(self, exc: BaseException, where: str) -> str:
        """Log `exc` (one line; the traceback too the first time this error is seen); return its error id."""
        error_id = uuid.uuid4().hex[:12]
        first = self._first_time(_kind(exc))
        message = " ".join(str(exc).split())[:300]
        log.error("error %s: %s: %s: %s%s", error_id, where, type(exc).__name__, message,
                  "" if first else " (traceback logged at its first occurrence)", exc_info=exc if first else None)
        return error_id

    def _first_time(self, kind: tuple[str, str, int]) -> bool:
        with self._lock:
            if kind in self._seen or len(self._seen) >= MAX_KINDS:
                return False
            self._seen.add(kind)
            return True


def _kind(exc: BaseException) -> tuple[str, str, int]:
    frames = traceback.extract_tb(exc.__traceback__)
    last = frames[-1] if frames else None
    return type(exc).__qualname__, (last.filename if last else ""), ((last.lineno or 0) if last else 0)


def internal_error_body(error_id: str) -> dict:
    return {"detail": f"internal error {error_id}: the server logged it; quote this id when you report it",
            "error_id": error_id}
