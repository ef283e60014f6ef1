import pytest

from emstd.catalog import MIN_ALIASES, Catalog, load_catalog
from emstd.catalog.models import Decision
from emstd.catalog.normalize import key
from emstd.errors import CatalogError

MOVES = {11: "Motorcycle", 21: "Passenger Car", 31: "Passenger Truck", 32: "Light Commercial Truck", 41: "Intercity Bus",
         42: "Transit Bus", 43: "School Bus", 51: "Refuse Truck", 52: "Single Unit Short-haul Truck",
         53: "Single Unit Long-haul Truck", 54: "Motor Home", 61: "Combination Short-haul Truck",
         62: "Combination Long-haul Truck"}


def test_standard_values():
    cat = load_catalog()
    assert {v.id: v.label for v in cat.vehicles} == MOVES
    assert cat.labels("pollutant") == ["CO2", "CO", "NOx", "PM2.5", "PM10", "THC", "SO2"]
    assert cat.field_names("micro") == ["time_sec", "speed_kph", "acceleration_mps2", "grade_pct"]
    assert cat.field_names("macro") == ["link_id", "link_length_km", "traffic_flow_vph", "avg_speed_kph"]
    assert cat.answer_set("vehicle")[-1] == "UNKNOWN"
    assert set(cat.column_targets("macro")) >= set(MOVES.values())


@pytest.mark.parametrize("task, floor", [("vehicle", MIN_ALIASES["vehicle"]), ("pollutant", MIN_ALIASES["pollutant"]),
                                         ("column", MIN_ALIASES["field"])])
def test_alias_floors(task, floor):
    cat = load_catalog()
    for label, aliases in cat.aliases(task).items():
        assert len({key(a) for a in aliases + [label]}) >= floor, label


def test_naming_families_are_covered():
    cat = load_catalog()
    families = set().union(*(v.aliases.keys() for v in cat.vehicles))
    assert {"moves", "fhwa", "cn_registration", "cn_survey", "cn_toll", "cn_everyday", "eu", "copert_hbefa",
            "dataset"} <= families
    assert {"en", "zh", "ja", "formula", "column"} <= set().union(*(p.aliases.keys() for p in cat.pollutants))


def test_negatives_are_plentiful_and_disjoint_from_aliases():
    cat = load_catalog()
    for task in ("vehicle", "pollutant", "column"):
        negs = cat.negative_names(task)
        assert len(negs) >= 40
        for n in negs:
            assert cat.lookup(task, key(n)) == (True, None), n


def test_policy_decisions_are_recorded():
    cat = load_catalog()
    decided = {(d.task, d.alias): d.label for d in cat.decisions}
    assert decided[("vehicle", "小型客车")] == "Passenger Car"
    assert decided[("pollutant", "颗粒物")] == "PM2.5"
    assert decided[("pollutant", "VOC")] is None
    assert all(d.reason.strip() for d in cat.decisions)


def test_inconsistent_catalog_is_rejected():
    cat = load_catalog()
    bad = Decision(task="vehicle", alias="小汽车", label="Motorcycle", reason="wrong on purpose")
    with pytest.raises(CatalogError, match="小汽车"):
        Catalog(cat.vehicles, cat.pollutants, cat.fields, cat.fleet_mix, cat.negatives, [bad])
