"""The CLI contracts of docs/design.md, run as a user runs them (a subprocess)."""

import json
import subprocess
import sys

import pytest

from emstd.quickstart import sample_path


def emstd(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "emstd.cli", *map(str, args)], capture_output=True, text=True,
                          input=stdin, timeout=300)


def test_help_is_instant_and_imports_nothing_heavy():
    code = "import sys, emstd.cli; print(sorted(m for m in ('torch', 'transformers', 'peft', 'pandas') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    r = emstd("--help")
    assert r.returncode == 0 and "standardize" in r.stdout


def test_standardize_json_contract():
    r = emstd("standardize", "vehicle", "重卡", "自行车", "qwerty", "--json")
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["input"] for row in rows] == ["重卡", "自行车", "qwerty"]
    assert rows[0] == {"input": "重卡", "standard": "Combination Long-haul Truck", "method": "exact", "confidence": 1.0}
    assert rows[1]["standard"] is None and rows[2]["standard"] is None
    for row in rows:
        assert set(row) == {"input", "standard", "method", "confidence"}
        assert isinstance(row["confidence"], float)


def test_standardize_from_file_keeps_every_line(tmp_path):
    f = tmp_path / "values.txt"
    f.write_bytes("\ufeffNOX\n\n氮氧化物排放\nCO₂\n".encode("utf-8"))
    r = emstd("standardize", "pollutant", "--from", f, "--json")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["input"] for row in rows] == ["NOX", "", "氮氧化物排放", "CO₂"]
    assert [row["standard"] for row in rows] == ["NOx", None, "NOx", "CO2"]


def test_standardize_errors():
    r = emstd("standardize", "vehicle", "--from", "/nonexistent/values.txt")
    assert r.returncode == 2 and "no such file" in r.stderr
    r = emstd("standardize", "vehicle")
    assert r.returncode == 2 and "no values given" in r.stderr


def test_non_utf8_values_file_names_the_line(tmp_path):
    f = tmp_path / "gbk.txt"
    f.write_bytes("小汽车\n".encode("utf-8") + "大货车\n".encode("gbk"))
    r = emstd("standardize", "vehicle", "--from", f)
    assert r.returncode == 2 and "line 2" in r.stderr and "UTF-8" in r.stderr


@pytest.mark.parametrize("name", ["macro_links.xlsx", "micro_trajectory.csv"])
def test_map_columns_json_contract(name):
    r = emstd("map-columns", sample_path(name), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["task"] in ("micro", "macro")
    headers = list(out["mapping"])
    assert headers == list(out["units"]) == list(out["confidence"])
    allowed = {"time_sec", "speed_kph", "acceleration_mps2", "grade_pct", "link_id", "link_length_km",
               "traffic_flow_vph", "avg_speed_kph", "Passenger Car", "Transit Bus", "Single Unit Short-haul Truck",
               "Motorcycle", None}
    assert set(out["mapping"].values()) <= allowed


def test_map_columns_gbk_csv(tmp_path):
    f = tmp_path / "gbk.csv"
    f.write_bytes("时间,车速(km/h),坡度\n0,12,1\n".encode("gbk"))
    out = json.loads(emstd("map-columns", f, "--json").stdout)
    assert out["mapping"] == {"时间": "time_sec", "车速(km/h)": "speed_kph", "坡度": "grade_pct"}


def test_map_columns_bad_file(tmp_path):
    f = tmp_path / "dup.csv"
    f.write_text("speed,speed\n1,2\n", encoding="utf-8")
    r = emstd("map-columns", f)
    assert r.returncode == 2 and "duplicate column names 'speed'" in r.stderr and str(f) in r.stderr


def test_standardize_table_writes_output_and_report_atomically(tmp_path):
    src = sample_path("micro_trajectory.csv")
    before = src.read_bytes()
    out = tmp_path / "std.csv"
    r = emstd("standardize-table", src, "--out", out, "--convert-units")
    assert r.returncode == 0, r.stderr
    assert src.read_bytes() == before
    report = json.loads((tmp_path / "std.csv.report.json").read_text(encoding="utf-8"))
    speed = next(c for c in report["columns"] if c["field"] == "speed_kph")
    assert speed["conversion"] == {"from": "mph", "to": "km/h", "how": "x 1.60934"}
    assert report["value_columns"][0]["unresolved"] == {"电动自行车": 5}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["std.csv", "std.csv.report.json"]  # no temp files left
    r = emstd("standardize-table", src, "--out", src)
    assert r.returncode == 2 and "overwrite the input" in r.stderr


@pytest.mark.slow
def test_data_check_exit_codes(dataset_dir, tmp_path):
    assert emstd("data", "check", dataset_dir).returncode == 0
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "unified_train.jsonl").write_text("{not json\n", encoding="utf-8")
    r = emstd("data", "check", bad)
    assert r.returncode == 1 and "unified_train.jsonl:1: not valid JSON" in r.stdout


def test_values_file_lines_split_only_at_line_ends(tmp_path):
    """str.splitlines() also splits at \\f, \\x1c-\\x1e, \\x85, U+2028, U+2029: a value holding one stays one input."""
    f = tmp_path / "values.txt"
    f.write_text("小汽车\r\n重\u2028卡\nNOX\f\n", encoding="utf-8")
    r = emstd("standardize", "vehicle", "--from", f, "--json")
    assert [json.loads(line)["input"] for line in r.stdout.split("\n") if line] == ["小汽车", "重\u2028卡", "NOX\f"]


def test_no_command_replaces_a_directory_it_did_not_write(tmp_path):
    """The probe's worst case, run as a user runs it: tiny-model over someone's directory deleted it (exit 0)."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("keep me")
    r = emstd("dev", "tiny-model", "--out", mine)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0 and str(mine) in r.stderr and "not empty" in r.stderr
    assert [p.name for p in mine.iterdir()] == ["thesis.docx"] and [p.name for p in tmp_path.iterdir()] == ["mine"]


@pytest.mark.parametrize("args,words", [
    (["quickstart", "--steps", "-3"], "--steps"),
    (["vllm-command", "--port", "0"], "--port"),
    (["standardize", "vehicle", "--from", "."], "is a directory"),
])
def test_bad_input_is_one_line_through_the_installed_entry_point(args, words):
    r = emstd(*args)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.startswith("error: ") and r.stderr.strip().count("\n") == 0 and words in r.stderr
