"""A user catalog overlay: an organisation's own names on top of the built-in catalog.

One YAML file in the built-in catalog's schema, every section optional (docs/catalog.md, "User overlays"):
`source_types` and `pollutants` (extra aliases by `label`), `fields` (extra header aliases by `name`),
`negatives` (per task), `decisions` (overrides of the built-in answer for a name, `label: null` for "not a standard
value"), `fleet_mix` (extra markers) and a free-form `sources`. The active overlay is the file named by
EMSTD_CATALOG (the CLI's `--catalog FILE` sets it for the process before anything loads).

An overlay only adds or re-points names: it cannot add a standard value or change a label, and an alias that
the built-in catalog already gives to another label (or lists as a negative) is refused unless a decision in the
overlay says so. Every problem of a file is reported at once, with the file and the entry named.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from emstd.catalog.models import Decision
from emstd.catalog.normalize import key
from emstd.errors import CatalogError

if TYPE_CHECKING:
    from emstd.catalog import Catalog

OVERLAY_ENV = "EMSTD_CATALOG"
TASKS = ("vehicle", "pollutant", "column")
SECTIONS = {"vehicle": "source_types", "pollutant": "pollutants", "column": "fields"}
DECIDED_FAMILY = "user"  # where a decision's alias goes when no alias list of the overlay names it
NOT_STANDARD = "not a standard value"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OverlayValue(_Strict):
    """Extra aliases of a source type or pollutant, named by its label."""

    label: str
    aliases: dict[str, list[str]] = Field(default_factory=dict)


class OverlayField(_Strict):
    """Extra header aliases of a standard field, named by its field name."""

    name: str
    aliases: dict[str, list[str]] = Field(default_factory=dict)


class OverlayNegatives(_Strict):
    vehicle: list[str] = Field(default_factory=list)
    pollutant: list[str] = Field(default_factory=list)
    column: list[str] = Field(default_factory=list)


class OverlayFleetMix(_Strict):
    markers: list[str] = Field(default_factory=list)
    negative_markers: list[str] = Field(default_factory=list)


class Overlay(_Strict):
    sources: dict[str, Any] = Field(default_factory=dict)
    source_types: list[OverlayValue] = Field(default_factory=list)
    pollutants: list[OverlayValue] = Field(default_factory=list)
    fields: list[OverlayField] = Field(default_factory=list)
    negatives: OverlayNegatives = Field(default_factory=OverlayNegatives)
    fleet_mix: OverlayFleetMix = Field(default_factory=OverlayFleetMix)
    decisions: list[Decision] = Field(default_factory=list)

    def entries(self, task: str) -> list[OverlayValue | OverlayField]:
        return list(getattr(self, SECTIONS[task]))


# --- the active overlay ------------------------------------------------------------------------------------


def active_overlay() -> tuple[str, str] | None:
    """(resolved path, text) of the overlay EMSTD_CATALOG names, or None when it is unset."""
    named = os.environ.get(OVERLAY_ENV, "").strip()
    if not named:
        return None
    path = Path(named).expanduser()
    if not path.is_file():
        raise CatalogError(f"{OVERLAY_ENV}={named}: no such file. Give a catalog overlay YAML (docs/catalog.md), "
                           f"or unset {OVERLAY_ENV}.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{path}: not UTF-8 text (byte {exc.start}). Re-save the overlay as UTF-8.") from None
    return str(path.resolve()), text


def use_overlay(path: str | os.PathLike) -> None:
    """Make `path` the active overlay of this process (and of what it starts), and check it now."""
    from emstd.catalog import load_catalog

    path = Path(path).expanduser()
    if not path.is_file():
        raise CatalogError(f"--catalog {path}: no such file. Give a catalog overlay YAML (docs/catalog.md); "
                           f"`emstd catalog import-review` writes one from a filled review file.")
    os.environ[OVERLAY_ENV] = str(path.resolve())
    load_catalog()


# --- reading -------------------------------------------------------------------------------------------------


def parse_overlay(text: str, source: str) -> Overlay:
    """The overlay in `text`; a CatalogError lists every schema problem, each with its entry."""
    overlay, problems = parse_lenient(text, source)
    if problems:
        raise _overlay_error(source, problems)
    return overlay


def parse_lenient(text: str, source: str) -> tuple[Overlay, list[str]]:
    """(the overlay's valid entries, the schema problems of the others): entry by entry, so that the merge can
    report its own problems together with these."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise CatalogError(f"{source}: not valid YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
    if data is None:
        return Overlay(), []
    if not isinstance(data, dict):
        raise CatalogError(f"{source}: a catalog overlay is a YAML mapping with sections "
                           f"{', '.join(Overlay.model_fields)}; found a {type(data).__name__}")
    problems: list[str] = []
    kept: dict[str, Any] = {}
    for section, value in data.items():
        info = Overlay.model_fields.get(section)
        if info is None:
            problems.append(f"{section}: unknown section (allowed: {', '.join(Overlay.model_fields)})")
        elif isinstance(value, list) and section != "sources":
            kept[section] = [e for i, e in enumerate(value) if _valid(data, (section, i), e, problems)]
        elif _valid(data, (section,), value, problems):
            kept[section] = value
    try:
        return Overlay(**kept), problems
    except ValidationError as exc:  # a section of the wrong shape (a mapping where a list belongs...)
        return Overlay(), problems + [_schema_problem(data, e) for e in exc.errors()]


def _valid(data: dict, loc: tuple, value, problems: list[str]) -> bool:
    """Whether `value` (a section, or entry `loc[1]` of a list section) validates on its own; its problems, with
    their real location, are added to `problems`."""
    section = loc[0]
    try:
        Overlay(**{section: [value] if len(loc) > 1 else value})
        return True
    except ValidationError as exc:
        for e in exc.errors():
            where = e.get("loc", ())
            if len(loc) > 1 and len(where) > 1:  # (section, 0, ...) -> (section, i, ...)
                where = (section, loc[1], *where[2:])
            problems.append(_schema_problem(data, {**e, "loc": where}))
        return False


def read_overlay(path: str | os.PathLike) -> Overlay:
    path = Path(path)
    try:
        return parse_overlay(path.read_text(encoding="utf-8-sig"), str(path))
    except FileNotFoundError:
        raise CatalogError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{path}: not UTF-8 text (byte {exc.start}). Re-save the overlay as UTF-8.") from None


def _schema_problem(data: dict, error: dict) -> str:
    loc = error.get("loc", ())
    where = _where(data, loc)
    if error.get("type") == "extra_forbidden":
        parent = _model_at(loc[:-1])
        allowed = ", ".join(parent.model_fields) if parent else "?"
        return f"{where}: unknown key {loc[-1]!r} (allowed here: {allowed}; an overlay adds names, it cannot " \
               f"change a value's zh, description or id)"
    return f"{where}: {error.get('msg', 'invalid')}"


def _model_at(loc: tuple) -> type[BaseModel] | None:
    model: Any = Overlay
    for part in loc:
        if isinstance(part, int):
            continue
        info = getattr(model, "model_fields", {}).get(part)
        if info is None:
            return None
        ann = info.annotation
        args = getattr(ann, "__args__", ())
        model = next((a for a in (ann, *args) if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if model is None:
            return None
    return model


def _where(data: dict, loc: tuple) -> str:
    """'source_types[0] (Passenger Car).aliases.fleet[2]': the path, with the entry's label where it has one."""
    out, node = "", data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            name = node.get("label", node.get("name", node.get("alias"))) if isinstance(node, dict) else None
            if name is not None:
                out += f" ({name})"
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "overlay"


def _overlay_error(source: str, problems: list[str]) -> CatalogError:
    lines = "\n".join(f"  - {p}" for p in problems)
    return CatalogError(f"{source}: catalog overlay has {len(problems)} problem(s):\n{lines}")


# --- merging -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    task: str
    label: str | None  # None: a negative
    alias: str
    where: str


def load_overlay(base: Catalog, text: str, source: str) -> Catalog:
    """The overlay in `text` (from `source`) merged into `base`; schema and merge problems reported together."""
    overlay, problems = parse_lenient(text, source)
    return apply_overlay(base, overlay, source, problems)


def apply_overlay(base: Catalog, overlay: Overlay, source: str, problems: list[str] | None = None) -> Catalog:
    """The built-in catalog `base` with the overlay's names merged in; names from the overlay are marked as the
    user's (Catalog.is_user). Every problem (and those already found in `problems`) is reported at once."""
    from emstd.catalog import Catalog

    problems = list(problems or [])
    decided = _decisions(base, overlay, problems)
    entries = _entries(base, overlay, decided, problems)
    if problems:
        raise _overlay_error(source, problems)
    removed = {t: set(decided[t]) for t in TASKS}
    user_keys = {t: frozenset({key(e.alias) for e in entries if e.task == t} | removed[t]) for t in TASKS}
    try:
        return Catalog(
            vehicles=_merged_items(base.vehicles, "vehicle", overlay, decided, removed["vehicle"]),
            pollutants=_merged_items(base.pollutants, "pollutant", overlay, decided, removed["pollutant"]),
            fields=_merged_items(base.fields, "column", overlay, decided, removed["column"]),
            fleet_mix=base.fleet_mix.model_copy(update={
                "markers": base.fleet_mix.markers + overlay.fleet_mix.markers,
                "negative_markers": base.fleet_mix.negative_markers + overlay.fleet_mix.negative_markers}),
            negatives=base.negatives.model_copy(update={
                t: _merged_negatives(base, t, overlay, decided, removed[t]) for t in TASKS}),
            decisions=[d for d in base.decisions if key(d.alias) not in removed[d.task]] + list(overlay.decisions),
            user_keys=user_keys, base=base, overlay_source=source,
        )
    except CatalogError as exc:  # a conflict the checks above did not foresee: still name the file
        raise CatalogError(f"{source}: {exc}") from None


def _decisions(base: Catalog, overlay: Overlay, problems: list[str]) -> dict[str, dict[str, Decision]]:
    decided: dict[str, dict[str, Decision]] = {t: {} for t in TASKS}
    for i, d in enumerate(overlay.decisions):
        where = f"decisions[{i}] ({d.alias})"
        k = key(d.alias)
        if not k:
            problems.append(f"{where}: the alias normalizes to nothing")
            continue
        if d.label is not None and (hint := _unknown_label(base, d.task, d.label)):
            problems.append(f"{where}: {hint}")
            continue
        own = next((item.standard for item in base.items(d.task) if key(item.standard) == k), None)
        if own is not None and own != d.label:
            problems.append(f"{where}: {d.alias!r} is the standard name of {own!r}; it cannot be re-pointed")
            continue
        earlier = decided[d.task].get(k)
        if earlier is not None and earlier.label != d.label:
            problems.append(f"{where}: another decision makes {earlier.alias!r} (same key) "
                            f"{_target(earlier.label)}; keep one")
            continue
        decided[d.task][k] = d
    return decided


def _entries(base: Catalog, overlay: Overlay, decided, problems: list[str]) -> list[_Entry]:
    """Every alias and negative of the overlay, checked against the built-in catalog and each other."""
    listed: list[_Entry] = []
    for task in TASKS:
        section = SECTIONS[task]
        for i, entry in enumerate(overlay.entries(task)):
            label = entry.label if task != "column" else entry.name
            if hint := _unknown_label(base, task, label):
                problems.append(f"{section}[{i}] ({label}): {hint}")
                continue
            for family, names in entry.aliases.items():
                listed += [_Entry(task, label, a, f"{section}[{i}] ({label}).aliases.{family}[{j}]")
                           for j, a in enumerate(names)]
        listed += [_Entry(task, None, n, f"negatives.{task}[{j}]") for j, n in enumerate(getattr(overlay.negatives, task))]
    seen: dict[tuple[str, str], _Entry] = {}
    out = []
    for e in listed:
        problem = _entry_problem(base, e, decided, seen)
        if problem:
            problems.append(problem)
            continue
        seen.setdefault((e.task, key(e.alias)), e)
        out.append(e)
    return out


def _entry_problem(base: Catalog, e: _Entry, decided, seen) -> str | None:
    k = key(e.alias)
    if not k:
        return f"{e.where}: {e.alias!r} normalizes to nothing"
    decision = decided[e.task].get(k)
    if decision is not None:
        if decision.label != e.label:
            return (f"{e.where}: {e.alias!r} is listed as {_describe(e.label)}, but the overlay's decision for "
                    f"{decision.alias!r} makes it {_target(decision.label)}")
        return None
    other = seen.get((e.task, k))
    if other is not None and other.label != e.label:
        return (f"{e.where}: {e.alias!r} ({_describe(e.label)}) has the same key as {other.alias!r} at "
                f"{other.where} ({_describe(other.label)}); keep one")
    found, current = base.lookup(e.task, k)
    if found and current != e.label:
        return (f"{e.where}: {e.alias!r} is {_describe(e.label)} here but {_describe(current)} in the built-in "
                f"catalog; if you mean to override it, add a decision (task: {e.task}, alias: {e.alias!r}, "
                f"label: {_yaml_label(e.label)}, reason: ...) to the overlay's decisions")
    return None


def _merged_items(items: list, task: str, overlay: Overlay, decided, removed: set[str]) -> list:
    extra: dict[str, dict[str, list[str]]] = {}
    for entry in overlay.entries(task):
        label = entry.label if task != "column" else entry.name
        for family, names in entry.aliases.items():
            extra.setdefault(label, {}).setdefault(family, []).extend(names)
    listed = {key(a) for fams in extra.values() for names in fams.values() for a in names}
    for k, d in decided[task].items():
        if d.label is not None and k not in listed:
            extra.setdefault(d.label, {}).setdefault(DECIDED_FAMILY, []).append(d.alias)
    out = []
    for item in items:
        aliases = {fam: [a for a in names if key(a) not in removed] for fam, names in item.aliases.items()}
        for family, names in extra.get(item.standard, {}).items():
            aliases[family] = aliases.get(family, []) + names
        out.append(item.model_copy(update={"aliases": aliases}))
    return out


def _merged_negatives(base: Catalog, task: str, overlay: Overlay, decided, removed: set[str]) -> list[str]:
    names = [n for n in base.negative_names(task) if key(n) not in removed] + getattr(overlay.negatives, task)
    listed = {key(n) for n in getattr(overlay.negatives, task)}
    names += [d.alias for k, d in decided[task].items() if d.label is None and k not in listed]
    return names


def _unknown_label(base: Catalog, task: str, label: str) -> str | None:
    """None when `label` is a standard value of the task, else the problem with a did-you-mean."""
    items = base.items(task)
    labels = [item.standard for item in items]
    if label in labels:
        return None
    what = {"vehicle": "a MOVES source type", "pollutant": "a standard pollutant", "column": "a standard field"}[task]
    guess = next((item.standard for item in items if key(item.standard) == key(label) or key(item.zh) == key(label)),
                 None)
    if guess is None:
        close = difflib.get_close_matches(label, labels, n=1, cutoff=0.5)
        guess = close[0] if close else None
    if guess:
        return f"{label!r} is not {what}; did you mean {guess!r}?"
    return f"{label!r} is not {what}; the {task} labels are: {', '.join(labels)}"


def _describe(label: str | None) -> str:
    return "a negative (not a standard value)" if label is None else f"an alias of {label!r}"


def _target(label: str | None) -> str:
    return NOT_STANDARD if label is None else repr(label)


def _yaml_label(label: str | None) -> str:
    return "null" if label is None else repr(label)
