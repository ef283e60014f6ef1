"""Reading user tables: CSV (any delimiter; UTF-8, UTF-8-BOM, GBK, GB18030) and XLSX, with clear errors.

Every value is read as text (dtype=str) so nothing the user wrote is altered on the way in ("007" stays "007").
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from emstd.errors import InputFileError

ENCODINGS = ["utf-8-sig", "gb18030"]  # gb18030 is a superset of GBK and GB2312
DELIMITERS = [",", "\t", ";", "|"]
SNIFF_BYTES = 64 * 1024
TITLE_ROW_SCAN = 10  # how many leading rows may be titles before the header row


@dataclass
class Table:
    path: Path
    frame: pd.DataFrame  # all cells as str (NaN for empty)
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    header_row: int  # 0-based row index of the header in the file (after skipped title rows)

    @property
    def headers(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def samples(self, n: int = 5) -> dict[str, list[str]]:
        """Up to n non-empty values per column, for column mapping."""
        out = {}
        for col in self.frame.columns:
            values = self.frame[col].dropna().astype(str)
            out[str(col)] = [v for v in values.head(n * 3).tolist() if v.strip()][:n]
        return out


def read_table(path: str | Path, sheet: str | None = None) -> Table:
    """Read a CSV or XLSX file. Raises InputFileError naming the file and the fix for anything unusable."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path}: no such file. Check the path.")
    if path.is_dir():
        raise InputFileError(f"{path}: is a directory, not a table file. Give a .csv or .xlsx file.")
    raw = path.read_bytes()
    if not raw.strip():
        raise InputFileError(f"{path}: the file is empty. Give a table with a header row.")
    if raw[:4] == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if path.suffix.lower() == ".xls":
        raise InputFileError(f"{path}: legacy .xls is not supported. Save it as .xlsx or .csv.")
    if sheet is not None:
        raise InputFileError(f"{path}: --sheet applies to Excel files only; this is a text table.")
    return _read_csv(path, raw)


def _decode(path: Path, raw: bytes) -> tuple[str, str]:
    if b"\x00" in raw[:SNIFF_BYTES]:
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
            try:
                return raw.decode("utf-16"), "utf-16"
            except UnicodeDecodeError:
                pass
        raise InputFileError(f"{path}: looks like a binary file (NUL bytes), not a CSV. Export the table as CSV or XLSX.")
    for enc in ENCODINGS:
        try:
            return raw.decode(enc), ("utf-8-sig" if enc == "utf-8-sig" and raw.startswith(b"\xef\xbb\xbf") else
                                     "utf-8" if enc == "utf-8-sig" else enc)
        except UnicodeDecodeError:
            continue
    raise InputFileError(
        f"{path}: cannot decode the text as UTF-8, GBK or GB18030. Re-save it as UTF-8 (Excel: 'CSV UTF-8')."
    )


def _sniff_delimiter(text: str) -> str:
    lines = [ln for ln in text.splitlines()[: TITLE_ROW_SCAN + 20] if ln.strip()]
    sample = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        # the delimiter giving the most consistent, widest split
        def score(d):
            counts = [ln.count(d) for ln in lines]
            return (max(counts) > 0, -len(set(counts)), max(counts))

        return max(DELIMITERS, key=score)


def _read_csv(path: Path, raw: bytes) -> Table:
    text, encoding = _decode(path, raw)
    delimiter = _sniff_delimiter(text)
    # only the leading rows decide the header; the body goes straight to pandas (fast on million-row files)
    head = "\n".join(text.splitlines()[: TITLE_ROW_SCAN + 50])
    rows = list(csv.reader(io.StringIO(head), delimiter=delimiter))
    header_row = _find_header_row(rows)
    if header_row is None:
        raise InputFileError(f"{path}: no header row found in the first {TITLE_ROW_SCAN} rows. Put column names in the first row.")
    _check_headers(path, rows[header_row], row_number=_line_number(rows, header_row))
    frame = pd.read_csv(
        io.StringIO(text), sep=delimiter, dtype=str, skiprows=_line_number(rows, header_row) - 1,
        keep_default_na=False, na_values=[""], skip_blank_lines=False,
    ).dropna(how="all").reset_index(drop=True)
    return Table(path, frame, encoding, delimiter, None, header_row)


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    try:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a corrupt file
        raise InputFileError(f"{path}: not a readable .xlsx file ({type(exc).__name__}: {exc}). Re-save it in Excel.") from exc
    names = book.sheetnames
    if sheet is None:
        sheet = names[0]
    elif sheet not in names:
        raise InputFileError(f"{path}: no sheet named {sheet!r}; the sheets are {names}.")
    ws = book[sheet]
    rows = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
    book.close()
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise InputFileError(f"{path} (sheet {sheet!r}): the sheet is empty. Give a sheet with a header row.")
    header_row = _find_header_row(rows)
    if header_row is None:
        raise InputFileError(f"{path} (sheet {sheet!r}): no header row found in the first {TITLE_ROW_SCAN} rows.")
    header = rows[header_row]
    width = max(i + 1 for i, c in enumerate(header) if c.strip())
    header = header[:width]
    _check_headers(path, header, row_number=header_row + 1, sheet=sheet)
    body = [(r + [""] * width)[:width] for r in rows[header_row + 1 :] if any(c.strip() for c in r)]
    frame = pd.DataFrame(body, columns=header, dtype=str).replace({"": None})
    return Table(path, frame, None, None, sheet, header_row)


def _line_number(rows: list[list[str]], index: int) -> int:
    """csv.reader yields [] for blank lines, so a row's index is its 0-based line (no quoted newlines in titles)."""
    return index + 1


def _find_header_row(rows: list[list[str]]) -> int | None:
    """The first row, among the leading ones, that is as wide as the table and mostly non-numeric text.

    Title rows ("2024年路段排放统计表") are narrower than the table; they are skipped.
    """
    candidates = [(i, r) for i, r in enumerate(rows[: TITLE_ROW_SCAN + 1]) if any(c.strip() for c in r)]
    if not candidates:
        return None
    width = max(sum(1 for c in r if c.strip()) for r in rows[: TITLE_ROW_SCAN + 50] if r) if rows else 0
    for i, row in candidates:
        cells = [c.strip() for c in row if c.strip()]
        texty = sum(1 for c in cells if not _is_number(c))
        if len(cells) >= max(1, width - 1 if width > 2 else width) and texty >= max(1, len(cells) // 2):
            return i
    return candidates[0][0]


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
        return True
    except ValueError:
        return False


def _check_headers(path: Path, header: list[str], row_number: int, sheet: str | None = None) -> None:
    where = f"{path}" + (f" (sheet {sheet!r})" if sheet else "") + f", header row {row_number}"
    cells = [c.strip() for c in header]
    if not any(cells):
        raise InputFileError(f"{where}: the header row is empty. Put column names in the first row.")
    if all(_is_number(c) for c in cells if c):
        raise InputFileError(f"{where}: the row holds only numbers, so the table has no header row. "
                             f"Add a first row with column names.")
    empty = [i + 1 for i, c in enumerate(cells) if not c]
    if empty:
        raise InputFileError(f"{where}: column(s) {empty} have no name. Name every column.")
    seen: dict[str, int] = {}
    dups = []
    for i, c in enumerate(cells):
        if c in seen:
            dups.append(f"{c!r} (columns {seen[c] + 1} and {i + 1})")
        seen.setdefault(c, i)
    if dups:
        raise InputFileError(f"{where}: duplicate column names {', '.join(dups)}. Rename them so each is unique.")
