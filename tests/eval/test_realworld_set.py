"""The realworld set stays what it claims to be: held out from the catalog, with valid gold answers."""

import pytest

from emstd.catalog import load_catalog
from emstd.eval.realworld import SPLITS, catalog_surface_keys, split_of, surface_key, table_items, value_items


@pytest.mark.parametrize("task", ["vehicle", "pollutant"])
def test_no_realworld_name_is_a_catalog_alias_or_negative(task):
    held = catalog_surface_keys(load_catalog(), task)
    seen = [item.name for item in value_items(task) if surface_key(item.name) in held]
    assert seen == []


def test_surface_key_ignores_case_width_and_spacing_but_not_script():
    assert surface_key("ＣＯ2  Total") == surface_key("co2_total")
    assert surface_key("懸浮微粒") != surface_key("悬浮微粒")


@pytest.mark.parametrize("task,floor", [("vehicle", 250), ("pollutant", 120)])
def test_gold_answers_are_labels_or_null(task, floor):
    labels = set(load_catalog().labels(task)) | {None}
    items = value_items(task)
    assert len(items) >= floor
    assert [i.name for i in items if not set(i.gold) <= labels] == []
    assert len({i.name for i in items}) == len(items)  # no name twice
    assert any(i.gold == (None,) for i in items)  # "not a standard value" is part of the set


def test_tables_are_whole_rows_with_valid_gold():
    cat = load_catalog()
    tables = table_items()
    assert len(tables) >= 20
    for t in tables:
        assert set(t.gold) <= set(t.headers), t.source
        assert set(t.gold.values()) <= set(cat.column_targets(t.task)), t.source
        assert len(set(t.headers)) == len(t.headers), t.source


def test_split_is_a_stable_hash_and_both_halves_are_used():
    assert split_of("重型罐式货车") == split_of("重型罐式货车")
    for task in ("vehicle", "pollutant"):
        splits = {i.split for i in value_items(task)}
        assert splits == set(SPLITS)


COHORTS = ("first", "fresh", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth")


def test_table_cohorts_are_scored_apart():
    from emstd.eval.realworld_run import score_tables
    from emstd.infer.rules import RulesBackend

    tables = table_items()
    assert {t.cohort for t in tables} == set(COHORTS)
    assert all(sum(t.cohort == c for t in tables) >= 10 for c in COHORTS)
    scored = score_tables(RulesBackend(), tables, unseen=set())
    assert {c: v["n"] for c, v in scored["cohorts"].items()} == {
        c: sum(t.cohort == c for t in tables) for c in COHORTS}
    assert all(0.0 <= v["field_f1"] <= 1.0 for v in scored["cohorts"].values())


def test_value_cohorts_are_tallied_apart():
    from emstd.eval.realworld_run import score_values
    from emstd.infer.rules import RulesBackend

    for task in ("vehicle", "pollutant"):
        items = value_items(task)
        assert {i.cohort for i in items} == set(COHORTS)
        scored = score_values(RulesBackend(), items)["accuracy"]
        assert sum(scored[f"cohort:{c}"]["n"] for c in COHORTS) == scored["all"]["n"] == len(items)


def test_the_column_model_is_asked_once_per_table_and_each_answer_is_a_copy():
    from emstd.eval.realworld_run import _Remembered
    from emstd.infer.column_rules import HeaderMatch, default_column_rules

    calls = []

    class Model:
        def can(self, role):
            return role == "column"

        def map_columns(self, headers, samples=None, task=None):
            calls.append(list(headers))
            return default_column_rules().finish([HeaderMatch(h, None, "model", 0.5) for h in headers], samples, task)

    model = _Remembered(Model())
    first = model.map_columns(["a", "b"], {"a": ["1"]}, "macro")
    first.mapping["a"] = "changed"
    second = model.map_columns(["a", "b"], {"a": ["1"]}, "macro")
    model.map_columns(["a", "c"], None, "macro")
    assert calls == [["a", "b"], ["a", "c"]] and second.mapping["a"] is None and model.can("column")
