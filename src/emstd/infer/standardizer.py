"""The Standardizer: one object behind the CLI, the Python API and the HTTP service.

A backend answers values and column maps; the Standardizer adds what every backend needs: de-duplication of
inputs, an LRU cache keyed by backend, and whole-table standardization.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol

from emstd.infer.column_rules import ColumnMapping, ColumnRules
from emstd.infer.profiles import match_profile, profile_mapping
from emstd.infer.rules import Answer, RulesEngine, default_engine

CACHE_SIZE = 100_000


class Backend(Protocol):
    name: str

    def standardize_values(self, values: list[str], task: str) -> list[Answer]: ...

    def map_columns(self, headers: list[str], samples: dict | None, task: str | None) -> ColumnMapping: ...


class RulesBackend:
    name = "rules"

    def __init__(self, engine: RulesEngine | None = None):
        self.engine = engine or default_engine()
        self.columns = ColumnRules(self.engine)

    def standardize_values(self, values: list[str], task: str) -> list[Answer]:
        return [self.engine.standardize(v, task) for v in values]

    def map_columns(self, headers, samples=None, task=None) -> ColumnMapping:
        return self.columns.map_columns(headers, samples, task)


class Standardizer:
    def __init__(self, backend: Backend | None = None, cache_size: int = CACHE_SIZE):
        self.backend = backend or RulesBackend()
        self._cache: OrderedDict[tuple[str, str, str], Answer] = OrderedDict()
        self._cache_size = cache_size
        self.stats = {"cache_hits": 0, "backend_answers": 0}

    def standardize(self, values: list, task: str) -> list[Answer]:
        """Answers in input order. Each distinct value reaches the backend at most once (until evicted)."""
        texts = ["" if v is None else str(v) for v in values]
        missing = []
        for t in dict.fromkeys(texts):
            k = (self.backend.name, task, t)
            if k in self._cache:
                self._cache.move_to_end(k)
            else:
                missing.append(t)
        self.stats["cache_hits"] += len(texts) - len(missing)
        if missing:
            answers = self.backend.standardize_values(missing, task)
            self.stats["backend_answers"] += len(missing)
            for t, a in zip(missing, answers):
                self._remember((self.backend.name, task, t), a)
        out = []
        for t in texts:
            a = self._cache.get((self.backend.name, task, t))
            if a is None:  # evicted between the two loops (only when one call has more distinct values than the cache)
                a = self.backend.standardize_values([t], task)[0]
            out.append(a)
        return out

    def standardize_one(self, value, task: str) -> Answer:
        return self.standardize([value], task)[0]

    def map_columns(self, headers: list[str], samples: dict | None = None, task: str | None = None) -> ColumnMapping:
        """A known native table (a MOVES link table, SUMO FCD, NGSIM...) is mapped by its documented profile;
        anything else by the backend."""
        match = match_profile(list(headers))
        if match is not None:
            return profile_mapping(match, list(headers), task)
        return self.backend.map_columns(list(headers), samples, task)

    def _remember(self, k, answer: Answer) -> None:
        self._cache[k] = answer
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
