"""The `auto` backend, the default: rules -> retrieval -> model, each only for what the layer before left unsettled.

Values:
1. rules: an exact, normalized or code match, a known negative, or an answer at or above `rules_threshold` stands;
2. retrieval: for the rest, the nearest catalog entries. A rules guess (fuzzy, containment) that retrieval's top
   label confirms stands; otherwise retrieval's answer stands when its calibrated confidence reaches
   `model_threshold` (with a model) or its own calibrated threshold (without one);
3. model (only when one is configured): the rest, with retrieval's candidates in its prompt. It is loaded on the
   first value that reaches it, never before, so a batch the rules settle costs no model load. Its answer stands
   at or above `model_floor` (chosen with `model_threshold` on the eval split: eval/routing.py).
Without a model, or under the floor, what retrieval cannot settle keeps the rules' guess, else retrieval's own
answer (its label at or above its calibrated threshold, else null).

Tables: headers the rules map keep the rules' field; retrieval maps the unmapped ones it is sure of and that
their unit or values support; a column model (if configured) fills in what is still unmapped, under the same
check (`supported`).
"""

from __future__ import annotations

import json
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Callable

from emstd.catalog import load_catalog
from emstd.catalog.normalize import fold, singular, split_camel
from emstd.data.retrieval import lexically_supported
from emstd.defaults import ROUTING_FILE
from emstd.infer.column_rules import (ColumnMapping, HeaderMatch, default_column_rules, looks_like_share,
                                      plausible_field)
from emstd.infer.glossary import gloss
from emstd.infer.rules import RULES_SURE, Answer, RulesBackend

TRUSTED = {"exact", "normalized", "code", "negative"}


class Lazy:
    """A value built on first use (thread-safe), e.g. a model backend or the retrieval index."""

    def __init__(self, build: Callable[[], object]):
        self._build, self._value, self._lock = build, None, threading.Lock()

    @property
    def built(self) -> bool:
        return self._value is not None

    def get(self):
        with self._lock:
            if self._value is None:
                self._value = self._build()
            return self._value


def _lazy(obj) -> Lazy | None:
    if obj is None or isinstance(obj, Lazy):
        return obj
    return Lazy(lambda: obj)


class AutoBackend:
    name = "auto"

    def __init__(self, model=None, retrieval=None, model_roles: tuple[str, ...] | None = None,
                 model_threshold: float | None = None, model_floor: float = 0.0, abstain_floor: float | None = None,
                 rules: RulesBackend | None = None):
        """`model`, `retrieval`: an object, a Lazy, or None (no such layer). `model_roles`: what the model can do
        (unified, column) without loading it; default: ask the model. `model_threshold`: retrieval answers at or
        above this confidence without asking the model (default: retrieval's calibrated threshold). `model_floor`:
        the model's answer stands from this confidence; `abstain_floor` (default: model_floor): the confidence it
        needs to name a type where retrieval alone would abstain (eval/routing.py)."""
        self.rules = rules or RulesBackend()
        self.retrieval = _lazy(retrieval)
        self.model = _lazy(model)
        self._roles = model_roles
        self.model_threshold = model_threshold
        self.model_floor = model_floor
        self.abstain_floor = model_floor if abstain_floor is None else max(abstain_floor, model_floor)

    def can(self, role: str) -> bool:
        if self.model is None:
            return False
        if self._roles is not None:
            return role in self._roles
        return self.model.get().can(role)

    # --- values -------------------------------------------------------------------------------------------

    def standardize_values(self, values: list[str], task: str) -> list[Answer]:
        answers = self.rules.standardize_values(values, task)
        unsure = [i for i, a in enumerate(answers) if not _settled(a)]
        if not unsure:
            return answers
        if self.retrieval is None:
            return self._ask_model(values, task, [(i, None) for i in unsure], answers, None)
        index = self.retrieval.get()
        found = index.search([values[i] for i in unsure], task)
        calibrated = index.calibration[task].threshold
        threshold = calibrated if self.model is None or not self.can("unified") else max(
            calibrated, self.model_threshold if self.model_threshold is not None else calibrated)
        pending = []
        for i, retrieved in zip(unsure, found):
            guess = answers[i]
            if guess.standard is not None and guess.standard == retrieved.label:
                answers[i] = Answer(values[i], guess.standard, "rules+retrieval", max(guess.confidence, retrieved.confidence))
            elif guess.standard is not None and guess.confidence >= retrieved.confidence:
                pass  # a rules guess that retrieval contradicts less surely than the rules assert it: the rules stand
            elif retrieved.confidence >= threshold:
                answers[i] = Answer(values[i], retrieved.label, "retrieval", retrieved.confidence)
            else:
                pending.append((i, retrieved))
        if pending and self.model is not None and self.can("unified"):
            return self._ask_model(values, task, pending, answers, index)
        for i, retrieved in pending:  # no model: the rules' guess, else retrieval's (low-confidence) abstention
            if answers[i].standard is None:
                answers[i] = _retrieval_alone(values[i], retrieved, index, task)
        return answers

    def _ask_model(self, values, task, pending, answers, index):
        """The model's answers for `pending` [(index, retrieved or None)]. Under the routing's model floor, auto
        answers as if it had no model (the rules' guess, else retrieval's own answer): eval/routing.py."""
        if not pending or self.model is None or not self.can("unified"):
            return answers
        found = [r for _, r in pending] if index is not None else None
        model = self.model.get().standardize_values([values[i] for i, _ in pending], task, retrieved=found)
        for (i, retrieved), a in zip(pending, model):
            alone = None if retrieved is None else _retrieval_alone(values[i], retrieved, index, task)
            abstains = alone is not None and alone.standard is None
            floor = self.abstain_floor if abstains and a.standard else self.model_floor
            if retrieved is None or (a.confidence >= floor and not defers_to_retrieval(
                    a.standard, a.confidence, alone.standard, retrieved.confidence, values[i], task)):
                answers[i] = a
            elif answers[i].standard is None:
                answers[i] = alone
        return answers

    # --- columns ------------------------------------------------------------------------------------------

    def map_columns(self, headers, samples=None, task=None) -> ColumnMapping:
        rules = self.rules.map_columns(headers, samples, task)
        matches = [HeaderMatch(h, rules.mapping[h], rules.methods[h], rules.confidence[h], rules.units[h])
                   for h in headers]
        unsure = [m for m in matches if not _header_settled(m)]
        if unsure and self.retrieval is not None:
            retrieve_headers(self.retrieval.get(), unsure, task, samples)
        unmapped = [m for m in matches if m.target is None and not _header_settled(m)]
        notes = list(rules.notes)
        if unmapped and self.model is not None and self.can("column"):
            model = self.model.get().map_columns(headers, samples, task)
            claimed = {m.target for m in matches if m.target is not None} & set(load_catalog().field_names())
            for m in unmapped:
                target = model.mapping[m.header]
                if target in claimed:
                    continue  # a field the rules already gave a header: a second one would displace it (Madrid's carga)
                if target is not None and supported(target, m.header, (samples or {}).get(m.header), self._vehicle_of):
                    m.target, m.method = target, model.methods[m.header]
                    m.confidence, m.unit = model.confidence[m.header], model.units[m.header]
            notes += model.notes
        return default_column_rules().finish(matches, samples, task, notes=notes)

    def _vehicle_of(self, header: str) -> str | None:
        """The vehicle type a header reads as: the rules' answer, else retrieval's nearest label."""
        ruled = self.rules.standardize_values([header], "vehicle")[0].standard
        if ruled is not None or self.retrieval is None:
            return ruled
        candidates = self.retrieval.get().search([header], "vehicle")[0].candidates
        return candidates[0].label if candidates else None

def retrieve_headers(index, matches: list[HeaderMatch], task: str | None, samples: dict | None = None) -> None:
    """Map the unmapped headers among `matches` that retrieval is sure of (fields of `task`, when it is known) and
    whose header or values agree: a header's name alone is weak evidence, most unknown headers are no field at all."""
    allowed = set(load_catalog().field_names(task)) if task else None
    for m, retrieved in zip(matches, index.search([m.header for m in matches], "column")):
        label = index.answer(retrieved, "column")
        if m.target is None and label is not None and (allowed is None or label in allowed) and \
                plausible_field(label, m.header, (samples or {}).get(m.header)):
            m.target, m.method, m.confidence, m.unit = label, "retrieval", retrieved.confidence, None


def saved_routing(adapter_dir) -> dict | None:
    """The routing `emstd eval` chose for a unified adapter (routing.json beside it: eval/routing.py), or None."""
    path = Path(adapter_dir) / ROUTING_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def routing_options(routing: dict | None) -> dict:
    """AutoBackend's keyword arguments from a saved routing (None: retrieval's own threshold, no floor)."""
    routing = routing or {}
    threshold = routing.get("model_threshold")
    floor = float(routing.get("model_floor") or 0.0)
    abstain = routing.get("abstain_floor")  # routings written before it existed: the same floor everywhere
    return {"model_threshold": None if threshold is None else float(threshold), "model_floor": floor,
            "abstain_floor": floor if abstain is None else float(abstain)}


def defers_to_retrieval(model_label, model_confidence: float, alone_label, retrieval_confidence: float,
                        value: str = "", task: str = "") -> bool:
    """Whether a model's answer gives way to what retrieval alone says: it names another type less surely, it
    names a pollutant a Latin-script code does not spell (the check retrieval itself is held to:
    data/retrieval.lexically_supported), or it turns retrieval's abstention into a vehicle type that no word of
    the name (or of its English gloss) names ("hazmat", "Formula 1": on real names the SmolLM2 adapter named types
    for such null traps far more often than it rescued a name). The routing on the eval split is chosen with the
    same rule (eval/routing.py)."""
    if model_label is not None and task and not lexically_supported(load_catalog(), task, value, model_label):
        return True
    if task == "vehicle" and alone_label is None and model_label is not None and not named_by_a_word(value, model_label):
        return True
    return alone_label is not None and model_label != alone_label and model_confidence < retrieval_confidence


_GENERIC_WORDS = frozenset({"vehicle", "vehicles", "motor", "other", "type", "class", "all", "total", "and", "with",
                            "the", "for", "non", "light", "heavy", "duty", "small", "large", "medium"})


def named_by_a_word(value: str, label: str) -> bool:
    """Whether a word of `value` or of its English gloss (three letters or more, not a generic word) is a word of
    one of `label`'s catalog names."""
    words = set(_name_words(value)) | set(_name_words(gloss(value) or ""))
    return bool(words & _label_words(load_catalog(), label))


def _name_words(text: str) -> list[str]:
    return [singular(w) for w in re.findall(r"[^\W\d_]{3,}", fold(split_camel(text))) if w not in _GENERIC_WORDS]


@lru_cache(maxsize=64)
def _label_words(catalog, label: str) -> frozenset[str]:
    return frozenset(w for item in catalog.items("vehicle") if item.standard == label
                     for name in [label, *item.all_aliases()] for w in _name_words(name))


def _retrieval_alone(value: str, retrieved, index, task: str) -> Answer:
    """Retrieval's own answer: its label at or above its calibrated threshold, else its abstention."""
    label = index.answer(retrieved, task)
    return Answer(value, label, "retrieval", retrieved.confidence if label else round(1 - retrieved.confidence, 4))


def supported(target: str, header: str, values, vehicle_of: Callable[[str], str | None]) -> bool:
    """Whether a header the rules left unmapped may take `target` from a model: a field needs the same support
    as retrieval's (a unit, values in range, an id-like name); a fleet-mix type needs share-like values and a
    header that reads as that type (`vehicle_of(header)`: a two-letter "LC" with shares is no motor home). On real
    tables the SmolLM2 column adapter named a field for most unknown headers, which are mostly no field at all
    (docs/evaluation.md)."""
    if target in load_catalog().labels("vehicle"):
        return bool(values) and looks_like_share(values) and vehicle_of(header) == target
    return plausible_field(target, header, values)


def _settled(a: Answer) -> bool:
    return a.method in TRUSTED or a.confidence >= RULES_SURE


def _header_settled(m: HeaderMatch) -> bool:
    return m.method in TRUSTED or m.method in ("empty", "too_long", "fleet_mix") or m.confidence >= RULES_SURE
