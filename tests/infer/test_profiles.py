import json

import pandas as pd
import pytest

from emstd.infer.profiles import match_profile
from emstd.infer.standardizer import Standardizer
from emstd.infer.table_job import standardize_table
from emstd.infer.tables import open_table, samples_of
from tests.infer.profile_samples import FILES, MOVES_LINK, write

# file -> (profile, task, {header: (field, unit)})
EXPECTED = {
    "moves_link.csv": ("moves_link", "macro", {"linkID": ("link_id", None), "linkLength": ("link_length_km", "mi"),
                                               "linkVolume": ("traffic_flow_vph", "veh/h"),
                                               "linkAvgSpeed": ("avg_speed_kph", "mph"), "roadTypeID": (None, None)}),
    "moves_linkSourceTypeHour.csv": ("moves_linkSourceTypeHour", "macro", {"linkID": ("link_id", None)}),
    "moves_driveScheduleSecondLink.csv": ("moves_driveScheduleSecondLink", "micro",
                                          {"secondID": ("time_sec", "s"), "speed": ("speed_kph", "mph"),
                                           "grade": ("grade_pct", "%"), "linkID": (None, None)}),
    "moves_opModeDistribution.csv": ("moves_opModeDistribution", "macro", {"linkID": ("link_id", None)}),
    "moves_offNetworkLink.csv": ("moves_offNetworkLink", "macro", {"zoneID": (None, None)}),
    "moves_movesoutput.csv": ("moves_movesoutput", "macro", {"linkID": ("link_id", None)}),
    "moves_rateperdistance.csv": ("moves_rateperdistance", "macro", {"linkID": ("link_id", None)}),
    "sumo_fcd.csv": ("sumo_fcd", "micro", {"timestep_time": ("time_sec", "s"), "vehicle_speed": ("speed_kph", "m/s"),
                                           "vehicle_slope": ("grade_pct", "deg"), "vehicle_x": (None, "m")}),
    "sumo_edgedata.csv": ("sumo_edgedata", "macro", {"edge_id": ("link_id", None),
                                                     "edge_speed": ("avg_speed_kph", "m/s")}),
    "sumo_emissions.csv": ("sumo_emissions", "micro", {"vehicle_speed": ("speed_kph", "m/s"),
                                                       "vehicle_CO2": (None, "mg")}),
    "ngsim.csv": ("ngsim", "micro", {"Global_Time": ("time_sec", "epoch_ms"), "v_Vel": ("speed_kph", "ft/s"),
                                     "v_Acc": ("acceleration_mps2", "ft/s2"), "Local_Y": (None, "ft")}),
    "highd_tracks.csv": ("highd_tracks", "micro", {"frame": ("time_sec", "frame25"), "xVelocity": ("speed_kph", "m/s"),
                                                   "xAcceleration": ("acceleration_mps2", "m/s2")}),
    "ind_tracks.csv": ("ind_tracks", "micro", {"lonVelocity": ("speed_kph", "m/s")}),
    "pems_station_5min.txt": ("pems_station_5min", "macro", {"Station": ("link_id", None),
                                                             "Total Flow": ("traffic_flow_vph", "veh/5min"),
                                                             "Avg Speed": ("avg_speed_kph", "mph"),
                                                             "Lane 2 Flow": (None, None)}),
    "vissim.fzp": ("vissim_fzp", "micro", {"SIMSEC": ("time_sec", "s"), "SPEED": ("speed_kph", "km/h"),
                                           "ACCELERATION": ("acceleration_mps2", "m/s2"), "VEHTYPE": (None, None)}),
    "matsim_emissions_per_link.csv": ("matsim_emissions_per_link", "macro", {"linkId": ("link_id", None)}),
    "matsim_emissions_per_link_per_m.csv": ("matsim_emissions_per_link_per_m", "macro", {"linkId": ("link_id", None)}),
}


def test_every_sample_layout_has_an_expectation():
    assert set(EXPECTED) == set(FILES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_profile_is_recognized_with_its_units(tmp_path, name):
    profile, task, fields = EXPECTED[name]
    source = open_table(write(name, tmp_path))
    cmap = Standardizer().map_columns(source.headers, samples_of(source.head()), None)
    assert cmap.profile == profile and cmap.task == task
    for header, (field, unit) in fields.items():
        assert (cmap.mapping[header], cmap.units[header]) == (field, unit), header
    assert cmap.to_dict()["profile"] == profile


@pytest.mark.parametrize("name, column, expected", [
    ("moves_link.csv", "link_length_km", [3.212251, 0.402336]),            # miles
    ("moves_link.csv", "avg_speed_kph", [48.28032, 55.522368]),             # mph
    ("ngsim.csv", "speed_kph", [43.8912, 43.8912]),                          # ft/s
    ("ngsim.csv", "acceleration_mps2", [0.0, 0.3048]),                       # ft/s2
    ("ngsim.csv", "time_sec", [0.0, 0.1]),                                   # epoch ms from the first
    ("highd_tracks.csv", "time_sec", [0.04, 1.04]),                          # 25 frames per second
    ("highd_tracks.csv", "speed_kph", [147.06, 147.132]),                    # m/s
    ("sumo_fcd.csv", "speed_kph", [36.0, 45.0]),                              # m/s
    ("sumo_fcd.csv", "grade_pct", [0.0, 1.745506]),                           # degrees of slope
    ("pems_station_5min.txt", "traffic_flow_vph", [1032.0, 1080.0]),         # vehicles per 5 minutes
    ("pems_station_5min.txt", "avg_speed_kph", [107.504179, 104.60736]),     # mph
    ("vissim.fzp", "speed_kph", [48.2, 48.6, 35.0]),                          # km/h already
])
def test_profile_units_convert(tmp_path, name, column, expected):
    out = tmp_path / "o.csv"
    standardize_table(Standardizer(), write(name, tmp_path), out, convert_units=True)
    got = pd.read_csv(out)[column].tolist()
    assert got == pytest.approx(expected, abs=1e-6)


def test_the_issue_moves_link_length_is_miles(tmp_path):
    out = tmp_path / "o.csv"
    report = standardize_table(Standardizer(), write("moves_link.csv", tmp_path), out, convert_units=True)
    assert pd.read_csv(out)["link_length_km"][0] == pytest.approx(3.212, abs=5e-4)
    assert report["profile"] == "moves_link"
    assert any("MOVES" in n for n in report["notes"])


def test_a_header_unit_that_contradicts_the_profile_wins_and_is_reported(tmp_path):
    p = tmp_path / "link.csv"
    p.write_text(MOVES_LINK.replace("linkLength,", "linkLength (km),", 1), encoding="utf-8")
    source = open_table(p)
    cmap = Standardizer().map_columns(source.headers, samples_of(source.head()), None)
    assert cmap.profile == "moves_link" and cmap.units["linkLength (km)"] == "km"
    assert any("header says km" in n and "documents mi" in n for n in cmap.notes)


def test_profiles_win_over_value_guesses():
    # epoch-like values under a profile's "s" column stay seconds
    from emstd.infer.profiles import profile_mapping

    headers = ["linkID", "secondID", "speed", "grade"]
    cmap = profile_mapping(match_profile(headers), headers, None)
    assert cmap.units["secondID"] == "s"


@pytest.mark.parametrize("headers", [
    ["linkID", "linkLength", "linkVolume"],                                   # a required column missing
    ["linkID", "countyID", "roadTypeID", "linkLength", "linkVolume", "linkAvgSpeed", "my_notes"],  # an extra one
])
def test_near_misses_are_not_profiles(headers):
    assert match_profile(headers) is None


def test_vissim_header_prefix_and_preamble(tmp_path):
    source = open_table(write("vissim.fzp", tmp_path))
    assert source.headers[:2] == ["SIMSEC", "NO"] and source.delimiter == ";"
    assert len(source.head()) == 3


def test_map_columns_json_names_the_profile(tmp_path):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "emstd.cli", "map-columns", str(write("sumo_fcd.csv", tmp_path)),
                        "--json"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["profile"] == "sumo_fcd" and out["mapping"]["vehicle_speed"] == "speed_kph"
