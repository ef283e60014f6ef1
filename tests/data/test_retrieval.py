"""The retrieval layer: deterministic answers, an on-disk index keyed by the catalog, calibration held out, and
candidate prompts that are the same in training and inference."""

import json

import pytest

from emstd.catalog import load_catalog
from emstd.data.retrieval import Candidate, Retrieved, RetrievalIndex
from emstd.prompts import unified_candidates, unified_messages

NAMES = ["重型罐式货车", "school coach", "dwutlenek węgla", "自行车", "blorptruckish"]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return RetrievalIndex(cache_dir=tmp_path_factory.mktemp("retrieval"))


def test_same_catalog_same_answers_from_a_fresh_index_and_its_cache(index):
    said = []
    again = RetrievalIndex(cache_dir=index.cache_file.parent, say=said.append)
    assert said == []  # loaded from the cache, nothing rebuilt
    for task in ("vehicle", "pollutant"):
        assert again.search(NAMES, task) == index.search(NAMES, task)
    assert again.calibration == index.calibration


def test_a_changed_catalog_gets_its_own_index(index):
    cat = load_catalog()
    vehicles = list(cat.vehicles)
    truck = vehicles[-1]
    vehicles[-1] = truck.model_copy(update={"aliases": {**truck.aliases, "user": ["blorptruckish"]}})
    changed = type(cat)(vehicles, cat.pollutants, cat.fields, cat.fleet_mix, cat.negatives, cat.decisions)
    assert changed.fingerprint() != cat.fingerprint()
    other = RetrievalIndex(changed, cache_dir=index.cache_file.parent)
    assert other.cache_file != index.cache_file and other.cache_file.exists()
    found = other.search(["blorptruckish"], "vehicle")[0]
    assert found.candidates[0] == Candidate(truck.label, "blorptruckish", 1.0)


def test_candidates_are_one_per_label_best_first_and_negatives_count(index):
    found = index.search(["自行车"], "vehicle")[0]
    labels = [c.label for c in found.candidates]
    assert labels[0] is None and len(set(labels)) == len(labels) == 3  # "not a standard value" is a candidate
    sims = [c.similarity for c in found.candidates]
    assert sims == sorted(sims, reverse=True)


def test_calibration_was_fitted_on_held_out_names_and_is_monotone(index):
    for task in ("vehicle", "pollutant", "column"):
        cal = index.calibration[task]
        assert cal.n > 100 and 0 <= cal.threshold <= 1.01
        assert cal.probability(0.9, 0.2) > cal.probability(0.5, 0.0)  # closer and more distinct: more likely right


@pytest.mark.slow  # reads the built dataset (a ~12 s build)
def test_the_candidate_prompt_is_identical_in_training_and_inference(dataset_dir, index):
    """Inference renders a name's prompt from Retrieved objects (LocalBackend, RemoteBackend); training records were
    rendered from the same candidates as lists. Both paths must give the same text, token for token."""
    rows = [json.loads(line) for line in (dataset_dir / "unified_train.jsonl").read_text(encoding="utf-8").splitlines()]
    for row in rows[:50]:
        meta = row["meta"]
        retrieved = Retrieved.from_record(meta["candidates"], index.calibration[meta["task"]])
        [pairs] = unified_candidates(None, [meta["value"]], meta["task"], [retrieved])
        assert unified_messages(meta["task"], meta["value"], candidates=pairs) == row["messages"][:2]


@pytest.mark.slow  # reads the built dataset (a ~12 s build)
def test_training_examples_never_retrieve_their_own_alias_group(dataset_dir):
    from emstd.data.split import group_key

    rows = [json.loads(line) for line in (dataset_dir / "unified_train.jsonl").read_text(encoding="utf-8").splitlines()]
    for row in rows:
        meta = row["meta"]
        own = group_key(meta["alias"], meta["task"])
        assert all(group_key(alias, meta["task"]) != own for _, alias, _ in meta["candidates"]), meta


def test_the_cache_is_keyed_by_the_recipes_code_too(tmp_path, monkeypatch):
    """A changed split, augmentation or fit changes the calibration without touching the catalog: such a cache
    must not be reused (one was, with a calibration two commits old)."""
    import emstd.data.retrieval as R

    recipe = R.recipe_fingerprint()
    assert recipe in {R.recipe_fingerprint()} and recipe != R.recipe_fingerprint(R.RECIPE_MODULES[:-1])
    assert recipe[:12] in RetrievalIndex(cache_dir=tmp_path).cache_file.name
    monkeypatch.setattr(R, "recipe_fingerprint", lambda modules=R.RECIPE_MODULES: "0" * 64)
    said = []
    RetrievalIndex(cache_dir=tmp_path, say=said.append)
    assert any("building the index" in s for s in said)  # another recipe: built anew, not loaded


def test_a_latin_pollutant_code_that_spells_none_of_the_labels_names_gets_no_label(index):
    """Latin-script pollutant codes are matched by spelling, not meaning ("QXMASS" lands near any formula):
    retrieval abstains unless the name spells one of the top label's catalog names. Other scripts and vehicle
    names are not held to this."""
    coded, spelled = index.search(["QXMASS_PT1H", "emis_co2_kt"], "pollutant")
    assert coded.candidates and not coded.supported and coded.label is None
    assert index.answer(coded, "pollutant") is None
    assert spelled.supported and spelled.label == "CO2"
    korean, phrase = index.search(["이산화황 농도", "anidrido solforoso"], "pollutant")
    assert korean.supported and phrase.supported
    (vehicle,) = index.search(["QXMASS_PT1H"], "vehicle")
    assert vehicle.supported


def test_the_lexical_check_is_the_same_for_dataset_records(index):
    """Evaluation replays a record's retrieval from its stored candidates: the check applies there as in use."""
    from emstd.data.retrieval import lexically_supported

    (found,) = index.search(["QXMASS_PT1H"], "pollutant")
    record = [[c.label, c.alias, c.similarity] for c in found.candidates]
    replayed = Retrieved.from_record(record, index.calibration["pollutant"], "QXMASS_PT1H", "pollutant")
    assert replayed.supported == found.supported == lexically_supported(
        load_catalog(), "pollutant", "QXMASS_PT1H", found.candidates[0].label)
