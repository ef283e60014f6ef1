"""The domain catalog: standard values, fields, aliases, negatives and documented decisions.

Data lives in YAML beside this file (catalog/data/*.yaml); `load_catalog()` reads it once into typed models and
builds the exact-match indices the rules engine and the dataset builder use.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

from emstd.catalog.models import (
    UNKNOWN,
    Decision,
    FleetMix,
    Negatives,
    Pollutant,
    SourceType,
    StandardField,
    Task,
)
from emstd.catalog.normalize import key
from emstd.errors import CatalogError

__all__ = ["Catalog", "load_catalog", "builtin_catalog", "UNKNOWN", "MIN_ALIASES"]

# The foundation issue's floor of distinct aliases per standard value (distinct after normalization).
MIN_ALIASES = {"vehicle": 30, "pollutant": 15, "field": 15}


def _read_yaml(name: str):
    text = resources.files("emstd.catalog").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@dataclass(eq=False)  # compared and hashed by identity: engines and indexes are cached per catalog object
class Catalog:
    vehicles: list[SourceType]
    pollutants: list[Pollutant]
    fields: list[StandardField]
    fleet_mix: FleetMix
    negatives: Negatives
    decisions: list[Decision]
    # normalized key -> label (None for a negative), per task; built in __post_init__
    index: dict[str, dict[str, str | None]] = field(default_factory=dict)
    # a merged user overlay (catalog.overlay): the keys it gave or re-pointed, the built-in catalog, the file
    user_keys: dict[str, frozenset[str]] = field(default_factory=dict)
    base: Catalog | None = None
    overlay_source: str | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        self.index = {
            "vehicle": self._build_index("vehicle", self.vehicles, self.negatives.vehicle, problems),
            "pollutant": self._build_index("pollutant", self.pollutants, self.negatives.pollutant, problems),
            "column": self._build_index("column", self.fields, self.negatives.column, problems),
        }
        self._check_decisions(problems)
        if problems:
            raise CatalogError("catalog is inconsistent:\n" + "\n".join(f"  - {p}" for p in problems))

    # --- public API ---------------------------------------------------------------------------------------

    def labels(self, task: Task) -> list[str]:
        """Standard labels of a task, in catalog order (vehicles by MOVES id)."""
        return [item.label for item in self.items(task)]

    def answer_set(self, task: Task) -> list[str]:
        """Every answer the unified model may give for a task: the labels plus UNKNOWN."""
        return self.labels(task) + [UNKNOWN]

    def field_names(self, table_task: str | None = None) -> list[str]:
        return [f.name for f in self.fields if table_task is None or f.task == table_task]

    def column_targets(self, table_task: str | None = None) -> list[str]:
        """Every value a column mapping may use: field names, plus MOVES type names for fleet-mix (macro only)."""
        targets = self.field_names(table_task)
        if table_task in (None, "macro"):
            targets += self.labels("vehicle")
        return targets

    def lookup(self, task: str, k: str) -> tuple[bool, str | None]:
        """Exact lookup of a normalized key: (found, label-or-None-for-negative)."""
        idx = self.index[task]
        return (k in idx, idx.get(k))

    def is_user(self, task: str, k: str) -> bool:
        """Whether the normalized key `k` was given (or re-pointed) by the user's overlay."""
        return k in self.user_keys.get(task, ())

    def aliases(self, task: str) -> dict[str, list[str]]:
        """label -> its aliases (raw spellings), for the dataset builder."""
        return {i.standard: i.all_aliases() for i in self.items(task)}

    def negative_names(self, task: str) -> list[str]:
        return list(getattr(self.negatives, task))

    def items(self, task: str) -> list:
        """The standard values of a task ("vehicle", "pollutant" or "column": the fields)."""
        return {"vehicle": self.vehicles, "pollutant": self.pollutants, "column": self.fields}[task]

    def fingerprint(self) -> str:
        """A hash of everything that answers names (values, aliases, negatives): caches built from the catalog
        (the retrieval index) are keyed by it, so a changed catalog never meets a stale cache."""
        content = {task: [item.model_dump() for item in self.items(task)] for task in ("vehicle", "pollutant", "column")}
        content["negatives"] = self.negatives.model_dump()
        text = json.dumps(content, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    # --- construction checks ------------------------------------------------------------------------------

    def _build_index(self, task, items, negatives, problems) -> dict[str, str | None]:
        index: dict[str, str | None] = {}
        origin: dict[str, str] = {}
        for item in items:
            label = item.standard
            # the label itself and the MOVES id are always aliases
            names = [label] + item.all_aliases()
            distinct = set()
            for alias in names:
                k = key(alias)
                if not k:
                    problems.append(f"{task} {label!r}: alias {alias!r} normalizes to nothing")
                    continue
                if k in index and index[k] != label:
                    problems.append(
                        f"{task}: alias {alias!r} of {label!r} has the same key {k!r} as {origin[k]!r} of {index[k]!r}"
                    )
                    continue
                index[k] = label
                origin[k] = alias
                distinct.add(k)
            floor = MIN_ALIASES["field" if task == "column" else task]
            if len(distinct) < floor and self.base is None:  # the floor is the shipped catalog's; an overlay may move names
                problems.append(f"{task} {label!r}: {len(distinct)} distinct aliases, the floor is {floor}")
        for neg in negatives:
            k = key(neg)
            if k in index and index[k] is not None:
                problems.append(f"{task}: negative {neg!r} collides with alias {origin[k]!r} of {index[k]!r}")
                continue
            index[k] = None
            origin[k] = neg
        return index

    def _check_decisions(self, problems: list[str]) -> None:
        for d in self.decisions:
            found, label = self.lookup(d.task, key(d.alias))
            if not found:
                problems.append(f"decision for {d.alias!r} ({d.task}): the alias is not in the catalog")
            elif label != d.label:
                problems.append(f"decision for {d.alias!r}: catalog says {label!r}, decision says {d.label!r}")


def load_catalog() -> Catalog:
    """The built-in catalog, merged with the active user overlay (EMSTD_CATALOG, or the CLI's --catalog) when one
    is set. Cached per overlay content, so an edited overlay is never served stale."""
    from emstd.catalog.overlay import active_overlay

    found = active_overlay()
    return builtin_catalog() if found is None else _with_overlay(*found)


@lru_cache(maxsize=8)
def _with_overlay(path: str, text: str) -> Catalog:
    from emstd.catalog.overlay import load_overlay

    return load_overlay(builtin_catalog(), text, path)


@lru_cache(maxsize=1)
def builtin_catalog() -> Catalog:
    """The catalog shipped in the package, without any overlay."""
    vehicles = [SourceType(**v) for v in _read_yaml("vehicles.yaml")["source_types"]]
    pollutants = [Pollutant(**p) for p in _read_yaml("pollutants.yaml")["pollutants"]]
    fields_doc = _read_yaml("fields.yaml")
    fields = [StandardField(**f) for f in fields_doc["fields"]]
    fleet_mix = FleetMix(**fields_doc["fleet_mix"])
    negatives = Negatives(**_read_yaml("negatives.yaml")["negatives"])
    decisions = [Decision(**d) for d in _read_yaml("decisions.yaml")["decisions"]]
    return Catalog(vehicles, pollutants, fields, fleet_mix, negatives, decisions)
