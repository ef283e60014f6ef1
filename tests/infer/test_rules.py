import random
import string

import pytest

from emstd.catalog import load_catalog
from emstd.infer.rules import MAX_VALUE_CHARS, default_engine

VEHICLES = [
    ("小汽车", "Passenger Car"), ("小型客车", "Passenger Car"), ("轿车", "Passenger Car"), ("Passenger Car", "Passenger Car"),
    ("passenger  car", "Passenger Car"), ("ＳＵＶ", "Passenger Truck"), ("皮卡", "Passenger Truck"),
    ("大货车", "Single Unit Short-haul Truck"), ("重卡", "Combination Long-haul Truck"),
    ("国六柴油重卡", "Combination Long-haul Truck"), ("半挂牵引车", "Combination Long-haul Truck"),
    ("公交车", "Transit Bus"), ("新能源公交车", "Transit Bus"), ("校车", "School Bus"), ("垃圾车", "Refuse Truck"),
    ("房车", "Motor Home"), ("摩托车", "Motorcycle"), ("查询大货车的排放", "Single Unit Short-haul Truck"),
    ("sourceTypeID 21", "Passenger Car"), ("21", "Passenger Car"), ("62", "Combination Long-haul Truck"),
    ("FHWA Class 9", "Combination Long-haul Truck"), ("class 2", "Passenger Car"),
    ("K33", "Passenger Car"), ("H11", "Single Unit Short-haul Truck"), ("M1", "Passenger Car"),
    ("N1", "Light Commercial Truck"), ("Pasenger Car", "Passenger Car"),  # typo -> fuzzy
    ("Combination Long-haul Truck", "Combination Long-haul Truck"), ("motor home", "Motor Home"),
]
POLLUTANTS = [
    ("NOX", "NOx"), ("氮氧化物排放", "NOx"), ("NO<sub>x</sub>", "NOx"), ("NOₓ", "NOx"), ("nox_grams_per_mile", "NOx"),
    ("CO₂", "CO2"), ("CO2(total)", "CO2"), ("二氧化碳排放量（万吨）", "CO2"), ("一氧化碳", "CO"), ("CO", "CO"),
    ("PM2_5", "PM2.5"), ("PM₂.₅", "PM2.5"), ("细颗粒物", "PM2.5"), ("颗粒物", "PM2.5"), ("可吸入颗粒物", "PM10"),
    ("PM10", "PM10"), ("HC", "THC"), ("碳氢化合物", "THC"), ("二氧化硫排放量(万吨)", "SO2"), ("SO₂", "SO2"),
    ("pollutantID 3", "NOx"), ("pollutant 110", "PM2.5"), ("窒素酸化物", "NOx"),
]
VEHICLE_NEGATIVES = ["自行车", "电动自行车", "行人", "火车", "bicycle", "拖拉机", "飞机"]
POLLUTANT_NEGATIVES = ["NO2", "NO", "N2O", "CH4", "甲烷", "NH3", "O3", "VOC", "VOCs", "NMHC", "NMOG", "CO2e", "苯",
                       "black carbon", "pollutant 98"]


@pytest.mark.parametrize("text, label", VEHICLES)
def test_vehicle_names(text, label):
    assert default_engine().standardize(text, "vehicle").standard == label


@pytest.mark.parametrize("text, label", POLLUTANTS)
def test_pollutant_names(text, label):
    assert default_engine().standardize(text, "pollutant").standard == label


@pytest.mark.parametrize("text", VEHICLE_NEGATIVES)
def test_vehicle_negatives_are_not_forced_onto_a_label(text):
    a = default_engine().standardize(text, "vehicle")
    assert a.standard is None and a.method == "negative"


@pytest.mark.parametrize("text", POLLUTANT_NEGATIVES)
def test_pollutant_negatives_are_not_forced_onto_a_label(text):
    a = default_engine().standardize(text, "pollutant")
    assert a.standard is None and a.method in ("negative", "code")


def test_empty_unknown_and_long_values():
    e = default_engine()
    assert e.standardize("", "vehicle").method == "empty"
    assert e.standardize("   ", "pollutant").standard is None
    long = e.standardize("货车" * MAX_VALUE_CHARS, "vehicle")
    assert long.standard is None and long.method == "too_long"
    unknown = e.standardize("qwertyuiop", "vehicle")
    assert unknown.standard is None and unknown.method == "no_match" and unknown.confidence == 0.0


def test_methods_and_confidence_order():
    e = default_engine()
    exact = e.standardize("Passenger Car", "vehicle")
    fuzzy = e.standardize("Combinaton Long-haul Truck", "vehicle")
    assert fuzzy.standard == "Combination Long-haul Truck"
    assert exact.method == "exact" and exact.confidence == 1.0
    assert fuzzy.method == "fuzzy" and 0 < fuzzy.confidence < exact.confidence


def test_answers_are_always_catalog_labels_or_none():
    cat = load_catalog()
    e = default_engine()
    rng = random.Random(0)
    alphabet = string.ascii_letters + string.digits + " _-()%" + "车货客重轻小大型公交氮氧化物碳颗粒"
    for task in ("vehicle", "pollutant"):
        allowed = set(cat.labels(task)) | {None}
        for _ in range(300):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14)))
            assert e.standardize(text, task).standard in allowed


def test_every_catalog_alias_maps_to_its_own_label():
    cat = load_catalog()
    e = default_engine()
    for task in ("vehicle", "pollutant"):
        for label, aliases in cat.aliases(task).items():
            for alias in aliases:
                assert e.standardize(alias, task).standard == label, (task, alias)
        for neg in cat.negative_names(task):
            assert e.standardize(neg, task).standard is None, (task, neg)


@pytest.mark.parametrize("name,label", [("vehicle suv", "Passenger Truck"), ("object--vehicle--truck", "Single Unit Short-haul Truck"),
                                        ("vehicle/motorcycle", "Motorcycle"), ("vehicle_type_bus", "Transit Bus")])
def test_a_generic_word_beside_a_type_never_outweighs_it(name, label):
    """Label taxonomies write a class under its parents ("object--vehicle--truck"): "vehicle" alone is a
    placeholder (null), but beside a type it only says that the type is a vehicle."""
    got = default_engine().standardize(name, "vehicle")
    assert got.standard == label and got.confidence >= 0.9
