"""Uploaded tables: the file is copied into a private temporary directory under a fixed name; the client's file
name contributes only its validated suffix (and a display name in the answer), never a path."""

from __future__ import annotations

import base64
import re
import tempfile
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from fastapi import HTTPException

from emstd.serve.settings import ServeSettings

MEDIA_TYPES = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK = 1024 * 1024


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


def private_workdir() -> tempfile.TemporaryDirectory:
    """Removed (with everything in it) when the request is answered, even after an error."""
    return tempfile.TemporaryDirectory(prefix="emstd-upload-")


def table_answer(out: Path, report: dict, filename: str | None, suffix: str) -> dict:
    stem = PurePosixPath(display_name(filename)).stem or "table"
    name = f"{stem}.standardized{suffix}"
    # The report names the temporary paths; the client knows its file by its own name.
    report = {**report, "input": display_name(filename), "output": name}
    return {
        "filename": name, "media_type": MEDIA_TYPES[suffix],
        "content_base64": base64.b64encode(out.read_bytes()).decode("ascii"), "report": report,
    }


