"""`emstd standardize-table`: a user table in, the standardized table and a report out.

Mapped columns are renamed to their standard names (and converted with --convert-units), vehicle-type and pollutant
value columns get a standardized companion column, and every other column is kept unchanged after them. The input
file is never modified; both outputs are written atomically.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from emstd.catalog.normalize import compact, fold
from emstd.errors import InputFileError
from emstd.infer import units as U
from emstd.infer.rules import default_engine
from emstd.infer.standardizer import Standardizer
from emstd.infer.tables import read_table
from emstd.io import atomic_path, write_json_atomic

VALUE_COLUMN_HINTS = {
    "vehicle": ["车型", "车辆类型", "车种", "车类", "车辆类别", "车辆种类", "vehicletype", "vehtype", "vtype", "vclass",
                "vehicleclass", "sourcetype", "sourcetypename", "vehiclecategory", "类型", "category", "vehicle"],
    "pollutant": ["污染物", "排放物", "pollutant", "pollutantname", "species", "污染物名称", "污染物种类"],
}
OUTPUT_NAMES = {"vehicle": "source_type", "pollutant": "pollutant"}
VALUE_SHARE = 0.5  # a text column whose distinct values are at least this often standard labels is a value column
MAX_UNRESOLVED_LISTED = 50


def standardize_table(
    standardizer: Standardizer, path, out, task: str | None = None, convert_units: bool = False,
    sheet: str | None = None, progress=lambda msg: None,
) -> dict:
    path, out = Path(path), Path(out)
    if out.resolve() == path.resolve():
        raise InputFileError(f"{out}: the output would overwrite the input. Choose another --out path.")
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise InputFileError(f"{out}: the output must end in .csv or .xlsx.")

    progress(f"reading {path}")
    table = read_table(path, sheet=sheet)
    frame = table.frame
    progress(f"{len(frame)} rows, {len(frame.columns)} columns; mapping columns")
    cmap = standardizer.map_columns(table.headers, table.samples(), task)

    columns_report, out_cols = [], {}
    for header in table.headers:
        target = cmap.mapping[header]
        unit = cmap.units.get(header)
        entry = {"source": header, "field": target, "unit": unit, "conversion": None,
                 "confidence": cmap.confidence[header], "method": cmap.methods.get(header)}
        if target is not None:
            series = frame[header]
            if convert_units:
                series, entry["conversion"], entry["unparsed"] = _convert(series, unit, target)
            out_cols[target] = series
        columns_report.append(entry)

    progress("standardizing vehicle-type and pollutant values")
    value_reports = []
    unmapped = [h for h in table.headers if cmap.mapping[h] is None]
    for header in unmapped:
        kind = _value_column_kind(header, frame[header])
        if kind is None:
            continue
        name = _free_name(OUTPUT_NAMES[kind], set(out_cols) | set(unmapped))
        standard, report = _standardize_values(standardizer, frame[header], kind)
        out_cols[name] = standard
        value_reports.append({"source": header, "task": kind, "output": name, **report})

    for header in unmapped:
        out_cols[_free_name(header, set(out_cols))] = frame[header]
    result = pd.DataFrame(out_cols)

    progress(f"writing {out}")
    _write_frame(result, out)
    report = {
        "input": str(path), "sheet": table.sheet, "encoding": table.encoding, "output": str(out), "task": cmap.task,
        "rows": len(frame), "convert_units": convert_units, "columns": columns_report, "value_columns": value_reports,
        "notes": cmap.notes,
    }
    write_json_atomic(Path(str(out) + ".report.json"), report)
    return report


def _convert(series: pd.Series, unit: str | None, target: str):
    field = target if target in U.STANDARD_UNIT else "fleet_mix"  # fleet-mix columns convert to % like any field
    conv = U.conversion_for(unit, field)
    if conv is None:
        return series, None, 0
    numbers = pd.to_numeric(series, errors="coerce")
    unparsed = series.notna() & numbers.isna()
    converted = U.convert(numbers.to_numpy(), unit, field)
    out = pd.Series(converted, index=series.index).round(6)  # float64: fast to write, NaN where empty
    if unparsed.any():
        out = out.astype(object)
        out[unparsed] = series[unparsed]  # text that is not a number is kept as the user wrote it
    return out, {"from": conv.source, "to": conv.target, "how": conv.description}, int(unparsed.sum())


def _value_column_kind(header: str, series: pd.Series) -> str | None:
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


def _standardize_values(standardizer: Standardizer, series: pd.Series, kind: str):
    """Standardize each distinct value once; map back by category codes (vectorized: 1M rows in well under 1 s)."""
    cat = series.astype("category")
    distinct = [str(v) for v in cat.cat.categories]
    answers = standardizer.standardize(distinct, kind)
    labels = np.array([a.standard for a in answers] + [None], dtype=object)  # index -1 (missing) -> None
    codes = cat.cat.codes.to_numpy()
    standard = pd.Series(labels[codes], index=series.index, dtype=object)
    counts = np.bincount(codes[codes >= 0], minlength=len(distinct))
    unresolved = {_shown(v, a.method): int(counts[i]) for i, (v, a) in enumerate(zip(distinct, answers))
                  if a.standard is None}
    listed = dict(sorted(unresolved.items(), key=lambda kv: -kv[1])[:MAX_UNRESOLVED_LISTED])
    return standard, {
        "distinct": len(distinct), "resolved": len(distinct) - len(unresolved),
        "unresolved": listed, "unresolved_total": len(unresolved),
    }


def _shown(value: str, method: str) -> str:
    """A value as listed in the report: an oversized cell is named by its start and size, not copied whole."""
    if method == "too_long":
        return f"{value[:40]}... ({len(value)} characters: too long to be a name, not sent to any model)"
    return value


def _free_name(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    i = 2
    while f"{name}_{i}" in taken:
        i += 1
    return f"{name}_{i}"


def _write_frame(frame: pd.DataFrame, out: Path) -> None:
    with atomic_path(out) as tmp:
        if out.suffix.lower() == ".xlsx":
            frame.to_excel(tmp, index=False, engine="openpyxl")
        else:
            # UTF-8 with a BOM so Excel opens Chinese text correctly (pandas and csv readers accept it too); the BOM
            # is written by hand because pandas' utf-8-sig path encodes row by row in Python (~3x slower)
            with open(tmp, "w", encoding="utf-8", newline="") as f:
                f.write("\ufeff")
                frame.to_csv(f, index=False, lineterminator="\n")
