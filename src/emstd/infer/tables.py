"""Reading user tables: CSV (any delimiter; UTF-8, UTF-8-BOM, UTF-16, GBK, GB18030), Parquet and XLSX, with clear
errors.

`open_table` finds the header and returns a TableSource that streams the body in batches (constant memory in the
number of rows); `read_table` reads it whole (small tables, the HTTP service). CSV values are read as text so
nothing the user wrote is altered on the way in ("007" stays "007"); Parquet columns keep their types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pandas as pd

from emstd.errors import InputFileError
from emstd.infer import csv_source as C
from emstd.infer.profiles import headerless_header
from emstd.infer.xlsx_limits import XlsxLimits, check_xlsx_limits, count_cell

TITLE_ROW_SCAN = 10  # how many leading rows may be titles before the header row
BATCH_ROWS = 200_000
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # OLE2: legacy .xls
PARQUET_MAGIC = b"PAR1"


@dataclass
class Table:
    path: Path
    frame: pd.DataFrame  # CSV/XLSX cells as str (NaN for empty)
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    header_row: int  # 0-based row index of the header in the file (after skipped title rows)
    notes: list[str] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def samples(self, n: int = 5) -> dict[str, list[str]]:
        return samples_of(self.frame, n)


def samples_of(frame: pd.DataFrame, n: int = 5) -> dict[str, list[str]]:
    """Up to n non-empty values per column, for column mapping."""
    out = {}
    for col in frame.columns:
        values = frame[col].dropna().astype(str)
        out[str(col)] = [v for v in values.head(n * 3).tolist() if v.strip()][:n]
    return out


@dataclass
class TableSource:
    """A table whose header is known and whose body is read on demand, batch by batch."""

    path: Path
    kind: str  # csv | parquet | xlsx
    headers: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int = 0
    notes: list[str] = field(default_factory=list)
    layout: C.CsvLayout | None = None
    frame: pd.DataFrame | None = None  # xlsx: read whole (small by nature, capped)

    def batches(self, rows: int = BATCH_ROWS, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
        if self.kind == "csv":
            yield from C.read_batches(self.path, self.layout, rows, columns)
        elif self.kind == "parquet":
            import pyarrow.parquet as pq

            for batch in pq.ParquetFile(self.path).iter_batches(batch_size=rows, columns=columns):
                yield batch.to_pandas()
        else:
            frame = self.frame if columns is None else self.frame[columns]
            for start in range(0, max(len(frame), 1), rows):
                yield frame.iloc[start:start + rows]

    def head(self, rows: int = 5000) -> pd.DataFrame:
        """The first rows (for column mapping and value-column detection)."""
        for frame in self.batches(rows):
            return frame.head(rows)
        return pd.DataFrame(columns=self.headers)


def open_table(path: str | Path, sheet: str | None = None, xlsx_limits: XlsxLimits = XlsxLimits()) -> TableSource:
    """Find the header of a CSV, Parquet or XLSX file. Raises InputFileError naming the file and the fix."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path}: no such file. Check the path.")
    if path.is_dir():
        raise InputFileError(f"{path}: is a directory, not a table file. Give a .csv, .xlsx or .parquet file.")
    with open(path, "rb") as f:
        head = f.read(C.HEAD_BYTES)
    whole = path.stat().st_size <= C.HEAD_BYTES
    suffix = path.suffix.lower()
    if head.startswith(XLSX_MAGIC):
        return _open_xlsx(path, sheet, xlsx_limits)
    if head.startswith(XLS_MAGIC) or suffix == ".xls":
        raise InputFileError(f"{path}: legacy .xls is not supported. Save it as .xlsx or .csv.")
    if sheet is not None:
        raise InputFileError(f"{path}: --sheet applies to Excel files only; this is not an .xlsx file.")
    if head.startswith(PARQUET_MAGIC):
        return _open_parquet(path)
    if suffix in (".xlsx", ".xlsm", ".parquet"):
        # a name that promises a binary format on a text file: say what it is rather than guess the user's intent
        raise InputFileError(f"{path}: not a {suffix} file: it is plain text (a CSV saved under the wrong name?). "
                             f"Rename it to .csv, or export it again as {suffix}.")
    return _open_csv(path, head, whole)


def read_table(path: str | Path, sheet: str | None = None, xlsx_limits: XlsxLimits = XlsxLimits()) -> Table:
    """The whole table in memory (small tables; the streaming path is `open_table(...).batches()`)."""
    source = open_table(path, sheet, xlsx_limits)
    frames = list(source.batches())
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=source.headers)
    return Table(source.path, frame, source.encoding, source.delimiter, source.sheet, source.header_row,
                 list(source.notes))


# --- CSV ------------------------------------------------------------------------------------------------------


def _open_csv(path: Path, head: bytes, whole: bool) -> TableSource:
    encoding, body_encoding, bom = C.detect_encoding(path, head)
    text = C.decode_head(path, head, body_encoding, bom, whole)
    if not text.strip():
        raise InputFileError(f"{path}: the file is empty{' (only a byte-order mark)' if bom else ''}. "
                             f"Give a table with a header row.")
    lines = C.head_lines(text, whole)
    delimiter = C.sniff_delimiter(lines)
    records = C.head_records(path, lines, delimiter)
    rows = [r for r, _ in records]
    index = _find_header_row(rows)
    if index is None:
        raise InputFileError(f"{path}: no header row found in the first {TITLE_ROW_SCAN} rows. "
                             f"Put column names in the first row.")
    lines_before = records[index - 1][1] if index else 0
    header, notes = _trim_trailing_empty(rows[index])
    supplied = headerless_header(header)
    if supplied:  # the row found is data: the body starts with it
        header, note = supplied
        notes.append(note)
        lines_through_header, first_body = lines_before, index
    else:
        header = _without_table_prefix(header, notes)
        lines_through_header, first_body = records[index][1], index + 1
        _check_headers(path, header, row_number=lines_before + 1)
    layout = C.CsvLayout(
        encoding=encoding, body_encoding=body_encoding, delimiter=delimiter, header=header, header_record=index,
        header_line=lines_through_header, body_offset=C.body_offset(text, lines, lines_through_header,
                                                                    body_encoding, bom),
        sample_records=[r for r in rows[first_body:] if r and any(c.strip() for c in r)],
    )
    layout.trailing_fields = _trailing_fields(layout, dropped=len(rows[index]) - len(header))
    if layout.trailing_fields:
        notes.append(f"every data row ends with {layout.trailing_fields} empty field(s) beyond the header "
                     f"(a trailing {delimiter!r}); dropped")
    if encoding == "utf-16" and not bom:
        notes.append("the file is UTF-16 without a byte-order mark; decoded as " + body_encoding)
    layout.notes = notes
    return TableSource(path, "csv", header, encoding, delimiter, None, index, notes, layout)


_TABLE_PREFIX = re.compile(r"^\$[A-Za-z]+:")


def _without_table_prefix(header: list[str], notes: list[str]) -> list[str]:
    """Vissim writes its header as "$VEHICLE:SIMSEC;NO;...": the table name is not part of the first column's."""
    m = _TABLE_PREFIX.match(header[0].strip()) if header else None
    if not m:
        return header
    notes.append(f"header row starts with Vissim's table name {m.group(0)!r}; removed from the first column name")
    return [header[0].strip()[m.end():], *header[1:]]


def _trim_trailing_empty(header: list[str]) -> tuple[list[str], list[str]]:
    """"a,b,c," has three columns: an empty last header cell is a trailing delimiter, not a nameless column."""
    trimmed = list(header)
    while len(trimmed) > 1 and not trimmed[-1].strip():
        trimmed.pop()
    notes = [f"the header row ends with {len(header) - len(trimmed)} empty field(s); dropped"] \
        if len(trimmed) < len(header) and any(c.strip() for c in trimmed) else []
    return (trimmed, notes) if notes else (list(header), [])


def _trailing_fields(layout: C.CsvLayout, dropped: int) -> int:
    """Extra fields every sampled data row has beyond the header, all empty (an export artefact), or 0."""
    width = len(layout.header)
    extras = {len(r) - width for r in layout.sample_records}
    if len(extras) != 1:
        return 0  # mixed widths: the body reader names the first odd row
    extra = extras.pop()
    if extra <= 0 or any(c.strip() for r in layout.sample_records for c in r[width:]):
        return 0
    return extra if extra >= dropped else 0


# --- Parquet --------------------------------------------------------------------------------------------------


def _open_parquet(path: Path) -> TableSource:
    import pyarrow.parquet as pq

    try:
        names = pq.ParquetFile(path).schema_arrow.names
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise InputFileError(f"{path}: not a readable Parquet file ({type(exc).__name__}: {exc}). "
                             f"Re-export it.") from exc
    _check_headers(path, names, row_number=1)
    return TableSource(path, "parquet", list(names))


# --- XLSX -----------------------------------------------------------------------------------------------------


def _open_xlsx(path: Path, sheet: str | None, limits: XlsxLimits) -> TableSource:
    check_xlsx_limits(path, limits)
    import openpyxl

    # a file object, not the path: openpyxl refuses a workbook by its name (an .xlsx saved as "x.csv")
    with open(path, "rb") as handle:
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a corrupt file
            raise InputFileError(f"{path}: not a readable .xlsx file ({type(exc).__name__}: {exc}). "
                                 f"Re-save it in Excel.") from exc
        try:
            sheet, rows = _xlsx_rows(path, book, sheet, limits)
        finally:
            book.close()
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise InputFileError(f"{path} (sheet {sheet!r}): the sheet is empty. Give a sheet with a header row.")
    index = _find_header_row(rows)
    if index is None:
        raise InputFileError(f"{path} (sheet {sheet!r}): no header row found in the first {TITLE_ROW_SCAN} rows.")
    header = rows[index]
    width = max(i + 1 for i, c in enumerate(header) if c.strip())
    header = header[:width]
    _check_headers(path, header, row_number=index + 1, sheet=sheet)
    body = [(r + [""] * width)[:width] for r in rows[index + 1:] if any(c.strip() for c in r)]
    frame = pd.DataFrame(body, columns=header, dtype=object).replace({"": None})
    return TableSource(path, "xlsx", header, None, None, sheet, index, [], None, frame)


def _xlsx_rows(path: Path, book, sheet: str | None, limits: XlsxLimits) -> tuple[str, list[list[str]]]:
    names = book.sheetnames
    if not names:
        raise InputFileError(f"{path}: the workbook has no readable sheet. Re-save it in Excel.")
    if sheet is None:
        sheet = names[0]
    elif sheet not in names:
        raise InputFileError(f"{path}: no sheet named {sheet!r}; the sheets are {names}.")
    rows, cells = [], 0
    ws = book[sheet]
    ws.reset_dimensions()  # read every row there is: <dimension> may understate the sheet (openpyxl would stop there)
    try:
        for row in ws.iter_rows(values_only=True):
            cells += len(row)
            count_cell(path, cells, limits)
            rows.append(["" if v is None else str(v) for v in row])
    except InputFileError:
        raise
    except Exception as exc:  # the sheet's XML is parsed as its rows are read: a malformed part fails here
        raise InputFileError(f"{path} (sheet {sheet!r}): not a readable .xlsx file ({type(exc).__name__}: {exc}). "
                             f"Re-save it in Excel.") from exc
    return sheet, rows


# --- header checks ----------------------------------------------------------------------------------------------


def _find_header_row(rows: list[list[str]]) -> int | None:
    """The first row, among the leading ones, that is as wide as the table and mostly non-numeric text.

    Title rows ("2024年路段排放统计表") are narrower than the table; they are skipped.
    """
    for i, row in enumerate(rows):  # a Vissim record announces its header ("$VEHICLE:...") after a long preamble
        if row and _TABLE_PREFIX.match(row[0].strip()):
            return i
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
    cells = [str(c).strip() for c in header]
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
