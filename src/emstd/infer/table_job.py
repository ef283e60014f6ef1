"""`emstd standardize-table`: a user table in, the standardized table (or MOVES input tables) and a report out.

Mapped columns are renamed to their standard names (and converted with --convert-units), vehicle-type and pollutant
value columns get a standardized companion column, and every other column is kept unchanged after them. The table
is read and written batch by batch (constant memory in the number of rows); the header mapping and the value
column decisions see only the header, the first batch and each batch's distinct values. The input file is never
modified; every output is written atomically.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from emstd.errors import InputFileError
from emstd.infer.sql_plan import plan_sql
from emstd.infer.standardizer import Standardizer
from emstd.infer.table_plan import TablePlan, apply_plan, build_plan, column_report, value_report
from emstd.infer.table_sinks import CsvSink, ParquetSink, XlsxSink, check_output, parquet_schema
from emstd.infer.tables import BATCH_ROWS, TableSource, open_table, samples_of
from emstd.infer.xlsx_limits import XlsxLimits
from emstd.io import write_json_atomic

ENGINES = ("python", "duckdb")


def standardize_table(
    standardizer: Standardizer, path, out, task: str | None = None, convert_units: bool = False,
    sheet: str | None = None, progress=lambda msg: None, *, to: str | None = None, road_type: int | None = None,
    county: int | None = None, link_id: str | None = None, engine: str = "python",
    xlsx_limits: XlsxLimits = XlsxLimits(), batch_rows: int = BATCH_ROWS, corrections=None,
    review_below: float | None = None,
) -> dict:
    """`corrections` (catalog.corrections.Correction): a person's answers, applied on top of the standardizer's
    (method "user"). `review_below`: list the answers under this confidence, and every null, with their
    alternatives, in report["review"] (infer.review; REVIEW_ALL lists every answer)."""
    path, out = Path(path), Path(out)
    check_request(path, out, to, engine)
    if corrections:
        from emstd.infer.corrections import Corrected

        standardizer = Corrected(standardizer, corrections)
    convert_units = convert_units or to == "moves"  # MOVES units are fixed: standard values convert back into them

    progress(f"reading {path}")
    source = open_table(path, sheet=sheet, xlsx_limits=xlsx_limits)
    batches = source.batches(batch_rows)
    first = next(batches, None)
    if first is None:
        first = source.head(0)
    cmap = standardizer.map_columns(source.headers, samples_of(first), task)
    plan = build_plan(source.headers, cmap, first, convert_units, raw=set(cmap.raw_columns))
    progress(f"{len(source.headers)} columns ({cmap.task}); standardizing in batches of {batch_rows:,} rows")

    if engine == "duckdb":
        from emstd.infer.duckdb_engine import run_duckdb

        rows, sql = run_duckdb(standardizer, source, plan, out, progress)
    else:
        _set_epoch_origins(source, plan, batch_rows)
        moves = {"road_type": road_type, "county": county, "link_id": link_id}
        rows = _run_python(standardizer, source, plan, first, batches, out, to, moves, progress)
        sql = plan_sql(plan)
    report = _report(source, plan, out, rows, convert_units, engine, sql)
    if review_below is not None:
        report["review"] = _review(standardizer, plan, review_below)
    if to == "moves":
        report["moves"] = plan.moves_report
        write_json_atomic(out / "report.json", report)
    else:
        write_json_atomic(Path(str(out) + ".report.json"), report)
    return report


def check_request(path: Path, out: Path, to: str | None, engine: str) -> None:
    """The output and options of a table job, checked before any model loads or the table is read."""
    if engine not in ENGINES:
        raise InputFileError(f"--engine {engine!r}: use python or duckdb.")
    if to is None:
        check_output(path, out)
        return
    if to != "moves":
        raise InputFileError(f"--to {to!r}: the only target is moves.")
    if engine != "python":
        raise InputFileError("--engine duckdb writes a standardized table; use the default engine with --to moves.")
    from emstd.infer.moves_export import check_out_dir

    check_out_dir(out)


def _report(source: TableSource, plan: TablePlan, out: Path, rows: int, convert_units: bool, engine: str,
            sql: str) -> dict:
    cmap = plan.mapping
    return {
        "input": str(source.path), "sheet": source.sheet, "encoding": source.encoding, "output": str(out),
        "task": cmap.task, "profile": cmap.profile, "rows": rows, "convert_units": convert_units, "engine": engine,
        "columns": column_report(plan, source.headers), "value_columns": [value_report(v) for v in plan.values],
        "notes": source.notes + cmap.notes + plan.notes, "sql": sql,
    }


def _review(standardizer, plan: TablePlan, below: float) -> dict:
    from emstd.infer import review

    rows = review.header_rows(plan.mapping, below, {v.source for v in plan.values})
    for v in plan.values:
        rows += review.value_rows(v.kind, v.counts, v.answers, below, column=v.source)
    rows = review.add_alternatives(rows, review.retrieval_for(standardizer) if rows else None)
    return {"below": below if below != review.REVIEW_ALL else "all", "rows": rows}


def _run_python(standardizer, source: TableSource, plan: TablePlan, first, rest, out: Path, to, moves: dict,
                progress) -> int:
    if to == "moves":
        from emstd.infer.moves_export import MovesSink

        plan.round_digits = None  # MOVES values go back into MOVES units at full precision
        sink = MovesSink(out, plan, **moves)
    elif out.suffix.lower() == ".parquet":
        plan.keep_text = False
        sink = ParquetSink(out, _schema(source, plan))
    elif out.suffix.lower() == ".xlsx":
        sink = XlsxSink(out)
    else:
        sink = CsvSink(out)
    rows = 0
    ok = False
    try:
        for batch in _chain(first, rest):
            sink.write(apply_plan(plan, batch, standardizer))
            rows += len(batch)
            progress(f"{rows:,} rows")
        ok = True
    finally:
        sink.close(ok)
    return rows


def _chain(first, rest):
    yield first
    yield from rest


def _set_epoch_origins(source: TableSource, plan: TablePlan, batch_rows: int) -> None:
    """Epoch times become seconds since the column's minimum over the whole file: one pass over those columns
    before the batches are converted (only when the table has such a column)."""
    columns = plan.epoch_columns()
    if not columns:
        return
    import pandas as pd

    lows = {c.source: float("inf") for c in columns}
    for batch in source.batches(batch_rows, columns=[c.source for c in columns]):
        for c in columns:
            low = pd.to_numeric(batch[c.source], errors="coerce").min()
            if pd.notna(low):
                lows[c.source] = min(lows[c.source], float(low))
    for c in columns:
        c.origin = lows[c.source] if lows[c.source] != float("inf") else None


def _schema(source: TableSource, plan: TablePlan) -> pa.Schema:
    source_types = {}
    if source.kind == "parquet":
        import pyarrow.parquet as pq

        arrow = pq.ParquetFile(source.path).schema_arrow
        by_source = {m.source: m.target for m in plan.mapped if m.conversion is None}
        by_source.update(dict(plan.kept))
        source_types = {by_source[f.name]: f.type for f in arrow if f.name in by_source}
    floats = {m.target for m in plan.mapped if m.conversion is not None}
    return parquet_schema(plan.output_columns, floats, source_types)
