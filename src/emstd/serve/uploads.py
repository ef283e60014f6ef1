"""Uploaded tables: the file is copied into a private temporary directory under a fixed name; the client's file
name contributes only its validated suffix (and a display name in answers and messages), never a path.

The directory is named `emstd-upload-<pid>-<random>` so that a server started after a crash (kill -9 leaves the
user's data behind) can tell its predecessors' directories from those of a live server, and remove only those.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from fastapi import HTTPException

from emstd.io import dir_entries
from emstd.serve.settings import ServeSettings

log = logging.getLogger("emstd.serve")

MEDIA_TYPES = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK = 1024 * 1024
WORKDIR_PREFIX = "emstd-upload-"
_WORKDIR_NAME = re.compile(re.escape(WORKDIR_PREFIX) + r"(?:(\d+)-)?[A-Za-z0-9_]+$")
PARQUET_MAGIC = b"PAR1"


def upload_suffix(filename: str | None) -> str:
    suffix = PurePosixPath(display_name(filename)).suffix.lower()
    if suffix not in MEDIA_TYPES:
        raise HTTPException(
            400, f"file: {display_name(filename)!r} is not a .csv or .xlsx file. Upload a CSV or XLSX table.")
    return suffix


def display_name(filename: str | None) -> str:
    """The last component of the client's name, with anything unusual replaced (for messages and reports only)."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    return re.sub(r"[^\w.\- ]+", "_", name)[:200] or "upload"


def copy_limited(source: BinaryIO, target: Path, settings: ServeSettings) -> int:
    """Copy the upload to `target`; 413 naming the limit as soon as it exceeds max_upload_bytes."""
    written = 0
    with open(target, "wb") as out:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > settings.max_upload_bytes:
                raise HTTPException(413, f"upload too large: the limit is {settings.describe_limit('max_upload_bytes')}")
            out.write(chunk)
    return written


def refuse_parquet(source: Path, filename: str | None) -> None:
    """The table reader goes by content: a Parquet file under a .csv name would be read as Parquet, a format the
    service does not take (its pages are decompressed whole, with no cap here)."""
    with open(source, "rb") as f:
        if f.read(len(PARQUET_MAGIC)) == PARQUET_MAGIC:
            raise HTTPException(400, f"file {display_name(filename)!r}: this is a Parquet file; the service takes "
                                     f"CSV or XLSX tables. Export it as CSV.")


def private_workdir() -> tempfile.TemporaryDirectory:
    """Removed (with everything in it) when the request is answered, even after an error."""
    return tempfile.TemporaryDirectory(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-")


def table_answer(out: Path, report: dict, filename: str | None, suffix: str) -> dict:
    stem = PurePosixPath(display_name(filename)).stem or "table"
    name = f"{stem}.standardized{suffix}"
    # The report names the temporary paths; the client knows its file by its own name.
    report = {**report, "input": display_name(filename), "output": name}
    return {
        "filename": name, "media_type": MEDIA_TYPES[suffix],
        "content_base64": base64.b64encode(out.read_bytes()).decode("ascii"), "report": report,
    }


# --- messages to HTTP clients -----------------------------------------------------------------------------------

# What the CLI calls a flag, the service calls a form field (or, for /v1/map-columns, a JSON field).
FLAG_FIELDS = {"--sheet": "the form field 'sheet'", "--task": "task", "--convert-units": "convert_units"}


def for_client(text: str, workdir: str | Path | None = None, filename: str | None = None) -> str:
    """A message of the table reader or the standardizer as an HTTP client should read it: the upload named by the
    client's file name (never a server path) and form fields instead of CLI flags."""
    if workdir is not None:
        shown = f"file {display_name(filename)!r}"
        text = re.sub(re.escape(str(workdir)) + r"[/\\]+input\.\w+", lambda m: shown, text)
        text = text.replace(str(workdir), "the upload")
    for flag, field in FLAG_FIELDS.items():
        text = re.sub(re.escape(flag) + r"\b", field, text)
    return text


# --- stale directories --------------------------------------------------------------------------------------------


def remove_stale_workdirs(started: float, root: str | Path | None = None) -> list[str]:
    """Remove upload directories a crashed server left behind: only directories (never a link or a file), only
    this user's, only named as ours, and only those no live process holds: the pid in the name is gone, or its
    process started after the directory last changed (the pid was reused). Directories named before the pid was
    part of the name are removed when they are older than this server's start. Returns the names removed."""
    root = Path(root or tempfile.gettempdir())
    removed = []
    for entry in dir_entries(root):
        match = _WORKDIR_NAME.match(entry.name)
        if match is None or not _own_directory(entry):
            continue
        mtime = entry.stat(follow_symlinks=False).st_mtime
        pid = int(match.group(1)) if match.group(1) else None
        if (_held(pid, mtime) if pid is not None else mtime >= started):
            continue
        try:
            shutil.rmtree(entry.path)
            removed.append(entry.name)
        except OSError as exc:
            log.warning("could not remove the stale upload directory %s: %s", entry.path, exc)
    if removed:
        log.info("removed %d upload directories left by a server that stopped without cleaning up", len(removed))
    return removed


def _own_directory(entry: os.DirEntry) -> bool:
    try:
        st = entry.stat(follow_symlinks=False)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and (not hasattr(os, "getuid") or st.st_uid == os.getuid())


def _held(pid: int, mtime: float) -> bool:
    """Whether process `pid` may be using a directory last changed at `mtime`."""
    started = _process_start(pid)
    if started is None:
        return _alive(pid)  # no /proc: a live pid keeps its directories
    return started is not False and started <= mtime + 1  # +1: /proc's clock ticks round the start time


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _process_start(pid: int) -> float | bool | None:
    """The start time of `pid` (seconds since the epoch); False when no such process; None without /proc."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return None
    try:
        fields = (proc / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        boot = next(float(line.split()[1]) for line in (proc / "stat").read_text().splitlines()
                    if line.startswith("btime "))
    except (OSError, StopIteration, IndexError, ValueError):
        return False if not (proc / str(pid)).exists() else None
    return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22 of stat: start time in clock ticks
