"""The realworld evaluation set: names and header rows from public sources the catalog was not built from.

Data lives beside this file (vehicles.yaml, pollutants.yaml, tables.yaml; docs/realworld.md says where each source
comes from). Every item carries its source and source family, so accuracy is reported per family, and a split:
`dev` items may be looked at while developing rules and retrieval, `test` items are only scored. The split is a
stable hash of the name, so it never changes when items are added elsewhere.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

SPLITS = ("dev", "test")


@dataclass(frozen=True)
class ValueItem:
    task: str  # vehicle | pollutant
    name: str
    gold: tuple[str | None, ...]  # every acceptable answer; (None,) for "not a standard value"
    source: str
    family: str
    split: str
    cohort: str = "first"  # "fresh": from sources collected after the rules were fixed against the first cohort

    def is_right(self, answer: str | None) -> bool:
        return answer in self.gold


@dataclass(frozen=True)
class TableItem:
    source: str
    family: str
    task: str  # micro | macro
    headers: tuple[str, ...]
    gold: dict  # header -> field or MOVES type label; headers not listed map to None
    samples: dict | None
    split: str
    cohort: str = "first"  # "fresh": collected after the column rules were fixed against the first cohort's errors

    def gold_of(self, header: str) -> str | None:
        return self.gold.get(header)


def surface_key(text: str) -> str:
    """A name up to case, width, HTML entities, spacing and punctuation: what "the same string" means for keeping the
    set held out. The normalizer's linguistic folding (Traditional -> Simplified Chinese, 一类 -> 1类) is not applied:
    that generalization is part of what the set measures."""
    import html
    import unicodedata

    from emstd.catalog.normalize import compact

    text = unicodedata.normalize("NFKC", html.unescape(text)).lower()
    return compact(" ".join(text.split()))


def catalog_surface_keys(catalog, task: str) -> set[str]:
    """surface_key of every label, alias and negative of a task ("vehicle", "pollutant" or "column")."""
    names = [n for item in catalog.items(task) for n in (item.standard, *item.all_aliases())]
    return {surface_key(n) for n in names + catalog.negative_names(task)}


def split_of(name: str) -> str:
    """dev or test, from a hash of the name: deterministic and independent of the other items."""
    return SPLITS[hashlib.sha256(name.encode("utf-8")).digest()[0] % 2]


def _read(name: str) -> dict:
    return yaml.safe_load(resources.files("emstd.eval.realworld").joinpath(name).read_text(encoding="utf-8"))


@lru_cache(maxsize=2)
def value_items(task: str) -> tuple[ValueItem, ...]:
    doc = _read({"vehicle": "vehicles.yaml", "pollutant": "pollutants.yaml"}[task])
    sources = doc["sources"]
    out = []
    for item in doc["items"]:
        gold = item["gold"]
        out.append(ValueItem(task, item["name"], tuple(gold) if isinstance(gold, list) else (gold,), item["source"],
                             sources[item["source"]]["family"], split_of(item["name"]),
                             sources[item["source"]].get("cohort", "first")))
    return tuple(out)


@lru_cache(maxsize=1)
def table_items() -> tuple[TableItem, ...]:
    return tuple(
        TableItem(t["source"], t["family"], t["task"], tuple(t["headers"]), dict(t.get("gold") or {}),
                  t.get("samples"), split_of(t["source"]), t.get("cohort", "first"))
        for t in _read("tables.yaml")["tables"]
    )


def sources(task: str) -> dict[str, dict]:
    """source id -> {family, title, url, note} for vehicle or pollutant items."""
    return _read({"vehicle": "vehicles.yaml", "pollutant": "pollutants.yaml"}[task])["sources"]
