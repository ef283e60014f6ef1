"""Uploads: the server's XLSX caps (413 naming the cap and its flag), parsing off the model worker, messages that
name the upload (never a server path or a CLI flag), and stale upload directories removed at start-up."""

import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time

import pytest
from serve_helpers import RecordingBackend, client_for, settings

from emstd.infer.standardizer import Standardizer
from emstd.serve.app import create_app
from tests.hostile import xlsx_bomb

pytestmark = pytest.mark.anyio

MICRO_CSV = "时间(s),车速(mph),车型\n0,10,大货车\n1,20,小轿车\n"


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


async def upload(app, name, content, **form):
    async with client_for(app) as c:
        return await c.post("/v1/tables", files={"file": (name, content)}, data=form)


# --- XLSX caps --------------------------------------------------------------------------------------------


@pytest.fixture
def parse_calls(monkeypatch):
    """Records every workbook openpyxl is asked to parse: a capped upload must never get that far."""
    import openpyxl

    calls, real = [], openpyxl.load_workbook
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **kw: calls.append(a) or real(*a, **kw))
    return calls


@pytest.mark.parametrize("caps, named", [
    ({"max_xlsx_mb": 5}, "the limit is max_xlsx_mb=5.0 (emstd serve --max-xlsx-mb)"),
    ({"max_xlsx_cells": 100_000}, "the limit is max_xlsx_cells=100000 (emstd serve --max-xlsx-cells)"),
])
async def test_xlsx_bomb_is_413_naming_the_cap_and_its_flag(caps, named, parse_calls, private_tmp):
    app = create_app(Standardizer(), settings(**caps))
    r = await upload(app, "bomb.xlsx", xlsx_bomb(1_000_000))  # ~40 KB that unpack to 17 MB of shared strings
    assert r.status_code == 413, r.text
    detail = r.json()["detail"]
    assert detail.startswith("file 'bomb.xlsx': ") and detail.endswith(named)
    assert "--max-xlsx" not in detail.replace("emstd serve --max-xlsx", "")
    assert parse_calls == []
    assert list(private_tmp.iterdir()) == []


async def test_xlsx_bomb_under_the_default_caps_is_refused_before_parsing(rules_app, parse_calls):
    r = await upload(rules_app, "bomb.xlsx", xlsx_bomb(1_000_000))
    assert 400 <= r.status_code < 500 and "shared strings" in r.json()["detail"]
    assert parse_calls == []


async def test_xlsx_caps_apply_to_a_workbook_under_another_name(parse_calls):
    """The reader goes by content, not by name: a workbook uploaded as .csv meets the same caps."""
    app = create_app(Standardizer(), settings(max_xlsx_mb=5))
    r = await upload(app, "bomb.csv", xlsx_bomb(1_000_000))
    assert r.status_code == 413 and "max_xlsx_mb=5.0" in r.json()["detail"]
    assert parse_calls == []


async def test_parquet_uploads_are_refused(rules_app, tmp_path):
    import pandas as pd

    path = tmp_path / "t.parquet"
    pd.DataFrame({"time": [1.0], "speed": [2.0]}).to_parquet(path)
    r = await upload(rules_app, "t.csv", path.read_bytes())
    assert r.status_code == 400 and r.json()["detail"].startswith("file 't.csv': ")
    assert "Parquet" in r.json()["detail"]


# --- parsing runs off the model worker ----------------------------------------------------------------------


async def test_a_table_being_parsed_does_not_hold_up_value_requests(monkeypatch):
    import emstd.infer.table_job as table_job

    backend = RecordingBackend()
    app = create_app(Standardizer(backend), settings(batch_window_ms=0))
    parsing, release, parse_threads = threading.Event(), threading.Event(), []
    real = table_job.open_table

    def slow_open(path, **kw):
        parse_threads.append(threading.current_thread().name)
        parsing.set()
        release.wait(60)
        return real(path, **kw)

    monkeypatch.setattr(table_job, "open_table", slow_open)
    async with client_for(app) as c:
        table = asyncio.ensure_future(c.post("/v1/tables", files={"file": ("t.csv", MICRO_CSV.encode())}))
        assert await asyncio.to_thread(parsing.wait, 30)
        try:
            # a deadlock detector, not a latency threshold: behind the parse, this would wait for `release`
            value = await asyncio.wait_for(c.post("/v1/standardize", json={"task": "vehicle", "values": ["x"]}), 30)
            parsing_still = not table.done()
        finally:
            release.set()
        answered = await table
    assert value.status_code == 200 and parsing_still
    assert answered.status_code == 200, answered.text
    assert parse_threads[0].startswith("emstd-table")
    # the table's column map and value columns still went through the single model worker
    assert len(backend.threads) >= 2 and all(t.startswith("emstd-model") for t in backend.threads)
    assert backend.max_active == 1


# --- messages name the upload and the form field ------------------------------------------------------------


@pytest.mark.parametrize("name, content, form, says", [
    ("t.csv", b"", {}, "empty"),
    ("t.xlsx", b"this is not a workbook", {}, "not a .xlsx file"),
    ("t.csv", b"a,b\n1,2\n", {"sheet": "s1"}, "the form field 'sheet' applies to Excel files only"),
    ("t.csv", b"1,2\n3,4\n", {}, "no header row"),
    ("t.csv", b"a,a\n1,2\n", {}, "duplicate column names"),
    ("t.csv", b"\x00\x01\x02\x03" * 100, {}, "binary"),
    ("t.xlsx", b"PK\x03\x04broken zip", {}, "not a readable .xlsx file"),
])
async def test_upload_errors_name_the_upload_never_a_server_path_or_a_flag(rules_app, private_tmp, name, content,
                                                                            form, says):
    r = await upload(rules_app, name, content, **form)
    assert r.status_code == 400, r.text
    detail = r.json()["detail"]
    assert detail.startswith(f"file {name!r}") and says in detail
    for leak in (str(private_tmp), "emstd-upload", "input.", "standardized.", "--"):
        assert leak not in detail


async def test_missing_sheet_names_the_upload_and_the_sheets(rules_app, tmp_path):
    import pandas as pd

    src = tmp_path / "t.xlsx"
    pd.DataFrame({"time": ["0"]}).to_excel(src, index=False, sheet_name="data")
    r = await upload(rules_app, "links.xlsx", src.read_bytes(), sheet="nope")
    assert r.status_code == 400
    assert r.json()["detail"] == "file 'links.xlsx': no sheet named 'nope'; the sheets are ['data']."


async def test_notes_speak_of_form_fields(rules_app):
    sumo = ("timestep_time;vehicle_angle;vehicle_id;vehicle_lane;vehicle_pos;vehicle_slope;vehicle_speed;"
            "vehicle_type;vehicle_x;vehicle_y\n0.00;90.00;veh0;e1_0;5.10;0.00;10.00;passenger;5.10;-1.60\n")
    table = await upload(rules_app, "fcd.csv", sumo.encode(), task="macro")
    async with client_for(rules_app) as c:
        columns = await c.post("/v1/map-columns", json={"headers": sumo.split("\n")[0].split(";"), "task": "macro"})
    assert table.status_code == 200 and columns.status_code == 200
    for notes in (table.json()["report"]["notes"], columns.json()["notes"]):
        assert any(n.startswith("task macro given") for n in notes), notes
        assert not any("--" in n for n in notes)


# --- stale upload directories -------------------------------------------------------------------------------


def dead_pid() -> int:
    return int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True).stdout)


def test_stale_upload_dirs_are_removed_at_start_up_and_nothing_else(private_tmp, tmp_path):
    from starlette.testclient import TestClient

    hour_ago = time.time() - 3600
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        time.sleep(0.05)  # let it start before the directory it holds is made

        def make(name, mtime=None, file=True):
            path = private_tmp / name
            path.mkdir()
            if file:
                (path / "input.csv").write_text("secret,data\n")
            if mtime:
                os.utime(path, (mtime, mtime))
            return path

        make(f"emstd-upload-{dead_pid()}-abcd1234")           # ours: its process is gone (kill -9)
        make("emstd-upload-k2j4h5g6", mtime=hour_ago)         # ours, named before pids were in the name
        make(f"emstd-upload-{sleeper.pid}-reused", mtime=hour_ago)  # older than the live process with that pid
        kept = {
            make(f"emstd-upload-{sleeper.pid}-held").name,    # held by a live process
            make(f"emstd-upload-{os.getpid()}-mine").name,    # this very process made it after it started
            make("other-app-upload").name,                    # someone else's
            make("emstd-uploads", mtime=hour_ago).name,       # another prefix
        }
        (private_tmp / "emstd-upload-notes.txt").write_text("a file, not our directory")
        outside = tmp_path / "outside"
        outside.mkdir()
        (outside / "keep.txt").write_text("not ours")
        (private_tmp / "emstd-upload-link").symlink_to(outside)
        kept |= {"emstd-upload-notes.txt", "emstd-upload-link"}

        with TestClient(create_app(Standardizer(), settings())) as client:
            assert client.get("/health").status_code == 200
        assert {p.name for p in private_tmp.iterdir()} == kept
        assert (outside / "keep.txt").exists()
    finally:
        sleeper.kill()
        sleeper.wait()


async def test_upload_workdirs_carry_the_server_pid(rules_app, private_tmp, monkeypatch):
    from emstd.serve import uploads

    seen = []
    real = uploads.private_workdir

    def recording():
        workdir = real()
        seen.append(os.path.basename(workdir.name))
        return workdir

    monkeypatch.setattr(uploads, "private_workdir", recording)
    r = await upload(rules_app, "t.csv", MICRO_CSV.encode())
    assert r.status_code == 200
    assert seen and seen[0].startswith(f"emstd-upload-{os.getpid()}-")


async def test_a_workbook_without_its_sheet_part_is_400(rules_app, tmp_path):
    """Found by feeding damaged workbooks: the sheet named in workbook.xml but missing from the zip was a 500."""
    import io
    import zipfile

    import pandas as pd

    plain = tmp_path / "t.xlsx"
    pd.DataFrame({"time": ["1"]}).to_excel(plain, index=False)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w") as dst:
        for member in src.infolist():
            if member.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(member, src.read(member))
    r = await upload(rules_app, "nosheet.xlsx", out.getvalue())
    assert r.status_code == 400 and r.json()["detail"].startswith("file 'nosheet.xlsx': ")
