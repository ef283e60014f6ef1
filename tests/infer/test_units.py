import numpy as np
import pytest

from emstd.catalog.normalize import fold
from emstd.infer import units as U


@pytest.mark.parametrize(
    "header, field, unit",
    [
        ("车速(km/h)", "speed_kph", "km/h"), ("speed_mph", "speed_kph", "mph"), ("v [m/s]", "speed_kph", "m/s"),
        ("v_Vel (ft/s)", "speed_kph", "ft/s"), ("accel (ft/s^2)", "acceleration_mps2", "ft/s2"),
        ("加速度(m/s²)", "acceleration_mps2", "m/s2"), ("坡度(°)", "grade_pct", "deg"), ("grade_deg", "grade_pct", "deg"),
        ("路段长度(m)", "link_length_km", "m"), ("length_mi", "link_length_km", "mi"), ("长度/km", "link_length_km", "km"),
        ("流量(辆/5分钟)", "traffic_flow_vph", "veh/5min"), ("volume veh/h", "traffic_flow_vph", "veh/h"),
        ("时间(ms)", "time_sec", "ms"), ("timestamp_ms", "time_sec", "epoch_ms"), ("time", "time_sec", None),
        ("坡度%", "grade_pct", "%"), ("平均速度(mph)", "avg_speed_kph", "mph"),
    ],
)
def test_unit_from_header(header, field, unit):
    assert U.unit_from_header(fold(header), field) == unit


def test_unit_from_values():
    assert U.unit_from_values(["1700000000000", "1700000001000"], "time_sec") == "epoch_ms"
    assert U.unit_from_values(["1700000000", "1700000001"], "time_sec") == "epoch_s"
    assert U.unit_from_values(["0", "1", "2"], "time_sec") is None
    assert U.unit_from_values(["0.012", "-0.03"], "grade_pct") == "fraction"
    assert U.unit_from_values(["1.2", "-3"], "grade_pct") is None
    assert U.share_unit_from_values(["0.2", "0.5"]) == "fraction"
    assert U.share_unit_from_values(["20", "50"]) == "%"


@pytest.mark.parametrize(
    "values, unit, field, expected",
    [
        ([60.0], "mph", "speed_kph", [96.56064]),
        ([10.0], "m/s", "speed_kph", [36.0]),
        ([100.0], "ft/s", "speed_kph", [109.728]),
        ([1.0], "ft/s2", "acceleration_mps2", [0.3048]),
        ([45.0], "deg", "grade_pct", [100.0]),
        ([0.05], "fraction", "grade_pct", [5.0]),
        ([1500.0], "m", "link_length_km", [1.5]),
        ([2.0], "mi", "link_length_km", [3.218688]),
        ([100.0], "veh/5min", "traffic_flow_vph", [1200.0]),
        ([2400.0], "veh/day", "traffic_flow_vph", [100.0]),
        ([1700000000000.0, 1700000002500.0], "epoch_ms", "time_sec", [0.0, 2.5]),
        ([1500.0], "ms", "time_sec", [1.5]),
    ],
)
def test_convert(values, unit, field, expected):
    np.testing.assert_allclose(U.convert(values, unit, field), expected, rtol=1e-9)


def test_conversion_for():
    assert U.conversion_for("km/h", "speed_kph") is None
    assert U.conversion_for("mph", "speed_kph").description == "x 1.60934"
    assert U.conversion_for("mph", "link_length_km") is None  # a speed unit cannot convert to a length


@pytest.mark.parametrize("header", ["MAF[g/sec]", "NOx g/km", "CO2 (g/mi)", "fuel g/s"])
def test_grams_per_something_is_a_mass_rate_not_g_force(header):
    assert U.unit_from_header(fold(header), "acceleration_mps2") is None


@pytest.mark.parametrize("header", ["accel (g)", "acc_g", "Acceleration Sensor(Z axis)(g)"])
def test_g_alone_is_still_g_force(header):
    assert U.unit_from_header(fold(header), "acceleration_mps2") == "g"


def test_epoch_microseconds_from_the_header_or_the_values_become_seconds_from_the_first():
    assert U.unit_from_header("ts_micros", "time_sec") == "us"
    assert U.unit_from_header("timestamp_micros", "time_sec") == "epoch_us"
    assert U.unit_from_values([1.7e15, 1.7e15 + 5e5], "time_sec") == "epoch_us"
    assert list(U.convert([1.7e15, 1.7e15 + 2.5e6], "epoch_us", "time_sec")) == [0.0, 2.5]
    assert U.conversion_for("epoch_us", "time_sec").target == "s"
