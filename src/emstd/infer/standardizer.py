"""The Standardizer: one object behind the CLI, the Python API and the HTTP service.

A backend answers values and column maps; the Standardizer adds what every backend needs: the guard on inputs
no backend should see (empty, too long), de-duplication of inputs and an LRU cache keyed by backend.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol

from emstd.infer.column_rules import ColumnMapping
from emstd.infer.profiles import match_profile, profile_mapping
from emstd.infer.rules import Answer, RulesBackend, guard

CACHE_SIZE = 100_000


class Backend(Protocol):
    name: str

    def standardize_values(self, values: list[str], task: str) -> list[Answer]: ...

    def map_columns(self, headers: list[str], samples: dict | None, task: str | None) -> ColumnMapping: ...


class Standardizer:
    def __init__(self, backend: Backend | None = None, cache_size: int = CACHE_SIZE):
        self.backend = backend or RulesBackend()
        self._cache: OrderedDict[tuple[str, str, str], Answer] = OrderedDict()
        self._cache_size = cache_size
        self.stats = {"cache_hits": 0, "backend_answers": 0}

    def standardize(self, values: list, task: str) -> list[Answer]:
        """Answers in input order. Each distinct value reaches the backend at most once (until evicted); empty and
        over-long values never reach it."""
        texts = ["" if v is None else str(v) for v in values]
        found: dict[str, Answer] = {}
        missing = []
        for t in dict.fromkeys(texts):
            k = (self.backend.name, task, t)
            if (guarded := guard(t)) is not None:
                found[t] = guarded
            elif k in self._cache:
                self._cache.move_to_end(k)
                found[t] = self._cache[k]
            else:
                missing.append(t)
        self.stats["cache_hits"] += len(texts) - len(missing)
        if missing:
            answers = self.backend.standardize_values(missing, task)
            self.stats["backend_answers"] += len(missing)
            for t, a in zip(missing, answers):
                found[t] = a
                self._remember((self.backend.name, task, t), a)
        return [found[t] for t in texts]

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
