"""Caps on an XLSX file, checked on the zip directory before any XML is parsed.

An .xlsx is a zip of XML: a 2 MB upload can hold 10 million shared strings that openpyxl loads into memory in
full before the first row is read. The caps below bound what parsing can cost: the uncompressed size of the
members, and the number of cells (the sheets' <dimension>, the shared-string count, and the cells actually read).
Defaults fit any real emission table; the CLI raises them with --max-xlsx-mb / --max-xlsx-cells and the HTTP
service may pass its own.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from emstd.errors import InputFileError

DEFAULT_MAX_UNCOMPRESSED_MB = 200
DEFAULT_MAX_CELLS = 20_000_000
SHARED_STRING_SLACK = 2  # strings left over from deleted cells are fine; millions more than cells are not
_SCAN_BYTES = 64 * 1024  # the root element's attributes and <dimension> are near the start of each part
_FLAGS = "raise the cap with --max-xlsx-mb / --max-xlsx-cells if the file is genuine"


class XlsxLimitError(InputFileError):
    """A workbook over a cap. `cap` names the XlsxLimits field that refused it (None: shared strings far beyond
    the cells, a malformed workbook no cap lets through); `reason` is the message without the path and the flags,
    for callers that name the file and the cap their own way (the HTTP service)."""

    def __init__(self, path: Path, reason: str, cap: str | None):
        super().__init__(f"{path}: {reason}; {_FLAGS}.")
        self.reason, self.cap = reason, cap


@dataclass(frozen=True)
class XlsxLimits:
    max_uncompressed_mb: float = DEFAULT_MAX_UNCOMPRESSED_MB
    max_cells: int = DEFAULT_MAX_CELLS


def check_xlsx_limits(path: str | Path, limits: XlsxLimits = XlsxLimits()) -> None:
    """Raise InputFileError naming the cap when the workbook would cost more than the limits allow to parse."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as book:
            members = book.infolist()
            total = sum(m.file_size for m in members)
            if total > limits.max_uncompressed_mb * 1024 * 1024:
                raise XlsxLimitError(path, f"the workbook unpacks to {total / 1024 / 1024:.0f} MB, over the "
                                           f"{limits.max_uncompressed_mb:g} MB cap on uncompressed XLSX size",
                                     "max_uncompressed_mb")
            sheet_cells, strings = 0, 0
            for m in members:
                if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml"):
                    cells = _dimension_cells(_head(book, m))
                    _check_cells(path, m.filename, cells, limits, "its <dimension>")
                    sheet_cells += cells
                elif m.filename == "xl/sharedStrings.xml":
                    strings = _shared_strings(book, m)
                    _check_cells(path, m.filename, strings, limits, "shared strings")
            # every shared string is the text of some cell: far more strings than the sheets have cells is a bomb
            if sheet_cells and strings > SHARED_STRING_SLACK * max(sheet_cells, 1000):
                raise XlsxLimitError(
                    path, f"{strings:,} shared strings for sheets of {sheet_cells:,} cells (their <dimension>): "
                          f"the workbook is malformed or built to exhaust memory. Re-save it in Excel", None)
    except zipfile.BadZipFile as exc:
        raise InputFileError(f"{path}: not a readable .xlsx file ({exc}). Re-save it in Excel.") from exc


def count_cell(path: Path, cells: int, limits: XlsxLimits) -> None:
    """Called while rows are read: <dimension> is written by the producer and may understate the sheet."""
    _check_cells(path, "the sheet", cells, limits, "cells read")


def _check_cells(path: Path, part: str, cells: int, limits: XlsxLimits, what: str) -> None:
    if cells > limits.max_cells:
        raise XlsxLimitError(path, f"{part} holds {cells:,} cells ({what}), over the {limits.max_cells:,}-cell "
                                   f"cap on XLSX tables", "max_cells")


def _head(book: zipfile.ZipFile, member: zipfile.ZipInfo) -> str:
    with book.open(member) as f:
        return f.read(_SCAN_BYTES).decode("utf-8", errors="replace")


def _dimension_cells(xml_head: str) -> int:
    m = re.search(r"<(?:\w+:)?dimension[^>]*\bref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"", xml_head)
    if not m or not m.group(3):
        return 0
    cols = _column_number(m.group(3)) - _column_number(m.group(1)) + 1
    rows = int(m.group(4)) - int(m.group(2)) + 1
    return max(cols, 0) * max(rows, 0)


def _shared_strings(book: zipfile.ZipFile, member: zipfile.ZipInfo) -> int:
    """The declared count, or, when the producer wrote none, the <si> elements counted while streaming."""
    head = _head(book, member)
    m = re.search(r"<(?:\w+:)?sst\b[^>]*\buniqueCount=\"(\d+)\"", head)
    if m:
        return int(m.group(1))
    count, tail = 0, b""
    with book.open(member) as f:
        while chunk := f.read(1024 * 1024):
            data = tail + chunk  # a 3-byte tail cannot hold a whole "<si>", so nothing is counted twice
            count += len(re.findall(rb"<si[\s>]", data))
            tail = data[-3:]
    return count


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n
