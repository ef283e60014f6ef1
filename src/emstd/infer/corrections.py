"""Corrections applied on top of a standardizer's answers, for one job (the review page's table download).

`Corrected(standardizer, corrections)` answers a corrected name with the person's answer, method "user" (the same
answer the overlay written from these corrections gives later: names are matched by the catalog's keys), and
passes every other name to the standardizer. A corrected header gets its field; a header that held that field
before gives it up, with a note.
"""

from __future__ import annotations

import json

from emstd.catalog import load_catalog
from emstd.catalog.corrections import Correction, parse_answer
from emstd.catalog.normalize import candidate_keys
from emstd.errors import InputFileError
from emstd.infer.column_rules import ColumnMapping, HeaderMatch, default_column_rules
from emstd.infer.rules import Answer

TASKS = ("vehicle", "pollutant", "column")


def parse_corrections(text: str | None) -> list[Correction]:
    """Corrections from JSON: a list of {"task", "value", "answer"} (answer: a standard value, null or
    "not a standard value"). Every bad item is named at once."""
    if not text or not text.strip():
        return []
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(f"corrections: not valid JSON ({exc.msg} at character {exc.pos}).") from None
    if not isinstance(items, list):
        raise InputFileError('corrections: give a JSON list of {"task", "value", "answer"} objects.')
    catalog, out, problems = load_catalog(), [], []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or set(item) - {"task", "value", "answer"} or "value" not in item:
            problems.append(f'corrections[{i}]: give {{"task", "value", "answer"}}')
            continue
        task, value, answer = item.get("task"), item.get("value"), item.get("answer")
        if task not in TASKS or not isinstance(value, str):
            problems.append(f"corrections[{i}]: task must be one of {', '.join(TASKS)} and value a string")
            continue
        ok, label, problem = (True, None, "") if answer is None else parse_answer(catalog, task, str(answer))
        if not ok:
            problems.append(f"corrections[{i}] ({value!r}): {problem}")
            continue
        out.append(Correction(task, value, label, f"corrections[{i}]"))
    if problems:
        raise InputFileError("corrections: " + "; ".join(problems))
    return out


class Corrected:
    """A Standardizer with the person's corrections on top (same interface as emstd.infer.Standardizer)."""

    def __init__(self, standardizer, corrections: list[Correction]):
        self.inner = standardizer
        self.backend = getattr(standardizer, "backend", None)
        self.stats = getattr(standardizer, "stats", {})
        self._by_key: dict[tuple[str, str], str | None] = {}
        for c in corrections:
            for k in candidate_keys(c.value, c.task)[:1]:  # the literal key: as the overlay's alias will be
                self._by_key[(c.task, k)] = c.label

    def _corrected(self, value: str, task: str) -> tuple[bool, str | None]:
        for k in candidate_keys(value, task):
            if (task, k) in self._by_key:
                return True, self._by_key[(task, k)]
        return False, None

    def standardize(self, values: list, task: str) -> list[Answer]:
        texts = ["" if v is None else str(v) for v in values]
        fixed = {t: self._corrected(t, task) for t in dict.fromkeys(texts)}
        rest = [t for t, (hit, _) in fixed.items() if not hit]
        answered = dict(zip(rest, self.inner.standardize(rest, task))) if rest else {}
        return [answered[t] if t in answered else Answer(t, fixed[t][1], "user", 1.0) for t in texts]

    def map_columns(self, headers: list[str], samples: dict | None = None, task: str | None = None) -> ColumnMapping:
        cmap = self.inner.map_columns(headers, samples, task)
        fixed = {h: self._corrected(h, "column") for h in headers}
        if not any(hit for hit, _ in fixed.values()):
            return cmap
        matches, notes = [], list(cmap.notes)
        claimed = {label: h for h, (hit, label) in fixed.items() if hit and label is not None}
        for h in headers:
            hit, label = fixed[h]
            m = HeaderMatch(h, cmap.mapping[h], cmap.methods[h], cmap.confidence[h], cmap.units[h])
            if hit:
                m.target, m.method, m.confidence, m.unit = label, "user", 1.0, None
            elif m.target is not None and m.target in claimed:
                notes.append(f"{h!r} was mapped to {m.target}; your correction gives {m.target} to {claimed[m.target]!r}")
                m.target, m.method, m.unit = None, "duplicate", None
            matches.append(m)
        out = default_column_rules().finish(matches, samples, task, notes=notes)
        out.profile, out.raw_columns = cmap.profile, cmap.raw_columns
        return out
