"""Reading dataset records (docs/design.md, "Contracts"): one JSONL reader and one record check, shared by `emstd data check`
and training, so both accept and refuse the same files with the same words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

ROLES = ("system", "user", "assistant")
# What each record carries besides its text: the inputs its prompt was made from, so that evaluation and checks
# never parse them back out of the prompt.
INPUT_KEYS = {"vehicle": ("value", "candidates"), "pollutant": ("value", "candidates"), "micro": ("headers", "samples"),
              "macro": ("headers", "samples")}


def iter_jsonl(path: Path) -> Iterator[tuple[int, object, str | None]]:
    """(line number, parsed value or None, error or None) for every non-blank line."""
    with open(path, encoding="utf-8") as f:
        for n, text in enumerate(f, 1):
            if not text.strip():
                continue
            try:
                yield n, json.loads(text), None
            except json.JSONDecodeError as exc:
                yield n, None, f"not valid JSON ({exc.msg} at column {exc.colno})"


def record_problem(row, need_meta: bool = False) -> str | None:
    """What makes `row` not a dataset record, or None. Training needs the messages; the checker the meta too."""
    msgs = row.get("messages") if isinstance(row, dict) else None
    if not isinstance(msgs, list) or len(msgs) != 3:
        return "a record needs 'messages': a list of 3 messages (system, user, assistant)"
    for msg, role in zip(msgs, ROLES):
        if not isinstance(msg, dict) or msg.get("role") != role:
            return f"messages must be {list(ROLES)} in that order"
        if not isinstance(msg.get("content"), str) or not msg["content"]:
            return f"the {role} message has no text content"
    if need_meta:
        meta = row.get("meta")
        if not isinstance(meta, dict):
            return "a record needs 'meta' (object)"
        inputs = INPUT_KEYS.get(meta.get("task"), ())
        missing = [k for k in ("task", "label", "alias", "aug", *inputs) if k not in meta]
        if missing:
            return f"meta lacks {missing}"
    return None
