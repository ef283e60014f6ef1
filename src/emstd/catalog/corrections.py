"""People's corrections (from a review file or the review page) -> catalog overlay entries.

A correction says: this name (of a vehicle, pollutant or column task) is this standard value, or is not a standard
value. Against the catalog it extends (the built-in one, plus the overlay being merged into), it becomes:
- nothing, when the catalog already answers the name that way;
- an alias (or a negative) in the overlay, when the catalog does not know the name;
- a decision, when the built-in catalog gives the name to something else: the documented way to override it.
A correction that contradicts the overlay being extended is refused: that file is the user's to edit.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import yaml

from emstd.catalog import Catalog
from emstd.catalog.normalize import key
from emstd.catalog.overlay import NOT_STANDARD, SECTIONS, Overlay, apply_overlay

REVIEW_FAMILY = "review"  # the alias family corrections are written under
# Spellings of "not a standard value" accepted in a correct-answer cell (compared by key()).
NOT_STANDARD_SPELLINGS = (NOT_STANDARD, "null", "none", "UNKNOWN", "not standard", "不是标准值", "非标准值")


@dataclass(frozen=True)
class Correction:
    task: str  # vehicle | pollutant | column
    value: str
    label: str | None  # None: not a standard value
    origin: str = ""  # where it came from ("review.csv row 5"), for messages and decision reasons
    answer: str | None = None  # what emstd had answered, for the decision's reason


def allowed_answers(catalog: Catalog, task: str) -> list[str]:
    """What a correct-answer cell may hold for a task: its standard labels, then 'not a standard value'."""
    labels = catalog.field_names() if task == "column" else catalog.labels(task)
    return labels + [NOT_STANDARD]


def parse_answer(catalog: Catalog, task: str, text: str) -> tuple[bool, str | None, str]:
    """(ok, label or None, problem) for a correct-answer cell: a label of the task (case, spaces and the Chinese
    name accepted), or 'not a standard value'."""
    k = key(text)
    if k in {key(s) for s in NOT_STANDARD_SPELLINGS}:
        return True, None, ""
    for item in catalog.items(task):
        if k in (key(item.standard), key(item.zh)):
            return True, item.standard, ""
    choices = allowed_answers(catalog, task)
    close = difflib.get_close_matches(text, choices, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return False, None, (f"{text!r} is not a {task} standard value; {hint}write one of: {', '.join(choices)}")


@dataclass
class Additions:
    """What corrections add to an overlay, and why nothing was added for the others."""

    overlay: dict  # the overlay to write (the extended one's entries plus the new ones)
    added: list[str]  # one line per new entry
    unchanged: list[str]  # one line per correction the catalog already answers that way
    problems: list[str]


def add_corrections(catalog: Catalog, corrections: list[Correction], existing: Overlay | None = None) -> Additions:
    """The overlay `existing` (or a new one) extended with `corrections`, checked against `catalog` (the built-in
    catalog with `existing` merged in)."""
    data = existing.model_dump(exclude_defaults=True) if existing is not None else {}
    out = Additions(data, [], [], [])
    chosen: dict[tuple[str, str], Correction] = {}
    for c in corrections:
        k = key(c.value)
        if not k:
            out.problems.append(f"{c.origin}: the value {c.value!r} is empty once normalized; leave its correct "
                                f"answer empty")
            continue
        earlier = chosen.get((c.task, k))
        if earlier is not None:
            if earlier.label != c.label:
                out.problems.append(f"{c.origin}: {c.value!r} is corrected to {_target(c.label)}, but {earlier.origin} "
                                    f"corrects {earlier.value!r} (the same name) to {_target(earlier.label)}; keep one")
            continue
        chosen[(c.task, k)] = c
        _add_one(catalog, c, k, out)
    return out


def _add_one(catalog: Catalog, c: Correction, k: str, out: Additions) -> None:
    found, current = catalog.lookup(c.task, k)
    if found and current == c.label:
        where = catalog.overlay_source if catalog.is_user(c.task, k) else "the built-in catalog"
        out.unchanged.append(f"{c.origin}: {c.task} {c.value!r} is already {_target(c.label)} in {where}")
        return
    if found and catalog.is_user(c.task, k):
        out.problems.append(f"{c.origin}: {c.value!r} is {_target(current)} in {catalog.overlay_source}; edit that "
                            f"file to change it, or leave this correct answer empty")
        return
    if found:
        reason = f"Corrected in review ({c.origin}): the built-in catalog answered {_target(current)}."
        decision = {"task": c.task, "alias": c.value, "label": c.label,
                    "alternatives": [current] if current is not None else [], "reason": reason}
        out.overlay.setdefault("decisions", []).append(decision)
        out.added.append(f"+ {c.task} decision: {c.value!r} -> {_target(c.label)} (was {_target(current)})  "
                         f"[{c.origin}]")
    elif c.label is None:
        out.overlay.setdefault("negatives", {}).setdefault(c.task, []).append(c.value)
        out.added.append(f"+ {c.task} negative: {c.value!r} -> {NOT_STANDARD}  [{c.origin}]")
    else:
        _alias_entry(out.overlay, c.task, c.label).setdefault(REVIEW_FAMILY, []).append(c.value)
        out.added.append(f"+ {c.task} alias: {c.value!r} -> {c.label!r}  [{c.origin}]")


def _alias_entry(data: dict, task: str, label: str) -> dict:
    """The aliases mapping of `label`'s entry in the overlay's section for `task` (created when missing)."""
    section = data.setdefault(SECTIONS[task], [])
    name = "name" if task == "column" else "label"
    for entry in section:
        if entry.get(name) == label:
            return entry.setdefault("aliases", {})
    entry = {name: label, "aliases": {}}
    section.append(entry)
    return entry["aliases"]


def check_overlay(base: Catalog, data: dict, source: str) -> Catalog:
    """The overlay `data` merged into the built-in catalog `base` (a CatalogError names every problem)."""
    return apply_overlay(base, Overlay(**data), source)


HEADER = ("# emstd catalog overlay: your organisation's names on top of the built-in catalog.\n"
          "# Use it with --catalog FILE (or EMSTD_CATALOG=FILE); schema in docs/catalog.md.\n")


def dump_overlay(data: dict) -> str:
    """The overlay as YAML, sections in the schema's order (PyYAML quotes what would not read back as text:
    "NO", "21", "null")."""
    ordered = {name: data[name] for name in Overlay.model_fields if data.get(name)}
    return HEADER + yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=120)


def _target(label: str | None) -> str:
    return NOT_STANDARD if label is None else repr(label)
