"""Headers of the long tail: identifiers as simulators and data sets write them, link keys without an id column,
bare class names and totals as a count table's columns. The headers are made up in the style of each class (none is
a realworld header), so the rules are tested, not memorised."""

import pytest

from emstd.infer.column_rules import default_column_rules
from emstd.infer.header_words import header_words


def _map(headers, samples=None, task=None):
    return default_column_rules().map_columns(headers, samples, task)


def _one(header):
    return default_column_rules().match_header(header)


def test_header_words_split_camel_case_and_separators():
    assert header_words("precedingXVelocity") == ["preceding", "x", "velocity"]
    assert header_words("LANE\\LINK\\NO") == ["lane", "link", "no"]
    assert header_words("veh_accelMps2") == ["veh", "accel", "mps2"]
    assert header_words("SEGMENTKEY") == ["segmentkey"]


@pytest.mark.parametrize("header,field", [
    ("probe_speed", "speed_kph"), ("car_velocity", "speed_kph"), ("veh_Vel", "speed_kph"),
    ("longitudinalAccel", "acceleration_mps2"), ("trip_slope", "grade_pct"), ("edge_no", "link_id"),
])
def test_the_last_named_word_is_the_quantity(header, field):
    got = _one(header)
    assert (got.target, got.method) == (field, "head_word")


@pytest.mark.parametrize("header", [
    "edge_departures",      # a link word before a quantity the catalog does not name: not the link key
    "v_Height",             # a one-letter vehicle prefix: not a speed
    "leaderVelocity",       # another vehicle's speed
    "followingAcceleration",
    "latAcceleration",      # a lateral component
    "yVelocity",
    "costPerDistance",      # a denominator
    "fuelPerLength",
])
def test_a_prefix_a_neighbour_a_side_axis_or_a_denominator_is_not_the_quantity(header):
    got = _one(header)
    assert (got.target, got.method) == (None, "not_the_quantity")


def test_an_x_component_stands_in_only_when_nothing_names_the_speed_better():
    alone = _map(["t", "xVelocity", "yVelocity"], task="micro")
    assert alone.mapping == {"t": "time_sec", "xVelocity": "speed_kph", "yVelocity": None}
    both = _map(["t", "xVelocity", "lonVelocity"], task="micro")
    assert both.mapping["lonVelocity"] == "speed_kph" and both.mapping["xVelocity"] is None
    assert both.methods["xVelocity"] == "duplicate"


def test_u_and_v_together_are_an_edges_end_nodes_and_v_alone_is_a_speed():
    graph = _map(["u", "v", "edge_key", "length"], samples={"length": ["120.5", "88.0"]})
    assert graph.mapping["u"] is None and graph.mapping["v"] is None
    assert graph.methods["v"] == "graph_endpoint" and any("end node" in n for n in graph.notes)
    assert _map(["t", "v", "a"]).mapping["v"] == "speed_kph"


def test_a_count_point_is_a_link_key_and_an_authoritys_id_is_not():
    m = _map(["counting_site_id", "council_id", "year", "flow"], task="macro")
    assert m.mapping["counting_site_id"] == "link_id" and m.mapping["council_id"] is None
    m = _map(["operator_id", "year", "flow"], task="macro")
    assert m.mapping["operator_id"] is None


def test_a_one_word_link_noun_is_the_key_only_when_no_id_column_exists():
    m = _map(["RUN", "SEGMENTNAME", "VOLUME", "SPEED"], task="macro")
    assert m.mapping["SEGMENTNAME"] == "link_id" and m.methods["SEGMENTNAME"] == "id_like"
    m = _map(["RUN", "SEGMENTNAME", "row_id", "VOLUME"], task="macro")  # an id column is the better key
    assert m.mapping["SEGMENTNAME"] is None and m.mapping["row_id"] == "link_id"


@pytest.mark.parametrize("header", ["total_vehicles", "ALL_VEHICLES", "机动车合计", "车辆总数"])
def test_a_total_of_every_vehicle_class_is_the_flow(header):
    m = _map(["link_id", header, "小客车", "大货车"], samples={header: ["980", "1210"]}, task="macro")
    assert m.mapping[header] == "traffic_flow_vph" and m.methods[header] == "vehicle_total"


def test_a_pcu_total_is_not_the_flow():
    m = _map(["link_id", "当量数合计", "小客车"], task="macro")
    assert m.mapping["当量数合计"] is None


@pytest.mark.parametrize("header,label", [
    ("motorcycles_and_mopeds", "Motorcycle"), ("taxis", "Passenger Car"), ("three_wheeled_motor_vehicles", "Motorcycle"),
    ("中客车", "Intercity Bus"), ("轻货车", "Light Commercial Truck"),
])
def test_bare_class_names_and_groups_are_a_count_tables_fleet_columns(header, label):
    m = _map(["link_id", "link_length_km", header], samples={header: ["120", "80"]}, task="macro")
    assert m.mapping[header] == label and m.methods[header] == "fleet_name"


def test_in_a_micro_table_a_mean_speed_stands_in_behind_the_speed():
    m = _map(["t", "mean_speed", "speed", "acc"], task="micro")
    assert m.mapping["speed"] == "speed_kph" and m.mapping["mean_speed"] is None
    assert _map(["t", "mean_speed", "acc"], task="micro").mapping["mean_speed"] == "speed_kph"  # alone, it serves


def test_a_road_number_is_a_route_not_a_link_key():
    m = _map(["segment_code", "road_no", "volume"], task="macro")
    assert m.mapping["road_no"] is None and m.mapping["segment_code"] == "link_id"


@pytest.mark.parametrize("header,label", [("hpms_vtype_10", "Motorcycle"), ("HPMSVTypeID60", "Combination Long-haul Truck")])
def test_hpms_vehicle_type_codes_are_fleet_columns(header, label):
    m = _map(["link_id", "aadt", header], samples={header: ["120", "80"]}, task="macro")
    assert m.mapping[header] == label


def test_a_header_written_as_one_run_of_words_is_read_word_by_word():
    m = _map(["linkid", "meantravelspeed", "hourlytrafficvolume"], task="macro")
    assert m.mapping == {"linkid": "link_id", "meantravelspeed": "avg_speed_kph",
                         "hourlytrafficvolume": "traffic_flow_vph"}
    assert m.methods["meantravelspeed"] == "segmented" and m.confidence["meantravelspeed"] <= 0.8


@pytest.mark.parametrize("header", ["Horizontal accuracy (m)", "speed_error", "accel_sigma", "gps_hdop"])
def test_a_statistic_of_a_measurement_is_not_the_quantity(header):
    assert _map(["time", header], task="micro").mapping[header] is None


def test_free_flow_speed_per_hour_totals_and_reported_aadt():
    m = _map(["LINK", "FF_SPEED", "CONG_SPEED", "TOTVOL_1HR", "AADT_RPT_QTY"], task="macro")
    assert m.mapping["FF_SPEED"] is None and m.mapping["CONG_SPEED"] == "avg_speed_kph"
    assert _map(["TOTVOL_1HR"], task="macro").mapping["TOTVOL_1HR"] == "traffic_flow_vph"
    assert _map(["seg", "AADT_RPT_QTY"], task="macro").mapping["AADT_RPT_QTY"] == "traffic_flow_vph"


def test_a_class_share_marked_prop_and_a_class_speed_marked_v():
    m = _map(["link", "HGV_Prop", "v_pkw"], task="macro")
    assert m.mapping["HGV_Prop"] == "Single Unit Short-haul Truck" and m.mapping["v_pkw"] is None


def test_g_force_written_gs_and_a_gis_row_number_retrieval_may_not_take():
    assert _map(["t", "Longitudinal Acceleration Gs"], task="micro").mapping["Longitudinal Acceleration Gs"] == \
        "acceleration_mps2"
    from emstd.infer.column_rules import plausible_field
    assert not plausible_field("link_id", "OBJECTID", None) and plausible_field("link_id", "SEGMENT_ID", None)
