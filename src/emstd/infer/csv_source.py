"""Text tables (CSV/TSV/...): encoding, delimiter and header found on the first megabyte, the body streamed.

Header detection and the body reader must count lines the same way. Python's `str.splitlines()` also splits on
\\f, \\v, \\x1c-\\x1e, \\x85, \\u2028 and \\u2029, which neither the csv module nor pyarrow treat as line ends, so
lines here come from a text stream opened with newline="" (splits on \\n, \\r\\n and \\r only), the same rule
csv and pyarrow use. The body is read by pyarrow from the byte just after the header row: no line counting is
shared with the body reader at all.
"""

from __future__ import annotations

import codecs
import csv
import io
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from emstd.errors import InputFileError

HEAD_BYTES = 1024 * 1024  # header detection, delimiter and encoding are decided on this much of the file
BLOCK_BYTES = 4 * 1024 * 1024  # pyarrow's block: the longest row (or cell) the body reader accepts
DELIMITERS = [",", "\t", ";", "|"]
HEAD_RECORDS = 200  # records parsed for header detection (a Vissim preamble can be long)
TRAILING = "__emstd_trailing_{}__"


@dataclass
class CsvLayout:
    """Where the header is and how to read what follows it."""

    encoding: str  # as reported (utf-8, utf-8-sig, gb18030, utf-16)
    body_encoding: str  # what the body reader decodes with (no BOM handling needed: it starts past the BOM)
    delimiter: str
    header: list[str]
    header_record: int  # 0-based record index of the header (title rows skipped above it)
    header_line: int  # physical lines up to and including the header row (the body starts after them)
    body_offset: int  # byte offset of the first data record
    sample_records: list[list[str]]  # data records from the head (for the trailing-field check)
    trailing_fields: int = 0  # empty fields every data row carries beyond the header (a trailing delimiter)
    notes: list[str] = field(default_factory=list)


# --- encoding ---------------------------------------------------------------------------------------------------


def detect_encoding(path: Path, head: bytes) -> tuple[str, str, int]:
    """(reported encoding, body encoding, BOM length). Raises InputFileError for binary or undecodable text."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "utf-8", 3
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        enc = "utf-16-le" if head[:2] == codecs.BOM_UTF16_LE else "utf-16-be"
        if _looks_like_text(head[2:4096 - 4096 % 2], enc):  # \xff\xfe also starts many binary files
            return "utf-16", enc, 2
    if b"\x00" in head:
        guess = _utf16_without_bom(head)
        if guess:
            return "utf-16", guess, 0
        raise InputFileError(f"{path}: looks like a binary file (NUL bytes), not a CSV. "
                             f"Export the table as CSV or XLSX.")
    for enc in ("utf-8", "gb18030"):  # gb18030 is a superset of GBK and GB2312
        try:
            codecs.getincrementaldecoder(enc)().decode(head, final=False)
            return enc, enc, 0
        except UnicodeDecodeError:
            continue
    raise InputFileError(
        f"{path}: cannot decode the text as UTF-8, UTF-16, GBK or GB18030. Re-save it as UTF-8 (Excel: 'CSV UTF-8')."
    )


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 text without a BOM (some Windows exports): mostly-ASCII text has a NUL in every other byte."""
    sample = head[: 4096 - 4096 % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    for enc, zeros, text in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) >= 0.6 * len(zeros) and text.count(0) <= 0.05 * len(text):
            try:
                sample.decode(enc)
                return enc
            except UnicodeDecodeError:
                return None
    return None


def _looks_like_text(sample: bytes, enc: str) -> bool:
    try:
        text = codecs.getincrementaldecoder(enc)().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    usual = sum(1 for ch in text if ch.isascii() or "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
    return bool(text) and usual >= 0.8 * len(text)


def decode_head(path: Path, head: bytes, body_encoding: str, bom: int, whole: bool) -> str:
    try:
        return codecs.getincrementaldecoder(body_encoding)().decode(head[bom:], final=whole)
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path}: cannot decode the text as {body_encoding}. Re-save it as UTF-8.") from exc


# --- head: lines, delimiter, records ------------------------------------------------------------------------------


def head_lines(text: str, whole: bool) -> list[str]:
    """Physical lines with their endings, split the way csv and pyarrow split them (\\n, \\r\\n, \\r)."""
    lines = list(io.StringIO(text, newline=""))
    if not whole and lines:
        lines.pop()  # the head ends mid-line
    return lines


def sniff_delimiter(lines: list[str]) -> str:
    sample_lines = [ln.rstrip("\r\n") for ln in lines[:HEAD_RECORDS] if ln.strip()]
    sample = "\n".join(sample_lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        def score(d):  # the delimiter giving the most consistent, widest split
            counts = [ln.count(d) for ln in sample_lines] or [0]
            return (max(counts) > 0, -len(set(counts)), max(counts))

        return max(DELIMITERS, key=score)


@contextmanager
def field_limit(limit: int):
    """csv's default field limit is 128 KB; a longer cell is data, not an error (the body reader's limit is
    BLOCK_BYTES). The limit is process-wide, so it is restored afterwards."""
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, limit))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def head_records(path: Path, lines: list[str], delimiter: str) -> list[tuple[list[str], int]]:
    """(record, physical lines consumed through it) for the first HEAD_RECORDS records."""
    out = []
    reader = csv.reader(iter(lines), delimiter=delimiter)
    with field_limit(BLOCK_BYTES):
        try:
            for row in reader:
                out.append((row, reader.line_num))
                if len(out) >= HEAD_RECORDS:
                    break
        except csv.Error as exc:
            raise InputFileError(f"{path}, line {reader.line_num + 1}: not readable as CSV ({exc}). "
                                 f"Check the quoting of that line.") from exc
    return out


def body_offset(head_text: str, lines: list[str], lines_through_header: int, body_encoding: str, bom: int) -> int:
    chars = sum(len(ln) for ln in lines[:lines_through_header])
    return bom + len(head_text[:chars].encode(body_encoding))


# --- body ---------------------------------------------------------------------------------------------------------


def read_batches(path: Path, layout: CsvLayout, rows_per_batch: int,
                 columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
    """The body as DataFrames of text (None where empty), each about rows_per_batch rows, in file order; only
    `columns` when given (the others are still tokenized, not converted)."""
    names = list(layout.header) + [TRAILING.format(i) for i in range(layout.trailing_fields)]
    bad: list[str] = []

    def on_bad_row(row) -> str:
        if not row.text.strip():
            return "skip"  # a line of spaces is a blank line
        bad.append(row.text)
        return "error"

    read_opts = pacsv.ReadOptions(column_names=names, encoding=layout.body_encoding, block_size=BLOCK_BYTES)
    parse_opts = pacsv.ParseOptions(delimiter=layout.delimiter, newlines_in_values=True, ignore_empty_lines=True,
                                    invalid_row_handler=on_bad_row)
    keep = None if columns is None else list(columns) + [TRAILING.format(i) for i in range(layout.trailing_fields)]
    # only an empty field is missing: "n/a", "NA", "null" are what the user wrote and are kept as text
    convert_opts = pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, null_values=[""],
                                        include_columns=keep, strings_can_be_null=True,
                                        quoted_strings_can_be_null=True)
    if layout.body_offset >= path.stat().st_size:
        return  # a header and no data rows
    reader = None
    with open(path, "rb") as f:
        f.seek(layout.body_offset)
        try:
            reader = pacsv.open_csv(f, read_options=read_opts, parse_options=parse_opts, convert_options=convert_opts)
            pending: list[pa.RecordBatch] = []
            count = 0
            done = 0
            for batch in reader:
                pending.append(batch)
                count += batch.num_rows
                if count >= rows_per_batch:
                    yield _frame(path, layout, pending, done)
                    done += count
                    pending, count = [], 0
            if pending:
                yield _frame(path, layout, pending, done)
        except pa.ArrowInvalid as exc:
            if "Empty CSV file" in str(exc):
                return  # only blank lines after the header
            raise _body_error(path, layout, exc, bad) from None
        except UnicodeDecodeError as exc:
            raise InputFileError(f"{path}: the text after the first {HEAD_BYTES // 1024} KB is not "
                                 f"{layout.encoding} ({exc.reason}). Re-save the whole file as UTF-8.") from None
        finally:
            if reader is not None:  # stop its read-ahead thread now, not at interpreter exit (a C++ abort there)
                reader.close()


def _frame(path: Path, layout: CsvLayout, batches: list[pa.RecordBatch], rows_before: int) -> pd.DataFrame:
    table = pa.Table.from_batches(batches)
    _refuse_nul(path, layout, table, rows_before)
    frame = table.to_pandas()
    for i in range(layout.trailing_fields):
        extra = frame.pop(TRAILING.format(i))
        filled = extra.notna() & (extra.astype("string").str.strip() != "")
        if filled.any():
            where = locate_row(path, layout, lambda rec, n: n == rows_before + int(filled.to_numpy().argmax()))
            raise InputFileError(f"{path}, line {where[1]}: the row has a value after its last column, while the other "
                                 f"rows end with an empty field there. Remove the extra value or add a column name.")
    # a row of empty cells (",,,") is a separator, not data
    return frame.dropna(how="all").reset_index(drop=True)


def _refuse_nul(path: Path, layout: CsvLayout, table: pa.Table, rows_before: int) -> None:
    import pyarrow.compute as pc

    for col in table.columns:
        hits = pc.match_substring(col, "\x00")
        if pc.any(hits).as_py():
            index = rows_before + int(pc.index(hits, True).as_py())
            _, line = locate_row(path, layout, lambda rec, n: n == index)
            raise InputFileError(f"{path}, line {line}: the row holds NUL bytes: part of the file is binary "
                                 f"(a damaged or unfinished export). Re-export the table.")


def _body_error(path: Path, layout: CsvLayout, exc: Exception, bad: list[str]) -> InputFileError:
    width = len(layout.header) + layout.trailing_fields
    if "invalid UTF8" in str(exc):
        found = locate_row(path, layout, lambda rec, n: any("\ufffd" in c for c in rec))
        where = f", line {found[1]}" if found else ""
        return InputFileError(f"{path}{where}: the text is not utf-8 there, although the first "
                              f"{HEAD_BYTES // 1024} KB were. Re-save the whole file as UTF-8.")
    if bad or "columns" in str(exc):
        # a row that loses data (too few fields, or a value past the last column) is named before a row whose
        # only fault is an empty trailing field
        found = locate_row(path, layout, lambda rec, n: len(rec) < width or any(c.strip() for c in rec[width:]))
        found = found or locate_row(path, layout, lambda rec, n: len(rec) != width)
        if found is not None:
            rec, line = found
            extra = rec[width:]
            if len(rec) > width and not any(c.strip() for c in extra):
                what = (f"{len(rec)} fields, the header has {len(layout.header)}; the extra fields are empty "
                        f"(a trailing delimiter on some rows only). End every row the same way")
            elif len(rec) > width:
                what = (f"{len(rec)} fields, the header has {len(layout.header)}. Quote values that contain "
                        f"{layout.delimiter!r}, or add the missing column name")
            else:
                what = f"{len(rec)} fields, the header has {len(layout.header)}. Fill in the missing fields"
            return InputFileError(f"{path}, line {line}: the row has {what}.")
    if "straddling" in str(exc) or "block" in str(exc):
        return InputFileError(f"{path}: a row is longer than {BLOCK_BYTES // (1024 * 1024)} MB (a huge cell?). "
                              f"Split or shorten it.")
    return InputFileError(f"{path}: not readable as CSV after the header ({str(exc).splitlines()[0]}). "
                          f"Check the quoting of the rows.")


def locate_row(path: Path, layout: CsvLayout, wanted) -> tuple[list[str], int] | None:
    """The first data record for which wanted(record, index) holds, with its 1-based physical line. A slow scan
    with the csv module: used only to name the row in an error message."""
    with open(path, "rb") as raw:
        raw.seek(layout.body_offset)
        text = io.TextIOWrapper(raw, encoding=layout.body_encoding, errors="replace", newline="")
        reader = csv.reader(text, delimiter=layout.delimiter)
        index = 0
        lines_before = 0
        with field_limit(BLOCK_BYTES):
            try:
                for rec in reader:
                    first_line = lines_before + 1
                    lines_before = reader.line_num
                    if not rec or (len(rec) == 1 and not rec[0].strip()):
                        continue  # blank lines (and lines of spaces) are skipped by the body reader too
                    if wanted(rec, index):
                        return rec, layout.header_line + first_line
                    index += 1
            except csv.Error:
                return None
    return None
