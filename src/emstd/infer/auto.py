"""The `auto` backend: rules first, the model only for what rules cannot settle.

A rules answer stands when it is an exact/normalized/code match (a label or a known negative) or any answer at
or above `threshold`; everything else (no match, fuzzy or containment guesses) goes to the model in one batch.
For tables, headers the rules matched confidently keep the rules' target; the model fills in the rest.
"""

from __future__ import annotations

from emstd.infer.column_rules import ColumnMapping, HeaderMatch, default_column_rules
from emstd.infer.rules import Answer
from emstd.infer.rules import RulesBackend

TRUSTED = {"exact", "normalized", "code", "negative", "empty", "too_long"}


class AutoBackend:
    name = "auto"

    def __init__(self, model_backend, threshold: float = 0.9):
        self.rules = RulesBackend()
        self.model = model_backend
        self.threshold = threshold

    def _settled(self, method: str, confidence: float) -> bool:
        return method in TRUSTED or confidence >= self.threshold

    def standardize_values(self, values: list[str], task: str) -> list[Answer]:
        answers = self.rules.standardize_values(values, task)
        unsure = [i for i, a in enumerate(answers) if not self._settled(a.method, a.confidence)]
        if unsure and self.model.can("unified"):
            for i, a in zip(unsure, self.model.standardize_values([values[i] for i in unsure], task)):
                answers[i] = a
        return answers

    def map_columns(self, headers, samples=None, task=None) -> ColumnMapping:
        rules = self.rules.map_columns(headers, samples, task)
        unsure = [h for h in headers if not self._settled(rules.methods[h], rules.confidence[h])]
        if not unsure or not self.model.can("column"):  # e.g. a local backend with only the unified adapter
            return rules
        model = self.model.map_columns(headers, samples, task)
        matches = []
        for h in headers:
            if h in unsure:
                matches.append(HeaderMatch(h, model.mapping[h], model.methods[h], model.confidence[h], model.units[h]))
            else:
                matches.append(HeaderMatch(h, rules.mapping[h], rules.methods[h], rules.confidence[h], rules.units[h]))
        return default_column_rules().finish(matches, samples, task, notes=rules.notes + model.notes)
