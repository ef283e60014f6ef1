"""Column headers in other languages and the identifiers of processing tools (made-up headers of each class, none
from the realworld tables)."""

import pytest

from emstd.infer.column_rules import ColumnRules


@pytest.fixture(scope="module")
def rules():
    return ColumnRules()


@pytest.mark.parametrize("header,field", [
    ("velocidad media (km/h)", "avg_speed_kph"), ("intensidad horaria", "traffic_flow_vph"),
    ("vitesse moyenne", "avg_speed_kph"), ("longueur du tronçon (m)", "link_length_km"),
    ("Durchschnittsgeschwindigkeit", "avg_speed_kph"), ("gemiddelde snelheid", "avg_speed_kph"),
    ("구간거리", "link_length_km"), ("평균속도", "avg_speed_kph"), ("liikennemäärä", "traffic_flow_vph"),
])
def test_headers_in_other_languages_read_as_their_english(rules, header, field):
    m = rules.match_header(header)
    assert (m.target, m.method) == (field, "gloss")


def test_a_glossed_header_keeps_the_unit_it_was_written_in(rules):
    assert rules.match_header("velocidad media (mph)").unit == "mph"


@pytest.mark.parametrize("header,field", [
    ("<a> [m/s2]", "acceleration_mps2"),  # VECTO-style names in angle brackets
    ("speed_smoothed", "speed_kph"), ("accel_filtered", "acceleration_mps2"), ("timestamp_utc", "time_sec"),
])
def test_bracketed_names_and_processing_words(rules, header, field):
    assert rules.match_header(header).target == field


@pytest.mark.parametrize("header,label", [
    ("Pkw_R2", "Passenger Car"), ("Lfw_R1", "Light Commercial Truck"), ("Krad_R2", "Motorcycle"),
    ("buses_sb", "Transit Bus"),
])
def test_a_direction_after_a_class_count_keeps_the_class(rules, header, label):
    assert rules.match_header(header, ["12", "30"]).target == label


def test_a_german_total_count_is_the_flow(rules):
    assert rules.match_header("Kfz_R1").target == "traffic_flow_vph"


def test_a_counting_station_in_another_language_is_the_link_key(rules):
    mapping = rules.map_columns(["Zählstelle", "Datum", "Kfz", "Pkw", "Lkw"], task="macro").mapping
    assert mapping["Zählstelle"] == "link_id"
