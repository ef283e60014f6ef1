from emstd.infer.auto import AutoBackend
from emstd.infer.column_rules import default_column_rules, HeaderMatch
from emstd.infer.rules import Answer
from emstd.infer.standardizer import Standardizer


class RecordingModel:
    """A model backend double that records what reaches it and answers a fixed label."""

    name = "fake"

    def __init__(self, roles=("unified", "column")):
        self.values, self.tables, self.retrieved = [], [], []
        self.roles = roles

    def can(self, role):
        return role in self.roles

    def standardize_values(self, values, task, retrieved=None):
        self.values.append(list(values))
        self.retrieved.append(retrieved)
        return [Answer(v, "Passenger Car", "model", 0.8) for v in values]

    def map_columns(self, headers, samples=None, task=None):
        self.tables.append(list(headers))
        matches = [HeaderMatch(h, "traffic_flow_vph" if h.startswith("zzz_thing") else None, "model", 0.7)
                   for h in headers]
        return default_column_rules().finish(matches, samples, task)


def test_only_unsettled_values_reach_the_model():
    model = RecordingModel()
    auto = AutoBackend(model)
    answers = Standardizer(auto).standardize(["重卡", "自行车", "blorptruckish", ""], "vehicle")
    assert model.values == [["blorptruckish"]]
    assert answers[0].standard == "Combination Long-haul Truck" and answers[0].method == "exact"
    assert answers[1].standard is None and answers[1].method == "negative"
    assert answers[2].method == "model"
    assert answers[3].method == "empty"


def test_no_model_call_when_rules_settle_everything():
    model = RecordingModel()
    AutoBackend(model).standardize_values(["NOX", "CO₂"], "pollutant")
    AutoBackend(model).map_columns(["时间", "车速"])
    assert model.values == [] and model.tables == []


def test_model_fills_only_unsettled_headers():
    model = RecordingModel()
    headers = ["路段长度", "zzz_thing (veh/h)", "平均车速"]
    m = AutoBackend(model).map_columns(headers)
    assert model.tables == [headers]
    assert m.mapping == {"路段长度": "link_length_km", "zzz_thing (veh/h)": "traffic_flow_vph", "平均车速": "avg_speed_kph"}
    assert m.methods["路段长度"] in ("exact", "normalized") and m.methods["zzz_thing (veh/h)"] == "model"


def test_a_model_without_a_column_adapter_leaves_tables_to_rules():
    model = RecordingModel(roles=("unified",))
    m = AutoBackend(model).map_columns(["路段长度", "zzz_thing"])
    assert model.tables == [] and m.mapping["zzz_thing"] is None


class FakeIndex:
    """Retrieval double: the nearest label is a fixed one, with a fixed confidence."""

    def __init__(self, label="Transit Bus", confidence=0.95, threshold=0.5):
        from emstd.data.retrieval import Calibration

        self.label, self.confidence, self.searched = label, confidence, []
        self.calibration = {t: Calibration(1, 1, 0, threshold, 1.0, 1) for t in ("vehicle", "pollutant", "column")}

    def search(self, values, task, k=3):
        from emstd.data.retrieval import Candidate, Retrieved

        self.searched.append(list(values))
        return [Retrieved((Candidate(self.label, "alias", 0.9),), self.confidence) for _ in values]

    def answer(self, retrieved, task):
        return retrieved.label if retrieved.confidence >= self.calibration[task].threshold else None


def test_nothing_is_loaded_for_a_batch_the_rules_settle():
    from emstd.infer.auto import Lazy

    built = []
    model = Lazy(lambda: built.append("model") or RecordingModel())
    index = Lazy(lambda: built.append("retrieval") or FakeIndex())
    auto = AutoBackend(model, index, model_roles=("unified",))
    answers = Standardizer(auto).standardize(["重卡", "自行车", "CNG 公交车", ""], "vehicle")
    assert built == [] and [a.method for a in answers][:2] == ["exact", "negative"]


def test_retrieval_settles_what_it_is_sure_of_and_the_model_gets_the_rest_with_candidates():
    from emstd.infer.auto import Lazy

    built = []
    model = Lazy(lambda: built.append("model") or RecordingModel())
    sure = AutoBackend(model, FakeIndex(confidence=0.95), model_roles=("unified",), model_threshold=0.9)
    answers = sure.standardize_values(["blorptruckish"], "vehicle")
    assert answers[0].standard == "Transit Bus" and answers[0].method == "retrieval" and built == []
    unsure = AutoBackend(model, FakeIndex(confidence=0.6), model_roles=("unified",), model_threshold=0.9)
    answers = unsure.standardize_values(["blorptruckish"], "vehicle")
    assert answers[0].method == "model" and built == ["model"]
    recorded = model.get()
    assert recorded.values == [["blorptruckish"]] and recorded.retrieved[0][0].candidates[0].label == "Transit Bus"


def test_without_a_model_retrieval_below_its_threshold_abstains():
    auto = AutoBackend(retrieval=FakeIndex(confidence=0.3, threshold=0.5))
    answer = auto.standardize_values(["blorptruckish"], "vehicle")[0]
    assert answer.standard is None and answer.method == "retrieval"
    auto = AutoBackend(retrieval=FakeIndex(confidence=0.7, threshold=0.5))
    assert auto.standardize_values(["blorptruckish"], "vehicle")[0].standard == "Transit Bus"


def test_a_model_answer_under_the_floor_gives_way_to_what_retrieval_alone_says():
    # The model answers at 0.8 (RecordingModel). Under a floor of 0.85 auto keeps retrieval's own answer: its label
    # where retrieval clears its calibrated threshold (0.6 >= 0.5), else its abstention (0.3 < 0.5).
    above = AutoBackend(RecordingModel(), FakeIndex(confidence=0.6), model_threshold=0.9, model_floor=0.85)
    assert [(a.standard, a.method) for a in above.standardize_values(["blorptruckish"], "vehicle")] == [
        ("Transit Bus", "retrieval")]
    below = AutoBackend(RecordingModel(), FakeIndex(confidence=0.3), model_threshold=0.9, model_floor=0.85)
    assert [(a.standard, a.method) for a in below.standardize_values(["blorptruckish"], "vehicle")] == [
        (None, "retrieval")]
    trusted = AutoBackend(RecordingModel(), FakeIndex(confidence=0.3), model_threshold=0.9, model_floor=0.8)
    assert [(a.standard, a.method) for a in trusted.standardize_values(["blorp passenger"], "vehicle")] == [
        ("Passenger Car", "model")]  # a word of the name ("passenger") names the type retrieval abstained on


def test_naming_a_type_where_retrieval_alone_abstains_needs_the_abstain_floor():
    # The model answers "Passenger Car" at 0.8. Where retrieval alone would name its label (0.6 >= 0.5) the model
    # floor (0.5) applies; where retrieval alone abstains (0.3 < 0.5) the higher abstain floor (0.9) does.
    picks = AutoBackend(RecordingModel(), FakeIndex(confidence=0.6), model_threshold=0.9, model_floor=0.5,
                        abstain_floor=0.9)
    assert picks.standardize_values(["blorptruckish"], "vehicle")[0].method == "model"
    abstains = AutoBackend(RecordingModel(), FakeIndex(confidence=0.3), model_threshold=0.9, model_floor=0.5,
                           abstain_floor=0.9)
    assert [(a.standard, a.method) for a in abstains.standardize_values(["blorptruckish"], "vehicle")] == [
        (None, "retrieval")]


class HeaderModel(RecordingModel):
    """A column-model double with fixed answers per header (what the SmolLM2 column adapter did on real tables)."""

    def __init__(self, answers, confidence=0.8):
        super().__init__()
        self.answers, self.confidence = answers, confidence

    def map_columns(self, headers, samples=None, task=None):
        self.tables.append(list(headers))
        matches = [HeaderMatch(h, self.answers.get(h), "model", self.confidence) for h in headers]
        return default_column_rules().finish(matches, samples, task)


def test_the_column_model_fills_only_unmapped_headers_and_only_with_a_field_they_support():
    model = HeaderModel({"小型货车": "Single Unit Short-haul Truck",  # the rules' fleet_name guess (0.7) stands
                         "qqq (km/h)": "avg_speed_kph",                  # unmapped, its unit supports the field
                         "zzz_thing": "traffic_flow_vph",                # unmapped, nothing supports it: dropped
                         "LXBM": "Light Commercial Truck"})              # fleet mix without share-like values
    headers = ["路段长度", "zzz_thing", "qqq (km/h)", "LXBM", "小型货车"]
    samples = {"LXBM": ["G15", "S20"], "qqq (km/h)": ["30", "40"]}
    m = AutoBackend(model).map_columns(headers, samples, "macro")
    assert model.tables == [headers]
    assert m.mapping == {"路段长度": "link_length_km", "zzz_thing": None, "qqq (km/h)": "avg_speed_kph", "LXBM": None,
                         "小型货车": "Light Commercial Truck"}
    assert m.methods["qqq (km/h)"] == "model" and m.methods["小型货车"] == "fleet_name"


def test_a_model_fleet_type_needs_a_header_that_reads_as_that_type_and_a_flow_is_not_fractions():
    """What the SmolLM2 column adapter did on real tables: a two-letter code with share-like values taken for a
    motor home, a fraction column taken for the flow, a g/sec column for an acceleration."""
    model = HeaderModel({"QX": "Motor Home", "小客车": "Passenger Car", "shareOfHour": "traffic_flow_vph",
                         "airflow[g/sec]": "acceleration_mps2"})
    headers = ["link_id", "QX", "小客车", "shareOfHour", "airflow[g/sec]"]
    samples = {"QX": ["3.5", "1.2"], "小客车": ["40", "35"], "shareOfHour": ["0.62", "0.05"],
               "airflow[g/sec]": ["4.1", "7.9"]}
    m = AutoBackend(model).map_columns(headers, samples, "macro")
    assert m.mapping["QX"] is None and m.mapping["shareOfHour"] is None and m.mapping["airflow[g/sec]"] is None
    assert m.mapping["小客车"] == "Passenger Car"


def test_the_column_model_never_gives_a_second_header_a_field_the_rules_gave():
    # a load percentage the model calls the flow would displace the flow the rules found; a speed class "0 - 10 mph"
    # would displace the mean speed; FASTSim's m/s column is no acceleration
    model = HeaderModel({"ocupación": "traffic_flow_vph", "0 - 10 mph": "avg_speed_kph",
                         "cycVelMps": "acceleration_mps2"}, confidence=0.99)  # surer than the rules' 0.9
    headers = ["tramo", "intensidad", "ocupación", "avg speed", "0 - 10 mph", "cycVelMps"]
    samples = {"intensidad": ["300", "420"], "ocupación": ["12", "40"], "0 - 10 mph": ["3", "0"], "cycVelMps": ["1.5", "9"]}
    m = AutoBackend(model).map_columns(headers, samples, "macro")
    assert m.mapping["intensidad"] == "traffic_flow_vph" and m.mapping["ocupación"] is None
    assert m.mapping["avg speed"] == "avg_speed_kph" and m.mapping["0 - 10 mph"] is None
    assert m.mapping["cycVelMps"] is None


def test_a_class_of_a_quantity_or_another_quantitys_unit_supports_no_field():
    from emstd.infer.column_rules import plausible_field

    assert not plausible_field("avg_speed_kph", "20 - 30 km/h", ["4", "7"])
    assert not plausible_field("link_length_km", ">= 16,0m", ["2", "9"])
    assert not plausible_field("acceleration_mps2", "wheelSpeedMps", ["1.2", "3.4"])
    assert plausible_field("avg_speed_kph", "avg (km/h)", None)


def test_a_less_sure_model_does_not_overturn_the_type_retrieval_alone_names():
    # retrieval alone names Transit Bus at 0.6 (its threshold 0.5); the model says Passenger Car at 0.8 (RecordingModel):
    # surer, it stands; a model at 0.3 would not
    sure = AutoBackend(RecordingModel(), FakeIndex(confidence=0.6), model_threshold=0.9)
    assert sure.standardize_values(["blorptruckish"], "vehicle")[0].method == "model"

    class Unsure(RecordingModel):
        def standardize_values(self, values, task, retrieved=None):
            return [Answer(v, "Passenger Car", "model", 0.3) for v in values]

    unsure = AutoBackend(Unsure(), FakeIndex(confidence=0.6), model_threshold=0.9)
    assert [(a.standard, a.method) for a in unsure.standardize_values(["blorptruckish"], "vehicle")] == [
        ("Transit Bus", "retrieval")]


def test_a_model_answer_a_latin_pollutant_code_does_not_spell_gives_way():
    """The model is held to the check retrieval is held to: "QXMASS" spells no name of CO, so a model's CO for it
    gives way to what retrieval alone says (here: an abstention)."""
    from emstd.infer.auto import defers_to_retrieval

    assert defers_to_retrieval("CO", 0.99, None, 0.1, "QXMASS_PT1H", "pollutant")
    assert not defers_to_retrieval("CO2", 0.99, None, 0.1, "plco2an", "pollutant")
    assert not defers_to_retrieval("Passenger Car", 0.99, None, 0.1, "QXMASS sedan", "vehicle")


def test_a_model_that_names_a_type_where_retrieval_abstains_needs_a_word_of_the_name_behind_it():
    """A null trap ("hazmat", "Formula 1") turned into a type by the model gives way to retrieval's abstention;
    a name one of whose words (or its gloss's) is a word of the type's catalog names keeps the model's answer."""
    from emstd.infer.auto import defers_to_retrieval

    assert defers_to_retrieval("Transit Bus", 0.9, None, 0.1, "zorbmat carriers", "vehicle")
    assert defers_to_retrieval("Motorcycle", 0.9, None, 0.1, "Formula 2", "vehicle")
    assert not defers_to_retrieval("Single Unit Short-haul Truck", 0.9, None, 0.1, "all_lorries_count", "vehicle")
    assert not defers_to_retrieval("Transit Bus", 0.9, None, 0.1, "autobuses urbanos", "vehicle")  # by its gloss
    # where retrieval itself names a type, only the confidence rule applies
    assert not defers_to_retrieval("Transit Bus", 0.9, "Intercity Bus", 0.5, "zorbmat carriers", "vehicle")
