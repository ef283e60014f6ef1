"""`standardize-table --engine duckdb`: DuckDB reads the CSV/Parquet itself, runs the plan's SQL and COPYs the
result, spilling to disk, so the table may be larger than memory.

Two passes over the file: one aggregate (row count, the distinct values of the value columns with their counts,
text that is not a number in converted columns, epoch origins), then the COPY. DuckDB reads UTF-8 and UTF-16 text;
its CSV output has no BOM; non-numeric text in converted columns becomes empty (NULL), as in Parquet output.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from emstd.errors import InputFileError
from emstd.infer import units as U
from emstd.infer.sql_plan import SOURCE, ident, plan_sql
from emstd.infer.table_plan import TablePlan
from emstd.infer.tables import TableSource
from emstd.io import atomic_path

DUCKDB_ENCODINGS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "utf-16": "utf-16"}


def run_duckdb(standardizer, source: TableSource, plan: TablePlan, out: Path, progress) -> tuple[int, str]:
    import duckdb

    if out.suffix.lower() not in (".csv", ".parquet"):
        raise InputFileError(f"{out}: --engine duckdb writes .csv or .parquet.")
    with tempfile.TemporaryDirectory(prefix="emstd-duckdb-") as spill:
        con = duckdb.connect(config={"temp_directory": spill, "preserve_insertion_order": True})
        try:
            # a row of empty cells (",,,") is a separator, not data: the Python engine drops it too
            not_empty = " OR ".join(f"{ident(h)} IS NOT NULL" for h in source.headers)
            con.execute(f"CREATE VIEW {SOURCE} AS SELECT * FROM {_reader(source)} WHERE {not_empty}")
            rows = _aggregate(con, standardizer, plan, progress)
            sql = plan_sql(plan)
            progress("writing with DuckDB")
            fmt = "PARQUET" if out.suffix.lower() == ".parquet" else "CSV, HEADER"
            with atomic_path(out) as tmp:
                con.execute(f"COPY ({sql}) TO '{_path(tmp)}' (FORMAT {fmt})")
        except duckdb.Error as exc:
            raise InputFileError(f"{source.path}: DuckDB could not read or write the table "
                                 f"({str(exc).splitlines()[0]}). Try the default engine.") from None
        finally:
            con.close()
    return rows, sql


def _reader(source: TableSource) -> str:
    if source.kind == "parquet":
        return f"read_parquet('{_path(source.path)}')"
    if source.kind != "csv":
        raise InputFileError(f"{source.path}: --engine duckdb reads CSV and Parquet; this is an Excel file.")
    layout = source.layout
    encoding = DUCKDB_ENCODINGS.get(layout.encoding)
    if encoding is None:
        raise InputFileError(f"{source.path}: --engine duckdb reads UTF-8 and UTF-16 text; this file is "
                             f"{layout.encoding}. Re-save it as UTF-8, or use the default engine.")
    if layout.trailing_fields:
        raise InputFileError(f"{source.path}: every row ends with an extra empty field; --engine duckdb cannot "
                             f"drop it. Use the default engine.")
    names = ", ".join(_quote(h) for h in layout.header)
    # skip= counts lines the way our header detection did (\n, \r\n, \r); the header is given, not read
    return (f"read_csv('{_path(source.path)}', delim={_quote(layout.delimiter)}, header=false, "
            f"skip={layout.header_line}, names=[{names}], all_varchar=true, encoding='{encoding}', "
            f"quote='\"', escape='\"', null_padding=false, strict_mode=true)")


def _aggregate(con, standardizer, plan: TablePlan, progress) -> int:
    progress("counting rows and distinct values with DuckDB")
    rows = con.execute(f"SELECT COUNT(*) FROM {SOURCE}").fetchone()[0]
    for m in plan.mapped:
        if m.conversion is None:
            continue
        col = ident(m.source)
        number = f"TRY_CAST({col} AS DOUBLE)"
        unparsed, low = con.execute(
            f"SELECT COUNT(*) FILTER (WHERE {col} IS NOT NULL AND {number} IS NULL), MIN({number}) FROM {SOURCE}"
        ).fetchone()
        m.unparsed = int(unparsed)
        if m.unit in U.EPOCH_PER_SECOND:
            m.origin = None if low is None else float(low)
    for v in plan.values:
        counts = con.execute(f"SELECT CAST({ident(v.source)} AS VARCHAR), COUNT(*) FROM {SOURCE} "
                             f"WHERE {ident(v.source)} IS NOT NULL GROUP BY 1").fetchall()
        distinct = [str(value) for value, _ in counts]
        for (value, count), answer in zip(counts, standardizer.standardize(distinct, v.kind)):
            v.counts[str(value)] = int(count)
            v.answers[str(value)] = answer
    return int(rows)


def _path(path: Path) -> str:
    return str(path).replace("'", "''")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
