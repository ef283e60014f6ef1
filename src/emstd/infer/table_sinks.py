"""Where standardized batches go: CSV and Parquet are written batch by batch (constant memory), XLSX at the end
(capped at Excel's row limit). Every file is written to a temporary path and renamed into place when complete.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import pandas as pd
import pyarrow as pa

from emstd.errors import InputFileError
from emstd.io import atomic_path, check_output_file

EXCEL_MAX_ROWS = 1_048_575  # one row of the sheet's 1,048,576 is the header
TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet")


class CsvSink:
    def __init__(self, out: Path):
        self._stack = ExitStack()
        tmp = self._stack.enter_context(atomic_path(out))
        self._file = self._stack.enter_context(open(tmp, "w", encoding="utf-8", newline=""))
        # UTF-8 with a BOM so Excel opens Chinese text correctly (pandas and csv readers accept it too); the BOM is
        # written by hand because pandas' utf-8-sig path encodes row by row in Python (~3x slower)
        self._file.write("\ufeff")
        self._header = True

    def write(self, frame: pd.DataFrame) -> None:
        frame.to_csv(self._file, index=False, header=self._header, lineterminator="\n")
        self._header = False

    def close(self, ok: bool = True) -> None:
        self._file.flush()
        self._stack.__exit__(*((None, None, None) if ok else (InputFileError, InputFileError("aborted"), None)))


class ParquetSink:
    def __init__(self, out: Path, schema: pa.Schema):
        import pyarrow.parquet as pq

        self._stack = ExitStack()
        tmp = self._stack.enter_context(atomic_path(out))
        self._schema = schema
        self._writer = pq.ParquetWriter(tmp, schema)

    def write(self, frame: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        self._writer.write_table(table.cast(self._schema))

    def close(self, ok: bool = True) -> None:
        self._writer.close()
        self._stack.__exit__(*((None, None, None) if ok else (InputFileError, InputFileError("aborted"), None)))


class XlsxSink:
    def __init__(self, out: Path):
        self._out = out
        self._frames: list[pd.DataFrame] = []
        self._rows = 0

    def write(self, frame: pd.DataFrame) -> None:
        self._rows += len(frame)
        if self._rows > EXCEL_MAX_ROWS:
            raise InputFileError(f"{self._out}: {self._rows:,}+ rows do not fit in an Excel sheet "
                                 f"({EXCEL_MAX_ROWS:,} at most). Write .csv or .parquet instead.")
        self._frames.append(frame)

    def close(self, ok: bool = True) -> None:
        if not ok:
            return
        frame = pd.concat(self._frames, ignore_index=True) if self._frames else pd.DataFrame()
        with atomic_path(self._out) as tmp:
            frame.to_excel(tmp, index=False, engine="openpyxl")


def check_output(path: Path, out: Path) -> None:
    if out.resolve() == path.resolve():
        raise InputFileError(f"{out}: the output would overwrite the input. Choose another --out path.")
    if out.suffix.lower() not in TABLE_SUFFIXES:
        raise InputFileError(f"{out}: the output must end in .csv, .xlsx or .parquet.")
    check_output_file(out)  # not a directory, and writable: before the table is read
    check_output_file(Path(str(out) + ".report.json"))


def parquet_schema(columns: list[str], float_columns: set[str], source_types: dict[str, pa.DataType]) -> pa.Schema:
    """Converted columns are float64; columns copied from a Parquet input keep their type; the rest is text."""
    return pa.schema([(c, pa.float64() if c in float_columns else source_types.get(c, pa.string())) for c in columns])
