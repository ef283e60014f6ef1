"""POST /v1/tables off the model worker: the upload is checked, read, mapped and written on a table thread; only
the standardizer's calls (the column map, each batch's distinct values) are handed to the single model worker.

So one large table (a long parse, a slow write) no longer holds up /v1/standardize, while model calls stay one at
a time. Messages name the upload by the client's file name, never a server path or a CLI flag.

Table text needs no check for unencodable characters here: the CSV reader decodes strictly into Arrow strings
(which cannot hold a lone surrogate) and an XLSX sheet is XML, whose parser refuses one (a 400 naming the file).
"""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path

from fastapi import HTTPException

from emstd.errors import EmstdError
from emstd.infer.tables import XLSX_MAGIC
from emstd.infer.xlsx_limits import XlsxLimitError, check_xlsx_limits
from emstd.serve import uploads
from emstd.serve.settings import ServeSettings

TOO_MUCH, UNUSABLE, BAD = 413, 422, 400
XLSX_CAPS = {"max_uncompressed_mb": "max_xlsx_mb", "max_cells": "max_xlsx_cells"}  # XlsxLimits -> ServeSettings


class ModelWorkerStandardizer:
    """The standardizer as the table job sees it: each call runs on the model worker and waits for its answer."""

    def __init__(self, map_columns, standardize, model_worker: Executor, backend=None):
        self._map_columns, self._standardize, self._worker = map_columns, standardize, model_worker
        self.backend = backend  # read-only, e.g. for its retrieval index (review alternatives); never called here

    def map_columns(self, headers, samples=None, task=None):
        return self._worker.submit(self._map_columns, headers, samples, task).result()

    def standardize(self, values, task):
        return self._worker.submit(self._standardize, values, task).result()


def run(standardizer: ModelWorkerStandardizer, settings: ServeSettings, source: Path, out: Path,
        filename: str | None, suffix: str, task: str | None, convert_units: bool, sheet: str | None,
        corrections=None, review_below: float | None = None) -> dict:
    """The whole job, on a table thread: the answer dict, or an HTTPException naming the upload."""
    from emstd.infer.table_job import standardize_table

    workdir = source.parent
    try:
        uploads.refuse_parquet(source, filename)
        _check_xlsx(source, settings)
        report = standardize_table(standardizer, source, out, task, convert_units, sheet,
                                   xlsx_limits=settings.xlsx_limits(), corrections=corrections,
                                   review_below=review_below)
        report["notes"] = [uploads.for_client(n, workdir, filename) for n in report.get("notes", [])]
        return uploads.table_answer(out, report, filename, suffix)
    except XlsxLimitError as exc:
        raise _cap_error(exc, settings, filename) from None
    except EmstdError as exc:
        from emstd.infer.remote import RemoteError

        if isinstance(exc, RemoteError):
            raise
        raise HTTPException(BAD, uploads.for_client(str(exc), workdir, filename)) from None


def _check_xlsx(source: Path, settings: ServeSettings) -> None:
    """The server's caps, before any XML is parsed (the reader checks again, with the same caps)."""
    with open(source, "rb") as f:
        if f.read(len(XLSX_MAGIC)) == XLSX_MAGIC:
            check_xlsx_limits(source, settings.xlsx_limits())


def _cap_error(exc: XlsxLimitError, settings: ServeSettings, filename: str | None) -> HTTPException:
    name = f"file {uploads.display_name(filename)!r}"
    if exc.cap is None:  # no cap lets this workbook through: it is malformed, not large
        return HTTPException(UNUSABLE, f"{name}: {exc.reason}.")
    return HTTPException(TOO_MUCH, f"{name}: {exc.reason}; the limit is "
                                   f"{settings.describe_limit(XLSX_CAPS[exc.cap])}")
