"""The routing threshold: where auto stops trusting retrieval and asks the model, chosen on eval records."""

from emstd.catalog import UNKNOWN
from emstd.data.retrieval import Calibration
from emstd.eval.routing import choose_model_threshold
from emstd.infer.rules import Answer

CAL = {t: Calibration(a=10.0, b=0.0, c=-5.0, threshold=0.5, eval_accuracy=1.0, n=1) for t in ("vehicle", "pollutant")}


# values hold a word of the type they are (city, school): a model that names a type where retrieval abstains
# needs one (infer/auto.defers_to_retrieval)
def record(value, label, top_label, similarity):
    return {"meta": {"task": "vehicle", "label": label, "value": value,
                     "candidates": [[top_label, "alias", similarity], ["Motorcycle", "m", 0.1]]}}


class Oracle:
    """A model double: right on the names it knows, wrong elsewhere."""

    uses_candidates = True

    def __init__(self, knows):
        self.knows, self.seen = knows, []

    def standardize_values(self, values, task, retrieved=None):
        self.seen.append(retrieved)
        return [Answer(v, gold if v in self.knows else "Motor Home", "model", 0.9) for v, gold in
                ((v, self.knows.get(v)) for v in values)]


ROWS = [record("a", "Passenger Car", "Passenger Car", 0.9),      # retrieval sure and right
        record("city b", "Transit Bus", "Passenger Car", 0.3),        # retrieval unsure and wrong
        record("school c", "School Bus", "Passenger Car", 0.45)]        # retrieval unsure and wrong


def test_a_model_right_where_retrieval_is_unsure_gets_the_unsure_names():
    routing = choose_model_threshold(Oracle({"city b": "Transit Bus", "school c": "School Bus"}), ROWS, CAL)
    assert routing["accuracy"] == {"retrieval_alone": 0.3333, "model_alone": 0.6667, "routed": 1.0}
    assert 0.5 < routing["model_threshold"] <= 0.99  # above c's confidence, at or below a's


def test_a_model_that_is_never_right_is_never_asked():
    routing = choose_model_threshold(Oracle({}), ROWS, CAL)
    assert routing["model_threshold"] == 0.0 and routing["accuracy"]["routed"] == routing["accuracy"]["retrieval_alone"]


def test_the_model_sees_the_records_own_candidates():
    model = Oracle({})
    choose_model_threshold(model, ROWS, CAL)
    assert [r.candidates[0].similarity for r in model.seen[0]] == [0.9, 0.3, 0.45]


class Unsure:
    """A model double with a confidence per answer: {value: (answer, confidence)}."""

    uses_candidates = True

    def __init__(self, answers):
        self.answers = answers

    def standardize_values(self, values, task, retrieved=None):
        return [Answer(v, self.answers[v][0], "model", self.answers[v][1]) for v in values]


def test_an_unsure_model_answer_gives_way_to_retrievals_own_abstention():
    rows = [record("a", "Passenger Car", "Passenger Car", 0.9),   # retrieval sure and right
            record("city b", "Transit Bus", "Passenger Car", 0.3),     # retrieval unsure and wrong; the model sure, right
            record("d", UNKNOWN, "Passenger Car", 0.3)]           # not a standard value: retrieval abstains (right)
    model = Unsure({"a": ("Passenger Car", 0.95), "city b": ("Transit Bus", 0.9), "d": ("Motor Home", 0.4)})
    routing = choose_model_threshold(model, rows, CAL)
    assert routing["accuracy"] == {"retrieval_alone": 0.6667, "model_alone": 0.6667, "routed": 1.0}
    # d is an abstention the model would override: its floor rises above d's 0.4, the other floor need not
    assert 0.4 < routing["abstain_floor"] and routing["model_floor"] <= 0.9
    assert 0.12 < routing["model_threshold"] <= 0.9821  # above b and d, at or below a (0.982)


def test_without_unsure_mistakes_the_floor_stays_at_zero():
    routing = choose_model_threshold(Oracle({"city b": "Transit Bus", "school c": "School Bus"}), ROWS, CAL)
    assert routing["model_floor"] == 0.0


def test_what_eval_writes_is_what_auto_reads(tmp_path):
    from emstd.eval.routing import write_routing
    from emstd.infer.auto import routing_options, saved_routing

    assert saved_routing(tmp_path) is None
    assert routing_options(None) == {"model_threshold": None, "model_floor": 0.0, "abstain_floor": 0.0}
    routing = choose_model_threshold(Oracle({"city b": "Transit Bus", "school c": "School Bus"}), ROWS, CAL)
    write_routing(tmp_path, routing)
    assert saved_routing(tmp_path) == routing
    assert routing_options(saved_routing(tmp_path)) == {"model_threshold": routing["model_threshold"],
                                                        "model_floor": routing["model_floor"],
                                                        "abstain_floor": routing["abstain_floor"]}


def test_a_routing_written_before_the_abstain_floor_uses_one_floor():
    from emstd.infer.auto import routing_options

    assert routing_options({"model_threshold": 0.5, "model_floor": 0.4})["abstain_floor"] == 0.4


def test_naming_a_type_where_retrieval_abstains_can_take_a_higher_floor():
    # a and b: the model, surer than retrieval (0.73), rightly picks among labels; d: less sure, it names a type for
    # a name that is no standard value, where retrieval alone abstained (right)
    rows = [record("a", "Transit Bus", "Passenger Car", 0.6), record("city b", "School Bus", "Passenger Car", 0.6),
            record("d", UNKNOWN, "Passenger Car", 0.3)]
    model = Unsure({"a": ("Transit Bus", 0.8), "city b": ("School Bus", 0.8), "d": ("Motor Home", 0.7)})
    routing = choose_model_threshold(model, rows, CAL)
    assert routing["accuracy"]["routed"] == 1.0
    assert routing["model_floor"] <= 0.7 < routing["abstain_floor"]


def test_the_routing_is_chosen_with_the_model_deferring_to_a_surer_retrieval():
    # b: retrieval alone names its (wrong) type at 0.73; the model is right but less sure (0.5): auto keeps
    # retrieval's answer, and the routing's accuracy counts it so
    rows = [record("city b", "Transit Bus", "Passenger Car", 0.6)]
    routing = choose_model_threshold(Unsure({"city b": ("Transit Bus", 0.5)}), rows, CAL)
    assert routing["accuracy"]["routed"] == 0.0
