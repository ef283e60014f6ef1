import pytest

from emstd.eval.metrics import column_metrics, targets_check, unified_metrics


def rec(task, gold, pred, conf=0.9):
    return {"task": task, "input": f"x-{gold}-{pred}", "alias": "a", "gold": gold, "pred": pred, "confidence": conf}


UNIFIED = [
    rec("vehicle", "Passenger Car", "Passenger Car", 0.99),
    rec("vehicle", "Passenger Car", "Passenger Truck", 0.6),
    rec("vehicle", "Transit Bus", "Transit Bus", 0.95),
    rec("vehicle", "UNKNOWN", "UNKNOWN", 0.8),
    rec("vehicle", "UNKNOWN", "Motorcycle", 0.4),
    rec("pollutant", "NOx", "NOx", 0.99),
    rec("pollutant", "CO2", "UNKNOWN", 0.3),
    rec("pollutant", "UNKNOWN", "UNKNOWN", 0.98),
]


def test_unified_metrics_by_hand():
    m = unified_metrics(UNIFIED)
    assert m["vehicle_accuracy"] == pytest.approx(2 / 3, abs=1e-4)  # positives only: 2 of 3
    assert m["pollutant_accuracy"] == 0.5  # NOx right, CO2 wrong
    assert m["overall_accuracy"] == 0.625  # 5 of 8
    assert m["unknown_precision"] == pytest.approx(2 / 3, abs=1e-4)  # predicted UNKNOWN 3 times, 2 right
    assert m["unknown_recall"] == pytest.approx(2 / 3, abs=1e-4)  # 3 gold UNKNOWN, 2 found
    assert m["per_label"]["vehicle:Passenger Car"] == {"n": 2, "accuracy": 0.5}
    assert m["confusion"]["vehicle:Passenger Car"] == {"vehicle:Passenger Car": 1, "vehicle:Passenger Truck": 1}
    assert len(m["errors"]) == 3
    buckets = {(b["from"], b["n"]): b["accuracy"] for b in m["calibration"]}
    assert buckets[(0.0, 2)] == 0.0  # confidences 0.4 and 0.3: both wrong
    assert buckets[(0.97, 3)] == 1.0  # 0.99, 0.99, 0.98: all right


def test_column_metrics_by_hand():
    records = [
        {"headers": ["t", "v", "x"], "gold": {"t": "time_sec", "v": "speed_kph"},
         "pred": {"t": "time_sec", "v": "speed_kph", "x": None}, "valid_json": True},
        {"headers": ["len", "flow", "noise"], "gold": {"len": "link_length_km", "flow": "traffic_flow_vph"},
         "pred": {"len": "link_length_km", "flow": None, "noise": "link_id"}, "valid_json": False},
    ]
    m = column_metrics(records)
    assert m["column_exact_table"] == 0.5
    assert m["field_precision"] == 0.75  # 3 right of 4 predicted
    assert m["field_recall"] == 0.75  # 3 found of 4 expected
    assert m["field_f1"] == 0.75
    assert m["unmapped_accuracy"] == 0.5  # x left unmapped (right), noise mapped (wrong)
    assert m["json_valid_rate"] == 0.5
    assert m["per_field"]["traffic_flow_vph"] == {"n": 1, "recall": 0.0}
    assert {"header": "noise", "gold": None, "pred": "link_id"} in m["errors"]


def test_targets():
    t = targets_check({"vehicle_accuracy": 0.96, "pollutant_accuracy": 0.9})
    assert t["vehicle_accuracy"]["pass"] is True and t["pollutant_accuracy"]["pass"] is False
    assert "column_exact_table" not in t
