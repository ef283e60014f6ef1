"""Turning a column model's text into a valid mapping, whatever the text says.

The answer must be a JSON object whose keys are headers of the table and whose values are allowed targets.
Anything else is dropped and reported; text that is not JSON at all yields no mapping (the caller falls back to
rules). So the mapping a user gets is valid by construction, even from a random-weight or misled model.
"""

from __future__ import annotations

import json
import re

_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


def parse_column_answer(text: str, headers: list[str], targets: list[str]) -> tuple[dict[str, str] | None, list[str]]:
    """(mapping or None when unparseable, problems). Keys keep the table's header order."""
    problems: list[str] = []
    obj = _load_object(text)
    if obj is None:
        return None, [f"the model's answer is not a JSON object: {text[:120]!r}"]
    allowed = set(targets)
    header_set = set(headers)
    kept: dict[str, str] = {}
    for key, value in obj.items():
        if key not in header_set:
            problems.append(f"dropped {key!r}: not a header of this table")
        elif not isinstance(value, str) or value not in allowed:
            problems.append(f"dropped {key!r} -> {value!r}: not an allowed field")
        else:
            kept[key] = value
    return {h: kept[h] for h in headers if h in kept}, problems


def _load_object(text: str):
    text = text.strip()
    for candidate in (text, *(m.group(0) for m in _OBJECT.finditer(text))):
        try:
            obj = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            return obj
    return None


def model_column_mapping(headers, mapping: dict[str, str], confidence: float, task, samples, problems):
    """A validated model mapping -> ColumnMapping, with units, task and duplicates settled by the rules' code."""
    from emstd.infer.column_rules import HeaderMatch, default_column_rules

    matches = [HeaderMatch(h, mapping.get(h), "model", confidence if mapping.get(h) else round(1 - confidence, 4))
               for h in headers]
    return default_column_rules().finish(matches, samples, task, notes=problems)


def column_json_schema(headers: list[str], targets: list[str]) -> dict:
    """JSON schema that only admits valid answers: for vLLM's structured outputs on the remote backend."""
    return {
        "type": "object",
        "properties": {h: {"type": "string", "enum": list(targets)} for h in headers},
        "additionalProperties": False,
    }
