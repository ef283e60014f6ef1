"""The standardization of one table as a plan: decided once from the header and the first batch, then applied
to every batch (the Python engine) or written as SQL (sql_plan). Counts for the report accumulate over batches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from emstd.catalog.normalize import compact, fold
from emstd.infer import units as U
from emstd.infer.column_rules import ColumnMapping
from emstd.infer.rules import default_engine
from emstd.infer.standardizer import Standardizer

VALUE_COLUMN_HINTS = {
    "vehicle": ["车型", "车辆类型", "车种", "车类", "车辆类别", "车辆种类", "vehicletype", "vehtype", "vtype", "vclass",
                "vehicleclass", "sourcetype", "sourcetypename", "vehiclecategory", "类型", "category", "vehicle"],
    "pollutant": ["污染物", "排放物", "pollutant", "pollutantname", "species", "污染物名称", "污染物种类"],
}
OUTPUT_NAMES = {"vehicle": "source_type", "pollutant": "pollutant"}
VALUE_SHARE = 0.5  # a text column whose distinct values are at least this often standard labels is a value column
MAX_UNRESOLVED_LISTED = 50
ROUND_DIGITS = 6


@dataclass
class MappedColumn:
    source: str
    target: str
    unit: str | None
    conversion: U.Conversion | None = None
    origin: float | None = None  # epoch conversions: the column's minimum, shared by every batch
    unparsed: int = 0

    @property
    def field(self) -> str:
        return self.target if self.target in U.STANDARD_UNIT else "fleet_mix"


@dataclass
class ValueColumn:
    source: str
    kind: str  # vehicle | pollutant
    output: str
    counts: dict[str, int] = field(default_factory=dict)
    answers: dict[str, object] = field(default_factory=dict)  # distinct value -> Answer


@dataclass
class TablePlan:
    mapping: ColumnMapping
    mapped: list[MappedColumn]
    values: list[ValueColumn]
    kept: list[tuple[str, str]]  # (source header, output name)
    round_digits: int | None = ROUND_DIGITS  # None: full precision (MOVES export rounds itself)
    keep_text: bool = True  # converted columns keep non-numeric text (CSV/XLSX); Parquet columns stay numeric
    notes: list[str] = field(default_factory=list)
    moves_report: dict | None = None

    @property
    def output_columns(self) -> list[str]:
        targets = list(dict.fromkeys(m.target for m in self.mapped))  # fleet-mix columns of one type are summed
        return targets + [v.output for v in self.values] + [o for _, o in self.kept]

    def epoch_columns(self) -> list[MappedColumn]:
        return [m for m in self.mapped if m.unit in U.EPOCH_PER_SECOND and m.conversion is not None]


def build_plan(headers: list[str], cmap: ColumnMapping, first: pd.DataFrame, convert_units: bool,
               raw: set[str] = frozenset()) -> TablePlan:
    """`raw`: coded columns a table profile keeps as written (NGSIM v_Class 3 is a truck, not MOVES type 3...)."""
    mapped, unmapped = [], []
    for header in headers:
        target = cmap.mapping[header]
        if target is None:
            unmapped.append(header)
            continue
        col = MappedColumn(header, target, cmap.units.get(header))
        if convert_units:
            col.conversion = U.conversion_for(col.unit, col.field)
        mapped.append(col)
    taken = {m.target for m in mapped} | set(unmapped)
    values = []
    for header in unmapped:
        kind = None if header in raw else value_column_kind(header, first[header])
        if kind is not None:
            name = free_name(OUTPUT_NAMES[kind], taken)
            taken.add(name)
            values.append(ValueColumn(header, kind, name))
    kept, names = [], {m.target for m in mapped} | {v.output for v in values}
    for header in unmapped:
        name = free_name(header, names)
        names.add(name)
        kept.append((header, name))
    return TablePlan(cmap, mapped, values, kept)


def apply_plan(plan: TablePlan, batch: pd.DataFrame, standardizer: Standardizer) -> pd.DataFrame:
    out = {}
    for col in plan.mapped:
        series = batch[col.source]
        if col.conversion is not None:
            series = _convert(col, series, plan.round_digits, plan.keep_text)
        if col.target in out:  # another column of the same fleet-mix type: the two add up
            both = pd.concat([pd.to_numeric(out[col.target], errors="coerce"), pd.to_numeric(series, errors="coerce")],
                             axis=1)
            series = both.sum(axis=1, min_count=1)
        out[col.target] = series
    for v in plan.values:
        out[v.output] = _standardize_values(standardizer, batch[v.source], v)
    for source, name in plan.kept:
        out[name] = batch[source]
    return pd.DataFrame(out, index=batch.index)


def _convert(col: MappedColumn, series: pd.Series, digits: int | None, keep_text: bool) -> pd.Series:
    numbers = pd.to_numeric(series, errors="coerce")
    unparsed = series.notna() & numbers.isna()
    converted = U.convert(numbers.to_numpy(dtype=float, na_value=np.nan), col.unit, col.field, origin=col.origin)
    out = pd.Series(converted, index=series.index)  # float64: fast to write, NaN where empty
    if digits is not None:
        out = out.round(digits)
    n = int(unparsed.sum())
    col.unparsed += n
    if n and keep_text:
        out = out.astype(object)
        out[unparsed] = series[unparsed]  # text that is not a number is kept as the user wrote it
    return out


def _standardize_values(standardizer: Standardizer, series: pd.Series, v: ValueColumn) -> pd.Series:
    """Standardize each distinct value once (the Standardizer caches across batches); map back by category codes."""
    cat = series.astype(str).where(series.notna()).astype("category")
    distinct = [str(x) for x in cat.cat.categories]
    answers = standardizer.standardize(distinct, v.kind)
    labels = np.array([a.standard for a in answers] + [None], dtype=object)  # index -1 (missing) -> None
    codes = cat.cat.codes.to_numpy()
    counts = np.bincount(codes[codes >= 0], minlength=len(distinct))
    for value, answer, count in zip(distinct, answers, counts):
        v.counts[value] = v.counts.get(value, 0) + int(count)
        v.answers[value] = answer
    return pd.Series(labels[codes], index=series.index, dtype=object)


def value_report(v: ValueColumn) -> dict:
    unresolved = {_shown(value, a.method): v.counts[value] for value, a in v.answers.items() if a.standard is None}
    listed = dict(sorted(unresolved.items(), key=lambda kv: -kv[1])[:MAX_UNRESOLVED_LISTED])
    return {"source": v.source, "task": v.kind, "output": v.output, "distinct": len(v.answers),
            "resolved": len(v.answers) - len(unresolved), "unresolved": listed, "unresolved_total": len(unresolved)}


def column_report(plan: TablePlan, headers: list[str]) -> list[dict]:
    cmap = plan.mapping
    by_source = {m.source: m for m in plan.mapped}
    out = []
    for header in headers:
        entry = {"source": header, "field": cmap.mapping[header], "unit": cmap.units.get(header), "conversion": None,
                 "confidence": cmap.confidence[header], "method": cmap.methods.get(header)}
        m = by_source.get(header)
        if m is not None and m.conversion is not None:
            conv = m.conversion
            entry["conversion"] = {"from": conv.source, "to": conv.target, "how": conv.description}
            if m.origin is not None:
                entry["conversion"]["origin"] = m.origin
            entry["unparsed"] = m.unparsed
        out.append(entry)
    return out


def value_column_kind(header: str, series: pd.Series) -> str | None:
    k = compact(fold(header))
    for kind, hints in VALUE_COLUMN_HINTS.items():
        if any(h in k for h in hints):
            return kind
    distinct = series.dropna().astype(str).unique()[:200]
    texty = [v for v in distinct if not re.fullmatch(r"[\d.\-+eE ]+", v)]
    if len(texty) < max(1, len(distinct) // 2):
        return None  # numeric columns are never value columns by content alone (ids like 21 would look like types)
    # decided by the rules only: a model answers *something* for any text ("道路1段", "V001"), so asking it whether
    # a column holds vehicle names would make every text column a vehicle column
    rules = default_engine()
    for kind in ("vehicle", "pollutant"):
        answers = [rules.standardize(v, kind) for v in texty]
        if sum(a.standard is not None for a in answers) >= VALUE_SHARE * len(texty):
            return kind
    return None


def _shown(value: str, method: str) -> str:
    """A value as listed in the report: an oversized cell is named by its start and size, not copied whole."""
    if method == "too_long":
        return f"{value[:40]}... ({len(value)} characters: too long to be a name, not sent to any model)"
    return value


def free_name(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    i = 2
    while f"{name}_{i}" in taken:
        i += 1
    return f"{name}_{i}"
