"""POST /v1/tables: the round trip for CSV and XLSX, bad files, and the private temporary directory."""

import base64
import io
import tempfile

import pandas as pd
import pytest
from serve_helpers import client_for

pytestmark = pytest.mark.anyio

MICRO_CSV = "时间(s),车速(mph),车型,备注\n0,10,大货车,a\n1,20,小轿车,b\n2,30,自行车,c\n"


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """Every temporary file of the request goes here, so the test can see that nothing is left behind."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


async def upload(app, name, content, **form):
    async with client_for(app) as c:
        return await c.post("/v1/tables", files={"file": (name, content)}, data=form)


async def test_csv_round_trip_with_units_and_values(rules_app, private_tmp):
    r = await upload(rules_app, "trip.csv", MICRO_CSV.encode(), task="micro", convert_units="true")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["filename"] == "trip.standardized.csv" and body["media_type"] == "text/csv"
    table = pd.read_csv(io.BytesIO(base64.b64decode(body["content_base64"])), encoding="utf-8-sig", dtype=str)
    assert list(table.columns[:3]) == ["time_sec", "speed_kph", "source_type"]
    assert table["speed_kph"].astype(float).round(3).tolist() == [16.093, 32.187, 48.28]
    assert table["source_type"].tolist()[:2] == ["Single Unit Short-haul Truck", "Passenger Car"]
    report = body["report"]
    assert report["task"] == "micro" and report["rows"] == 3 and report["convert_units"] is True
    assert report["input"] == "trip.csv" and report["output"] == "trip.standardized.csv"  # no server paths
    assert list(private_tmp.iterdir()) == []  # the upload's directory is gone


async def test_xlsx_round_trip_keeps_the_format(rules_app, private_tmp, tmp_path):
    src = tmp_path / "links.xlsx"
    pd.DataFrame({"路段编号": ["L1", "L2"], "长度(km)": ["1.5", "2"], "流量": ["300", "450"],
                  "平均速度": ["40", "55"]}).to_excel(src, index=False, sheet_name="links")
    r = await upload(rules_app, "links.xlsx", src.read_bytes(), sheet="links")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["filename"] == "links.standardized.xlsx"
    content = base64.b64decode(body["content_base64"])
    assert content[:4] == b"PK\x03\x04"
    table = pd.read_excel(io.BytesIO(content), dtype=str)
    assert {"link_id", "link_length_km", "traffic_flow_vph", "avg_speed_kph"} <= set(table.columns)
    assert body["report"]["task"] == "macro" and body["report"]["sheet"] == "links"
    assert list(private_tmp.iterdir()) == []


async def test_bad_file_is_400_naming_the_problem(rules_app, private_tmp):
    empty = await upload(rules_app, "t.csv", b"")
    not_xlsx = await upload(rules_app, "t.xlsx", b"this is not a workbook")
    sheet_on_csv = await upload(rules_app, "t.csv", b"a,b\n1,2\n", sheet="s1")
    wrong_kind = await upload(rules_app, "t.exe", b"MZ")
    for r in (empty, not_xlsx, sheet_on_csv, wrong_kind):
        assert r.status_code == 400, r.text
    assert "empty" in empty.json()["detail"]
    assert "sheet" in sheet_on_csv.json()["detail"]
    assert wrong_kind.json()["detail"] == "file: 't.exe' is not a .csv or .xlsx file. Upload a CSV or XLSX table."
    assert not_xlsx.json()["detail"]
    assert list(private_tmp.iterdir()) == []  # removed after errors too


async def test_missing_sheet_is_400(rules_app, tmp_path):
    src = tmp_path / "t.xlsx"
    pd.DataFrame({"time": ["0"]}).to_excel(src, index=False)
    r = await upload(rules_app, "t.xlsx", src.read_bytes(), sheet="nope")
    assert r.status_code == 400 and "nope" in r.json()["detail"]


async def test_uploaded_name_is_never_a_path(rules_app, private_tmp, tmp_path):
    target = tmp_path / "escape.csv"
    name = f"../../../../{tmp_path.name}/escape.csv"
    r = await upload(rules_app, name, MICRO_CSV.encode())
    assert r.status_code == 200
    assert not target.exists()
    assert r.json()["filename"] == "escape.standardized.csv" and r.json()["report"]["input"] == "escape.csv"
    assert list(private_tmp.iterdir()) == []


async def test_missing_file_field_is_422(rules_app):
    async with client_for(rules_app) as c:
        r = await c.post("/v1/tables", data={"task": "micro"})
    assert r.status_code == 422 and "file" in r.json()["detail"]


async def test_bad_task_is_422(rules_app):
    r = await upload(rules_app, "t.csv", MICRO_CSV.encode(), task="nano")
    assert r.status_code == 422 and "task" in r.json()["detail"]
