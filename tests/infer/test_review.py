"""Review files and corrections: table -> review file -> filled -> import-review -> the overlay answers them."""

import csv
import json
import subprocess
import sys

import pandas as pd
import pytest

from emstd.catalog import load_catalog
from emstd.catalog.corrections import Correction
from emstd.errors import InputFileError
from emstd.infer.review import read_review, write_review
from emstd.infer.standardizer import Standardizer
from emstd.infer.table_job import standardize_table

TABLE = """时间(s),车速值,车型,污染物,备注
0,10,大货车,NOx,a
1,20,QXV-9,氮氧,b
2,30,QXV-9,CO2,c
3,30,巡逻车,PM,c
4,30,自行车,烟度,c
"""
FIXES = {"QXV-9": "Combination Long-haul Truck", "巡逻车": "passenger car", "车速值": "speed_kph",
         "烟度": "not a standard value", "自行车": "Motorcycle"}


def emstd(*args):
    return subprocess.run([sys.executable, "-m", "emstd.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


def rows_of(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def fill(review, filled, fixes):
    rows = rows_of(review)
    for r in rows:
        r["correct answer"] = fixes.get(r["value"], "")
    with open(filled, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_review_round_trip_from_the_cli(tmp_path):
    table = tmp_path / "fleet.csv"
    table.write_text(TABLE, encoding="utf-8")
    review, filled, overlay = tmp_path / "review.csv", tmp_path / "filled.csv", tmp_path / "ours.yaml"

    r = emstd("standardize-table", table, "--out", tmp_path / "first.csv", "--review", review, "--backend", "rules")
    assert r.returncode == 0, r.stderr
    listed = {(row["task"], row["value"]): row for row in rows_of(review)}
    # nulls and answers under 0.9 are listed, confident ones are not; value columns by value, with counts
    assert set(listed) == {("column", "车速值"), ("column", "备注"), ("vehicle", "QXV-9"), ("vehicle", "巡逻车"),
                           ("vehicle", "自行车"), ("pollutant", "烟度")}
    trk = listed[("vehicle", "QXV-9")]
    assert (trk["count"], trk["emstd answer"], trk["method"], trk["correct answer"]) == (
        "2", "not a standard value", "no_match", "")
    assert trk["alternatives"].count(";") == 2 and "(0." in trk["alternatives"]  # retrieval's top 3
    assert "Combination Long-haul Truck" in trk["allowed answers"] and "not a standard value" in trk["allowed answers"]

    fill(review, filled, FIXES)
    r = emstd("catalog", "import-review", filled, "--out", overlay)
    assert r.returncode == 0, r.stderr
    assert "+++ " in r.stdout and "+    - QXV-9" in r.stdout  # the diff of what it adds
    assert "4 entries added, 1 already known" in r.stdout
    assert "'烟度' is already not a standard value in the built-in catalog" in r.stderr

    r = emstd("standardize-table", table, "--out", tmp_path / "second.csv", "--backend", "rules", "--catalog", overlay)
    assert r.returncode == 0, r.stderr
    out = pd.read_csv(tmp_path / "second.csv", dtype=str, encoding="utf-8-sig")
    assert list(out.columns[:4]) == ["time_sec", "speed_kph", "source_type", "pollutant"]
    assert out["source_type"].tolist() == ["Single Unit Short-haul Truck", "Combination Long-haul Truck",
                                           "Combination Long-haul Truck", "Passenger Car", "Motorcycle"]
    r = emstd("standardize", "vehicle", "QXV-9", "巡逻车", "自行车", "大货车", "--json", "--catalog", overlay)
    answers = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(a["standard"], a["method"]) for a in answers] == [
        ("Combination Long-haul Truck", "user"), ("Passenger Car", "user"), ("Motorcycle", "user"),
        ("Single Unit Short-haul Truck", "exact")]


def test_import_never_overwrites_and_merges_only_when_asked(tmp_path):
    review = tmp_path / "review.csv"
    write_review([_row("vehicle", "QXV-9"), _row("vehicle", "DJ-3")], review)
    fill(review, tmp_path / "a.csv", {"QXV-9": "Combination Long-haul Truck"})
    overlay = tmp_path / "ours.yaml"
    assert emstd("catalog", "import-review", tmp_path / "a.csv", "--out", overlay).returncode == 0
    before = overlay.read_text(encoding="utf-8")

    fill(review, tmp_path / "b.csv", {"DJ-3": "Refuse Truck"})
    r = emstd("catalog", "import-review", tmp_path / "b.csv", "--out", overlay)
    assert r.returncode == 2 and "exists: add --merge" in r.stderr
    assert overlay.read_text(encoding="utf-8") == before
    r = emstd("catalog", "import-review", tmp_path / "b.csv", "--out", overlay, "--dry-run", "--merge")
    assert r.returncode == 0 and "+    - DJ-3" in r.stdout and overlay.read_text(encoding="utf-8") == before
    r = emstd("catalog", "import-review", tmp_path / "b.csv", "--out", overlay, "--merge")
    assert r.returncode == 0, r.stderr
    text = overlay.read_text(encoding="utf-8")
    assert "QXV-9" in text and "DJ-3" in text

    fill(review, tmp_path / "c.csv", {"QXV-9": "Transit Bus"})  # contradicts the overlay being extended
    r = emstd("catalog", "import-review", tmp_path / "c.csv", "--out", overlay, "--merge")
    assert r.returncode == 2 and "c.csv row 2: 'QXV-9' is 'Combination Long-haul Truck' in" in r.stderr
    assert overlay.read_text(encoding="utf-8") == text


def _row(task, value, answer=None, method="no_match", confidence=0.0, count=1):
    return {"task": task, "column": "车型", "value": value, "count": count, "answer": answer, "method": method,
            "confidence": confidence, "alternatives": []}


def test_a_correct_answer_that_is_not_a_standard_value_names_the_row(tmp_path):
    review = tmp_path / "review.csv"
    write_review([_row("vehicle", "QXV-9"), _row("pollutant", "烟度"), _row("vehicle", "巡逻车")], review)
    fill(review, tmp_path / "filled.csv", {"QXV-9": "Pasenger Car", "烟度": "smoke", "巡逻车": "小汽车"})
    with pytest.raises(InputFileError) as info:
        read_review(tmp_path / "filled.csv")
    message = str(info.value)
    assert "3 row(s) cannot be imported" in message
    assert "filled.csv row 2 ('QXV-9'): correct answer 'Pasenger Car' is not a vehicle standard value; " \
           "did you mean 'Passenger Car'?" in message
    assert "row 3 ('烟度'): correct answer 'smoke' is not a pollutant standard value" in message
    assert "row 4 ('巡逻车')" in message  # a name is not a label, even a catalog alias


def test_the_chinese_name_of_a_standard_value_is_accepted(tmp_path):
    review = tmp_path / "review.csv"
    write_review([_row("vehicle", "巡逻车"), _row("pollutant", "氮氧z")], review)
    zh = {v.label: v.zh for v in load_catalog().vehicles}["Passenger Car"]
    fill(review, tmp_path / "filled.csv", {"巡逻车": zh, "氮氧z": "NOX"})
    got = [(c.value, c.label) for c in read_review(tmp_path / "filled.csv")]
    assert got == [("巡逻车", "Passenger Car"), ("氮氧z", "NOx")]


def test_xlsx_review_has_drop_downs_and_reads_back(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "review.xlsx"
    write_review([_row("column", "车速值", "speed_kph", "contains", 0.85, None), _row("vehicle", "21")], path)
    wb = load_workbook(path)
    sheet = wb["review"]
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 2 and all(v.type == "list" for v in validations)
    assert "'allowed answers'!" in validations[0].formula1
    assert [c.value for c in wb["allowed answers"]["B"]][:3] == ["vehicle", "Motorcycle", "Passenger Car"]
    assert sheet["C3"].value == "21" and sheet["C3"].data_type == "s"  # text, not the number 21
    sheet["I2"], sheet["I3"] = "speed_kph", "Passenger Car"
    wb.save(path)
    assert [(c.task, c.value, c.label) for c in read_review(path)] == [
        ("column", "车速值", "speed_kph"), ("vehicle", "21", "Passenger Car")]


def test_a_filled_review_file_is_never_overwritten(tmp_path):
    table = tmp_path / "fleet.csv"
    table.write_text(TABLE, encoding="utf-8")
    review = tmp_path / "review.csv"
    write_review([_row("vehicle", "QXV-9")], review)
    fill(review, review, {"QXV-9": "Transit Bus"})
    before = review.read_bytes()
    r = emstd("standardize-table", table, "--out", tmp_path / "o.csv", "--review", review, "--backend", "rules")
    assert r.returncode == 2 and "holds 1 filled correct answer(s); import them first" in r.stderr
    assert review.read_bytes() == before and not (tmp_path / "o.csv").exists()
    r = emstd("standardize", "vehicle", "x", "--review", tmp_path / "r.txt")
    assert r.returncode == 2 and "give a .csv or .xlsx file name" in r.stderr


def test_standardize_json_writes_a_review_file_with_counts(tmp_path):
    review = tmp_path / "r.csv"
    r = emstd("standardize", "vehicle", "QXV-9", "QXV-9", "大货车", "", "--json", "--review", review,
              "--backend", "rules")
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == 4  # the JSON lines are unchanged
    rows = rows_of(review)
    assert [(row["value"], row["count"]) for row in rows] == [("QXV-9", "2")]  # empty input: nothing to correct


def test_corrections_apply_on_top_of_the_answers_as_method_user(tmp_path):
    table = tmp_path / "fleet.csv"
    table.write_text(TABLE, encoding="utf-8")
    corrections = [Correction("vehicle", "qxv 9", "Transit Bus"), Correction("vehicle", "大货车", None),
                   Correction("column", "备注", "grade_pct")]
    report = standardize_table(Standardizer(), table, tmp_path / "o.csv", corrections=corrections,
                               review_below=float("inf"))
    out = pd.read_csv(tmp_path / "o.csv", dtype=str, encoding="utf-8-sig")
    assert out["source_type"].isna().iloc[0]  # 大货车 corrected to "not a standard value"
    assert out["source_type"].tolist()[1:3] == ["Transit Bus", "Transit Bus"]
    rows = {(r["task"], r["value"]): r for r in report["review"]["rows"]}
    assert (rows[("vehicle", "QXV-9")]["answer"], rows[("vehicle", "QXV-9")]["method"]) == ("Transit Bus", "user")
    assert (rows[("vehicle", "大货车")]["answer"], rows[("vehicle", "大货车")]["method"]) == (None, "user")
    assert report["review"]["below"] == "all" and ("vehicle", "自行车") in rows
    columns = {c["source"]: c for c in report["columns"]}
    assert (columns["备注"]["field"], columns["备注"]["method"]) == ("grade_pct", "user")
