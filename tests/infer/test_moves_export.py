import json
import subprocess
import sys

import pandas as pd
import pytest

from emstd.errors import InputFileError
from emstd.infer.moves_export import MARKER
from emstd.infer.standardizer import Standardizer
from emstd.infer.table_job import standardize_table
from tests.infer.profile_samples import write


def _moves(src, out, **kw):
    return standardize_table(Standardizer(), src, out, to="moves", **kw)


def test_a_moves_link_table_round_trips_with_identical_values(tmp_path):
    src = write("moves_link.csv", tmp_path)
    report = _moves(src, tmp_path / "moves")
    back = pd.read_csv(tmp_path / "moves" / "link.csv")
    original = pd.read_csv(src)
    assert list(back.columns) == list(original.columns)
    pd.testing.assert_frame_equal(back, original, check_dtype=False)
    assert report["moves"]["tables"] == {"link.csv": 2}
    assert (tmp_path / "moves" / "link.csv").read_text().splitlines()[1].split(",")[4] == "1.996"


def test_the_issue_check_km_forward_miles_back(tmp_path):
    src = write("moves_link.csv", tmp_path)
    standardize_table(Standardizer(), src, tmp_path / "km.csv", convert_units=True)
    assert pd.read_csv(tmp_path / "km.csv")["link_length_km"][0] == pytest.approx(3.212, abs=5e-4)
    _moves(tmp_path / "km.csv", tmp_path / "moves", road_type=4, county=26161)
    assert pd.read_csv(tmp_path / "moves" / "link.csv", dtype=str)["linkLength"].tolist() == ["1.996", "0.25"]


def test_a_chinese_link_table_with_fleet_mix_becomes_link_and_source_type_tables(tmp_path):
    src = tmp_path / "links.csv"
    src.write_text("路段ID,长度(m),流量(辆/小时),平均速度(km/h),小汽车比例,公交车比例,重型货车比例\n"
                   "A1,1609.344,1200,48.28032,80,5,15\nA2,804.672,600,96.56064,90,10,0\n", encoding="utf-8")
    report = _moves(src, tmp_path / "m", road_type=5, county=26161)
    link = pd.read_csv(tmp_path / "m" / "link.csv")
    assert link["linkID"].tolist() == ["A1", "A2"] and link["roadTypeID"].tolist() == [5, 5]
    assert link["linkLength"].tolist() == pytest.approx([1.0, 0.5]) and link["linkAvgSpeed"].tolist() == pytest.approx([30, 60])
    assert link["zoneID"].tolist() == [261610, 261610]
    shares = pd.read_csv(tmp_path / "m" / "linkSourceTypeHour.csv")
    assert shares.groupby("linkID")["sourceTypeHourFraction"].sum().tolist() == pytest.approx([1.0, 1.0])
    a1 = shares[shares.linkID == "A1"].set_index("sourceTypeID")["sourceTypeHourFraction"].to_dict()
    assert a1[21] == pytest.approx(0.8) and a1[42] == pytest.approx(0.05)  # Passenger Car, Transit Bus
    assert report["moves"]["fraction_sum_tolerance"] == pytest.approx(1e-3)


def test_shares_that_do_not_sum_to_one_name_the_link(tmp_path):
    src = tmp_path / "links.csv"
    src.write_text("link_id,length_km,volume_vph,speed_kph,小汽车比例,公交车比例\n"
                   "L1,1,100,30,80,20\nL2,1,100,30,70,20\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"link L2: the source-type shares sum to 0\.9, not 1 \(tolerance 0\.001\)"):
        _moves(src, tmp_path / "m", road_type=5, county=1)
    assert not (tmp_path / "m").exists()  # nothing half-written


def test_a_linksourcetypehour_table_is_checked_per_link(tmp_path):
    report = _moves(write("moves_linkSourceTypeHour.csv", tmp_path), tmp_path / "m")
    assert report["moves"]["tables"] == {"linkSourceTypeHour.csv": 4}
    bad = tmp_path / "bad.csv"
    bad.write_text("linkID,sourceTypeID,sourceTypeHourFraction\n7,21,0.5\n7,32,0.2\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="link 7: .*sum to 0.7"):
        _moves(bad, tmp_path / "m2")


def test_second_by_second_data_becomes_a_drive_schedule(tmp_path):
    src = tmp_path / "trace.csv"
    src.write_text("时间(s),车速(km/h),坡度(%)\n0,0,0\n1,16.09344,1.5\n2,32.18688,2\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="needs a link id: add a linkID column, or pass --link-id"):
        _moves(src, tmp_path / "m")
    _moves(src, tmp_path / "m2", link_id="9")
    drive = pd.read_csv(tmp_path / "m2" / "driveScheduleSecondLink.csv")
    assert drive.columns.tolist() == ["linkID", "secondID", "speed", "grade"]
    assert drive["speed"].tolist() == pytest.approx([0, 10, 20]) and drive["grade"].tolist() == [0, 1.5, 2]


def test_a_moves_drive_schedule_round_trips(tmp_path):
    src = write("moves_driveScheduleSecondLink.csv", tmp_path)
    _moves(src, tmp_path / "m")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "m" / "driveScheduleSecondLink.csv"), pd.read_csv(src),
                                  check_dtype=False)


@pytest.mark.parametrize("kw, words", [
    ({"county": 1}, "link needs roadTypeID: add a roadTypeID column, or pass --road-type N"),
    ({"road_type": 4}, "link needs countyID: add a countyID column, or pass --county N"),
    ({"road_type": 9, "county": 1}, "--road-type 9: MOVES road types are 1"),
])
def test_missing_moves_inputs_name_the_column_and_the_flag(tmp_path, kw, words):
    src = tmp_path / "l.csv"
    src.write_text("link_id,length_km,volume_vph,speed_kph\nL1,1,100,30\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=words.replace("(", r"\(").replace(")", r"\)")):
        _moves(src, tmp_path / "m", **kw)


def test_a_non_empty_directory_not_made_by_emstd_is_refused_and_kept(tmp_path):
    src = write("moves_link.csv", tmp_path)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("keep me")
    with pytest.raises(InputFileError, match="not empty and was not written by emstd"):
        _moves(src, mine)
    assert [p.name for p in mine.iterdir()] == ["thesis.docx"]
    _moves(src, tmp_path / "again")
    _moves(src, tmp_path / "again")  # its own output directory may be rewritten
    assert (tmp_path / "again" / MARKER).exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    _moves(src, empty)
    assert (empty / "link.csv").exists()


def test_cli_to_moves(tmp_path):
    src = write("moves_link.csv", tmp_path)
    r = subprocess.run([sys.executable, "-m", "emstd.cli", "standardize-table", str(src), "--to", "moves", "--out",
                        str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "link.csv (2 rows)" in r.stdout
    assert json.loads((tmp_path / "out" / "report.json").read_text())["profile"] == "moves_link"
