"""The report's SQL run by Spark SQL gives what the Python engine wrote.

Needs pyspark and a Java runtime, which CI does not install (a Spark session alone takes most of a minute on two
cores): skipped there. Run locally with `pip install pyspark` (4.x, Java 17+).
"""

import shutil

import pandas as pd
import pytest

from emstd.infer.standardizer import Standardizer
from emstd.infer.table_job import standardize_table
from tests.infer.profile_samples import FILES, write

pyspark = pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime", allow_module_level=True)

# Spark's CSV reader cannot skip Vissim's preamble or name PeMS's headerless columns: those two are left out
CASES = sorted(n for n in FILES if n not in ("vissim.fzp", "pems_station_5min.txt"))


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[1]").appName("emstd-sql-check")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1").getOrCreate())
    yield session
    session.stop()


@pytest.mark.parametrize("name", CASES)
def test_spark_runs_the_plan_unchanged(tmp_path, spark, name):
    src = write(name, tmp_path)
    report = standardize_table(Standardizer(), src, tmp_path / "py.csv", convert_units=True)
    sep = ";" if name.startswith("sumo") else ","
    spark.read.option("header", True).option("sep", sep).csv(str(src)).createOrReplaceTempView("source")
    got = spark.sql(report["sql"]).toPandas()
    want = pd.read_csv(tmp_path / "py.csv")
    assert list(got.columns) == list(want.columns)
    for col in want.columns:
        if pd.api.types.is_numeric_dtype(want[col]):
            assert pd.to_numeric(got[col]).tolist() == pytest.approx(want[col].tolist(), nan_ok=True, abs=1e-6), col
        else:
            assert got[col].fillna("nan").astype(str).tolist() == want[col].fillna("nan").astype(str).tolist(), col


def test_spark_runs_a_plan_with_case_maps_epoch_and_degrees(tmp_path, spark):
    src = tmp_path / "micro.csv"
    src.write_text("timestamp_ms,车速(mph),坡度(°),车型\n1700000000000,30,1,小汽车\n1700000001000,40,2,重卡\n"
                   "1700000002000,50,3,电动自行车\n", encoding="utf-8")
    report = standardize_table(Standardizer(), src, tmp_path / "py.csv", convert_units=True)
    assert "CASE `车型` WHEN" in report["sql"] and "TAN(RADIANS(" in report["sql"]
    spark.read.option("header", True).csv(str(src)).createOrReplaceTempView("source")
    got = spark.sql(report["sql"]).toPandas()
    want = pd.read_csv(tmp_path / "py.csv")
    for col in ("time_sec", "speed_kph", "grade_pct"):
        assert pd.to_numeric(got[col]).tolist() == pytest.approx(want[col].tolist()), col
    assert got["source_type"].fillna("-").tolist() == ["Passenger Car", "Combination Long-haul Truck", "-"]


def test_spark_reads_spliced_literals_like_duckdb(spark):
    from emstd.infer.sql_plan import literal

    value = "it's \\ a\nb"
    assert spark.sql(f"SELECT {literal(value)} AS v, `x y` FROM (SELECT 1 AS `x y`)").collect()[0]["v"] == value
