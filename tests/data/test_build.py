import json
import random

import pytest

from emstd.catalog import load_catalog
from emstd.data.build import build_dataset
from emstd.data.split import SPLITS, group_key, split_aliases


def _rows(d, name):
    return [json.loads(line) for line in (d / name).read_text(encoding="utf-8").splitlines()]


@pytest.mark.slow
def test_sizes_and_stats(dataset_dir):
    stats = json.loads((dataset_dir / "stats.json").read_text())
    assert sum(stats["unified"]["sizes"].values()) >= 5000
    assert sum(stats["column"]["sizes"].values()) >= 1500
    for model in ("unified", "column"):
        for split in SPLITS:
            assert stats[model]["sizes"][split] == len(_rows(dataset_dir, f"{model}_{split}.jsonl"))
            assert {"p50", "p90", "p99", "max"} <= set(stats[model]["tokens"][split])
    assert stats["unified"]["tokens"]["train"]["max"] <= 256
    assert stats["column"]["tokens"]["train"]["max"] <= 512


@pytest.mark.slow
def test_split_ratios_are_close_to_85_10_5(dataset_dir):
    stats = json.loads((dataset_dir / "stats.json").read_text())
    sizes = stats["unified"]["sizes"]
    total = sum(sizes.values())
    assert 0.78 < sizes["train"] / total < 0.9
    assert 0.03 < sizes["test"] / total < 0.1


@pytest.mark.slow
def test_no_alias_shared_between_splits(dataset_dir):
    keys = {}
    for split in SPLITS:
        keys[split] = {(r["meta"]["task"], group_key(r["meta"]["alias"], r["meta"]["task"]))
                       for r in _rows(dataset_dir, f"unified_{split}.jsonl")}
    assert not keys["train"] & keys["test"]
    assert not keys["train"] & keys["eval"]
    assert not keys["eval"] & keys["test"]


@pytest.mark.slow
def test_every_label_in_every_split(dataset_dir):
    cat = load_catalog()
    for split in SPLITS:
        seen = {(r["meta"]["task"], r["meta"]["label"]) for r in _rows(dataset_dir, f"unified_{split}.jsonl")}
        for task in ("vehicle", "pollutant"):
            assert {(task, label) for label in cat.answer_set(task)} <= seen


@pytest.mark.slow
def test_record_contract(dataset_dir):
    row = _rows(dataset_dir, "unified_train.jsonl")[0]
    assert [m["role"] for m in row["messages"]] == ["system", "user", "assistant"]
    assert set(row["meta"]) == {"task", "label", "alias", "aug", "value", "candidates"}
    first = row["messages"][1]["content"].split("\n")[0]
    assert first == f"[{row['meta']['task']}] {row['meta']['value']}"
    assert len(row["meta"]["candidates"]) == 3
    col = _rows(dataset_dir, "column_train.jsonl")[0]
    assert set(col["meta"]) == {"task", "label", "alias", "aug", "headers", "samples"}
    headers = col["meta"]["headers"]
    answer = json.loads(col["messages"][2]["content"])
    assert set(answer) <= set(headers)


@pytest.mark.slow
def test_augmentations_are_used(dataset_dir):
    augs = {r["meta"]["aug"].split("+")[0] for r in _rows(dataset_dir, "unified_train.jsonl")}
    assert {"none", "context", "modifier", "case", "spacing", "fullwidth", "typo", "mixed", "units"} <= augs
    negatives = [r for r in _rows(dataset_dir, "unified_train.jsonl") if r["meta"]["label"] == "UNKNOWN"]
    assert negatives and all(r["messages"][2]["content"] == "UNKNOWN" for r in negatives)


@pytest.mark.slow
def test_column_examples_cover_fleet_mix_noise_and_samples(dataset_dir):
    rows = _rows(dataset_dir, "column_train.jsonl")
    cat = load_catalog()
    vehicle_labels = set(cat.labels("vehicle"))
    assert any(set(json.loads(r["messages"][2]["content"]).values()) & vehicle_labels for r in rows)
    assert any("\nsamples: " in r["messages"][1]["content"] for r in rows)
    # noise columns: some headers are left out of the answer
    assert any(len(r["meta"]["headers"]) > len(json.loads(r["messages"][2]["content"])) for r in rows)


@pytest.mark.slow
def test_deterministic_for_a_seed(tmp_path, dataset_dir):
    build_dataset(tmp_path, seed=42, progress=lambda m: None)
    for name in ("unified_test.jsonl", "column_eval.jsonl", "stats.json"):
        assert (tmp_path / name).read_bytes() == (dataset_dir / name).read_bytes()


def test_split_aliases_property():
    rng = random.Random(1)
    by_label = {f"L{i}": [f"name{i}_{j}" for j in range(rng.randint(3, 40))] for i in range(10)}
    out = split_aliases(by_label, "vehicle", seed=3)
    for label, parts in out.items():
        assert sorted(parts["train"] + parts["eval"] + parts["test"]) == sorted(by_label[label])
        assert parts["test"] and parts["eval"] and parts["train"]
    assert out == split_aliases(dict(reversed(list(by_label.items()))), "vehicle", seed=3)


@pytest.mark.parametrize("a,b", [("Light Duty Vehicles", "light-duty vehicle"), ("Rigid lorries", "rigid lorry"),
                                 ("School buses", "school bus")])
def test_a_plural_and_its_singular_are_one_alias_group(a, b):
    """The rules read an English plural as its singular, so the split must keep both in one split (else a train
    name answers a test name)."""
    assert group_key(a, "vehicle") == group_key(b, "vehicle")


def test_words_the_augmenter_mixes_in_are_never_held_out():
    """The augmenter writes "车辆", "vehicle", "排放" beside other names; were such a word a held-out negative, the
    training inputs would hold it ("沥青洒布车车辆") and the dataset check would call it a leak (it did, once the
    catalog's negatives grew and the shuffle moved 车辆 into test)."""
    from emstd.catalog import load_catalog
    from emstd.data.augment import MIXED_WORDS
    from emstd.data.split import group_key, split_aliases, task_pools

    for task in ("vehicle", "pollutant"):
        pools = task_pools(load_catalog(), task, 42)
        held = {group_key(a, task) for by_split in pools.values() for s in ("eval", "test") for a in by_split[s]}
        assert not held & {group_key(w, task) for w in MIXED_WORDS[task]}
    names = ["a1", "b2", "c3", "d4", "e5", "f6", "g7", "h8"]
    split = split_aliases({"X": names}, "vehicle", 1, pinned=frozenset({"a1", "b2", "c3"}))
    assert {"a1", "b2", "c3"} <= set(split["X"]["train"]) and split["X"]["test"] and split["X"]["eval"]
