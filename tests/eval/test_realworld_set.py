"""The realworld set stays what it claims to be: held out from the catalog, with valid gold answers."""

import pytest

from emstd.catalog import load_catalog
from emstd.catalog.normalize import key
from emstd.eval.realworld import SPLITS, split_of, table_items, value_items


@pytest.mark.parametrize("task", ["vehicle", "pollutant"])
def test_no_realworld_name_is_a_catalog_alias_or_negative(task):
    index = load_catalog().index[task]
    seen = [item.name for item in value_items(task) if key(item.name) in index]
    assert seen == []


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
