from emstd.infer.auto import AutoBackend
from emstd.infer.column_rules import default_column_rules, HeaderMatch
from emstd.infer.rules import Answer
from emstd.infer.standardizer import Standardizer


class RecordingModel:
    """A model backend double that records what reaches it and answers a fixed label."""

    name = "fake"

    def __init__(self, roles=("unified", "column")):
        self.values, self.tables = [], []
        self.roles = roles

    def can(self, role):
        return role in self.roles

    def standardize_values(self, values, task):
        self.values.append(list(values))
        return [Answer(v, "Passenger Car", "model", 0.8) for v in values]

    def map_columns(self, headers, samples=None, task=None):
        self.tables.append(list(headers))
        matches = [HeaderMatch(h, "link_id" if h == "zzz_key" else None, "model", 0.7) for h in headers]
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
    m = AutoBackend(model).map_columns(["路段长度", "zzz_key", "平均车速"])
    assert model.tables == [["路段长度", "zzz_key", "平均车速"]]
    assert m.mapping == {"路段长度": "link_length_km", "zzz_key": "link_id", "平均车速": "avg_speed_kph"}
    assert m.methods["路段长度"] in ("exact", "normalized") and m.methods["zzz_key"] == "model"


def test_a_model_without_a_column_adapter_leaves_tables_to_rules():
    model = RecordingModel(roles=("unified",))
    m = AutoBackend(model).map_columns(["路段长度", "zzz_key"])
    assert model.tables == [] and m.mapping["zzz_key"] is None
