"""Streaming (batches, Parquet) and the portable SQL plan (DuckDB engine equals the Python engine)."""

import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from emstd.infer.sql_plan import literal
from emstd.infer.standardizer import Standardizer
from emstd.infer.table_job import standardize_table
from emstd.quickstart import sample_path
from tests.infer.profile_samples import FILES, write

MICRO = ("timestamp_ms,车速(mph),加速度(m/s²),坡度(°),车型\n"
         + "".join(f"{1700000000000 + 1000 * i},{i % 70},{(i % 7) - 3},{i % 5},{['小汽车', '重卡', '公交车', '电动自行车'][i % 4]}\n"
                   for i in range(50)))


def _micro(tmp_path):
    p = tmp_path / "micro.csv"
    p.write_text(MICRO, encoding="utf-8")
    return p


def test_batches_of_any_size_give_the_same_table_and_report(tmp_path):
    src = _micro(tmp_path)
    whole = standardize_table(Standardizer(), src, tmp_path / "a.csv", convert_units=True)
    small = standardize_table(Standardizer(), src, tmp_path / "b.csv", convert_units=True, batch_rows=7)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    for key in ("rows", "columns", "value_columns"):
        assert whole[key] == small[key], key
    assert whole["value_columns"][0]["unresolved"] == {"电动自行车": 12}
    time = pd.read_csv(tmp_path / "b.csv")["time_sec"]
    assert time.tolist()[:3] == [0.0, 1.0, 2.0] and time.iloc[-1] == 49.0  # one epoch origin for every batch


def test_parquet_in_and_out(tmp_path):
    src = _micro(tmp_path)
    standardize_table(Standardizer(), src, tmp_path / "o.csv", convert_units=True)
    report = standardize_table(Standardizer(), src, tmp_path / "o.parquet", convert_units=True, batch_rows=9)
    pq = pd.read_parquet(tmp_path / "o.parquet")
    csv = pd.read_csv(tmp_path / "o.csv")
    assert pq["speed_kph"].dtype == "float64" and report["rows"] == 50
    pd.testing.assert_frame_equal(pq[["time_sec", "speed_kph", "grade_pct"]], csv[["time_sec", "speed_kph", "grade_pct"]])
    assert pq["source_type"].tolist() == csv["source_type"].where(csv["source_type"].notna(), None).tolist()
    again = standardize_table(Standardizer(), tmp_path / "o.parquet", tmp_path / "again.csv")  # Parquet in
    assert again["rows"] == 50 and pd.read_csv(tmp_path / "again.csv")["speed_kph"].tolist() == csv["speed_kph"].tolist()


def test_text_in_a_converted_column_stays_text_in_csv_and_is_null_in_parquet(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("time,speed_mph\n0,30\n1,n/a\n", encoding="utf-8")
    standardize_table(Standardizer(), src, tmp_path / "o.csv", convert_units=True)
    report = standardize_table(Standardizer(), src, tmp_path / "o.parquet", convert_units=True)
    assert pd.read_csv(tmp_path / "o.csv", dtype=str, keep_default_na=False)["speed_kph"].tolist() == ["48.28032", "n/a"]
    assert pd.read_parquet(tmp_path / "o.parquet")["speed_kph"].isna().tolist() == [False, True]
    assert report["columns"][1]["unparsed"] == 1


# --- SQL ----------------------------------------------------------------------------------------------------------


def _equal(python_csv, duck_csv):
    a, b = pd.read_csv(python_csv), pd.read_csv(duck_csv)
    assert list(a.columns) == list(b.columns)
    for col in a.columns:
        if pd.api.types.is_numeric_dtype(a[col]) and pd.api.types.is_numeric_dtype(b[col]):
            assert a[col].tolist() == pytest.approx(b[col].tolist(), nan_ok=True, abs=1e-6), col
        else:
            assert a[col].astype(str).tolist() == b[col].astype(str).tolist(), col


CASES = ["sample:micro_trajectory.csv", "sample:macro_links.xlsx"] + sorted(n for n in FILES if n != "vissim.fzp")


def _case(case, tmp_path):
    """DuckDB reads UTF-8 CSV and Parquet: the bundled samples (GBK CSV, XLSX) are given to both engines as UTF-8."""
    if not case.startswith("sample:"):
        return write(case, tmp_path)
    from emstd.infer.tables import read_table

    table = read_table(sample_path(case.split(":")[1]))
    out = tmp_path / "sample.csv"
    table.frame.to_csv(out, index=False, encoding="utf-8")
    return out


@pytest.mark.parametrize("case", CASES)
def test_duckdb_engine_equals_the_python_engine(tmp_path, case):
    src = _case(case, tmp_path)
    py = standardize_table(Standardizer(), src, tmp_path / "py.csv", convert_units=True)
    dd = standardize_table(Standardizer(), src, tmp_path / "dd.csv", convert_units=True, engine="duckdb")
    _equal(tmp_path / "py.csv", tmp_path / "dd.csv")
    assert dd["rows"] == py["rows"] and dd["value_columns"] == py["value_columns"]
    assert [c.get("unparsed") for c in dd["columns"]] == [c.get("unparsed") for c in py["columns"]]


def test_duckdb_engine_on_parquet(tmp_path):
    src = _micro(tmp_path)
    standardize_table(Standardizer(), src, tmp_path / "in.parquet")
    standardize_table(Standardizer(), tmp_path / "in.parquet", tmp_path / "py.parquet", convert_units=True)
    standardize_table(Standardizer(), tmp_path / "in.parquet", tmp_path / "dd.parquet", convert_units=True,
                      engine="duckdb")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "py.parquet"), pd.read_parquet(tmp_path / "dd.parquet"),
                                  check_dtype=False)


def test_the_reports_sql_reproduces_the_python_output(tmp_path):
    """The SQL text alone, run by plain DuckDB over the file, gives the standardized table."""
    src = write("ngsim.csv", tmp_path)
    report = standardize_table(Standardizer(), src, tmp_path / "py.csv", convert_units=True)
    con = duckdb.connect()
    con.execute(f"CREATE VIEW source AS SELECT * FROM read_csv('{src}', all_varchar=true)")
    got = con.execute(report["sql"]).df()
    want = pd.read_csv(tmp_path / "py.csv")
    assert got["time_sec"].tolist() == pytest.approx(want["time_sec"].tolist())
    assert got["speed_kph"].tolist() == pytest.approx(want["speed_kph"].tolist())


def test_sql_dialect_features_both_engines_accept():
    """Backtick identifiers, TRY_CAST, CHR-spliced literals (Spark escapes with backslashes, DuckDB does not)."""
    con = duckdb.connect()
    con.execute("CREATE VIEW source AS SELECT * FROM (VALUES ('it''s', 'x')) AS t(`车 型`, `b``q`)")
    value = "it's \\ a\nb"
    assert con.execute(f"SELECT {literal(value)}").fetchone()[0] == value
    assert literal(value) == "'it' || CHR(39) || 's ' || CHR(92) || ' a' || CHR(10) || 'b'"
    row = con.execute("SELECT `车 型`, `b``q`, TRY_CAST('x' AS DOUBLE), CAST(NULL AS STRING) FROM source").fetchone()
    assert row == ("it's", "x", None, None)


def test_map_columns_emit_sql(tmp_path):
    src = _micro(tmp_path)
    r = subprocess.run([sys.executable, "-m", "emstd.cli", "map-columns", str(src), "--emit", "sql"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    sql = r.stdout
    assert sql.startswith("SELECT") and "TRY_CAST(`车速(mph)` AS DOUBLE) * 1.609344" in sql
    assert "WHEN '重卡' THEN 'Combination Long-haul Truck'" in sql and sql.rstrip().endswith("FROM source")
    con = duckdb.connect()
    con.execute(f"CREATE VIEW source AS SELECT * FROM read_csv('{src}', all_varchar=true)")
    assert len(con.execute(sql).fetchall()) == 50
