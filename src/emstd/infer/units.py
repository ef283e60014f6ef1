"""Units of the standard fields: spellings in headers, detection from value ranges, and conversion.

Every field has one standard unit (docs/design.md, "Domain facts"). A source column may use another; the header usually says so
("车速(mph)", "speed_fps", "路段长度/m") and, when it does not, the values sometimes do (epoch milliseconds,
0–1 fractions). Conversion is a linear factor except slope in degrees (tan) and epoch time (offset).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

# unit -> (standard unit it converts to, factor); value_std = value * factor
FACTORS: dict[str, tuple[str, float]] = {
    # speed
    "km/h": ("km/h", 1.0), "mph": ("km/h", 1.609344), "m/s": ("km/h", 3.6), "ft/s": ("km/h", 1.09728),
    "knot": ("km/h", 1.852),
    # acceleration
    "m/s2": ("m/s2", 1.0), "ft/s2": ("m/s2", 0.3048), "km/h/s": ("m/s2", 1 / 3.6), "mph/s": ("m/s2", 0.44704),
    "g": ("m/s2", 9.80665),
    # time
    "s": ("s", 1.0), "ms": ("s", 0.001), "us": ("s", 1e-6), "min": ("s", 60.0), "h": ("s", 3600.0),
    "frame25": ("s", 0.04),  # video frames at 25 per second (highD, inD); only ever set by a table profile
    # length
    "km": ("km", 1.0), "m": ("km", 0.001), "mi": ("km", 1.609344), "ft": ("km", 0.0003048),
    # grade
    "%": ("%", 1.0), "fraction": ("%", 100.0), "permille": ("%", 0.1),
    # flow
    "veh/h": ("veh/h", 1.0), "veh/5min": ("veh/h", 12.0), "veh/15min": ("veh/h", 4.0), "veh/min": ("veh/h", 60.0),
    "veh/day": ("veh/h", 1 / 24), "veh/s": ("veh/h", 3600.0),
}
# Non-linear conversions, handled in `convert`.
# Epoch timestamps: units per second. They become seconds since the column's first (smallest) time.
EPOCH_PER_SECOND = {"epoch_s": 1.0, "epoch_ms": 1e3, "epoch_us": 1e6}
SPECIAL = {"deg": "%", **{unit: "s" for unit in EPOCH_PER_SECOND}}

STANDARD_UNIT = {
    "time_sec": "s", "speed_kph": "km/h", "acceleration_mps2": "m/s2", "grade_pct": "%",
    "link_id": None, "link_length_km": "km", "traffic_flow_vph": "veh/h", "avg_speed_kph": "km/h",
}
FLEET_MIX_UNIT = "%"

# Which units are plausible for which field (a "m" in a length header is metres, in a time header minutes).
FIELD_UNITS = {
    "time_sec": ["s", "ms", "us", "min", "h", *EPOCH_PER_SECOND, "frame25"],
    "speed_kph": ["km/h", "mph", "m/s", "ft/s", "knot"],
    "avg_speed_kph": ["km/h", "mph", "m/s", "ft/s", "knot"],
    "acceleration_mps2": ["m/s2", "ft/s2", "km/h/s", "mph/s", "g"],
    "grade_pct": ["%", "deg", "fraction", "permille"],
    "link_length_km": ["km", "m", "mi", "ft"],
    "traffic_flow_vph": ["veh/h", "veh/5min", "veh/15min", "veh/min", "veh/day", "veh/s"],
    "link_id": [],
}

# Spellings, most specific first; matched on folded header text (see catalog.normalize.fold).
_SPELLINGS: list[tuple[str, str]] = [
    ("km/h/s", r"km/h/s|kph/s|km/h per s|kmh/s"),
    ("mph/s", r"mph/s|mi/h/s"),
    ("m/s2", r"m/s\^?2|m/s²|m/s/s|mps2|m·s-2|m s-2|mpss|米/秒2|米每二次方秒|米/秒²"),
    ("ft/s2", r"ft/s\^?2|ft/s²|fps2|ft/s/s|fpss|英尺/秒2"),
    ("veh/5min", r"veh/5\s?min|辆/5\s?分钟|vehicles per 5 min(?:utes)?|5\s?min(?:ute)?\s*(?:count|volume|flow)|5分钟流量|/5min"),
    ("veh/15min", r"veh/15\s?min|辆/15\s?分钟|15\s?min(?:ute)?\s*(?:count|volume|flow)|15分钟流量|/15min"),
    ("veh/min", r"veh/min|辆/分钟|vpm\b"),
    ("veh/day", r"veh/d(?:ay)?|辆/天|辆/日|\baadt\b|\badt\b|日流量|vpd\b"),
    ("veh/s", r"veh/s\b|辆/秒"),
    ("veh/h", r"veh/h|辆/小时|辆/时|辆/h|pcu/h|vph\b|veh/hr|vehicles? per hour|\bvehph\b"),
    ("km/h", r"km/h|kmh\b|kph\b|km/hr|公里/小时|公里每小时|千米/小时|千米每小时|km·h-1|km h-1|\bkmph\b"),
    ("mph", r"mph\b|mi/h|miles? per hour|英里/小时|英里每小时|mi/hr"),
    ("ft/s", r"ft/s|fps\b|feet per second|英尺/秒|ft/sec"),
    ("m/s", r"m/s|mps\b|米/秒|米每秒|m·s-1|m s-1|m/sec"),
    ("knot", r"\bknots?\b|\bkn\b|节"),
    # Waymo's "timestamp_micros": only the unit goes when a header is stripped of its units
    ("epoch_us", r"(?:(?<=epoch)|(?<=unix)|(?<=timestamp))[_ ]?(?:us|micros)\b"),
    ("epoch_ms", r"epoch[_ ]?ms|unix[_ ]?ms|毫秒时间戳|timestamp[_ ]?ms"),
    ("epoch_s", r"epoch\b|unix time|unix[_ ]?s\b|时间戳"),
    ("ms", r"\bms\b|毫秒|millisec"),
    ("us", r"\bmicros\b|microsec|µs|μs|微秒"),
    ("min", r"\bmin\b|\bmins\b|minutes?|分钟"),
    ("h", r"\bhours?\b|\bhr\b|小时"),
    ("s", r"\bs\b|\bsec\b|\bsecs?\b|seconds?|秒"),
    ("mi", r"\bmi\b|\bmiles?\b|英里"),
    ("ft", r"\bft\b|\bfeet\b|英尺"),
    ("km", r"\bkm\b|公里|千米|kilomet(?:er|re)s?"),
    ("m", r"\bm\b|\bmeters?\b|\bmetres?\b|米"),
    ("deg", r"deg(?:ree)?s?\b|°|(?<![\u4e00-\u9fff])度"),
    ("permille", r"‰|permille"),
    ("%", r"%|pct\b|percent|百分比|百分数"),
    ("g", r"\bg(?![a-z])(?!\s*/)|\bg-force\b|\bgs\b"),  # "Acceleration Gs"  # not g/s, g/km: grams per second or per km are mass rates
]


def _letter_boundaries(pattern: str) -> str:
    """\\b treats "_" as a letter, so "length_mi" would hide "mi": use boundaries on ASCII letters instead."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("\\b", i):
            nxt = pattern[i + 2 : i + 3]
            out.append("(?<![a-z])" if (nxt.isalnum() or nxt == "(") else "(?![a-z])")
            i += 2
        else:
            out.append(pattern[i])
            i += 1
    return "".join(out)


_SPELLING_RE = [(unit, re.compile(_letter_boundaries(pattern))) for unit, pattern in _SPELLINGS]


def units_in_header(folded_header: str) -> list[str]:
    """Every unit spelled in a folded header, most specific spelling first."""
    found: list[str] = []
    text = folded_header
    for unit, pattern in _SPELLING_RE:
        if pattern.search(text):
            found.append(unit)
            text = pattern.sub(" ", text)  # "km/h" must not also count as "km" and "h"
    return found


def unit_from_header(folded_header: str, field: str) -> str | None:
    """The unit a header states for a given field, or None when it states none that fits the field."""
    allowed = FIELD_UNITS.get(field, [])
    for unit in units_in_header(folded_header):
        if unit in allowed:
            return unit
    return None


def unit_from_values(values, field: str) -> str | None:
    """Guess a unit from numeric sample values when the header is silent. Conservative: None when unsure."""
    nums = _numbers(values)
    if nums.size == 0:
        return None
    lo, hi = float(nums.min()), float(nums.max())
    if field == "time_sec":
        if lo > 1e14:  # 1e14 us is 1973, as 1e11 ms is; second timestamps are ~1.7e9 today
            return "epoch_us"
        if lo > 1e11:
            return "epoch_ms"
        if lo > 1e8:
            return "epoch_s"
    if field == "grade_pct" and hi <= 0.3 and lo >= -0.3 and np.any(nums != 0) and _has_fraction(nums):
        return "fraction"
    return None


def share_unit_from_values(values) -> str:
    """Fleet-mix columns: 0–1 fractions or 0–100 percentages."""
    nums = _numbers(values)
    if nums.size and float(nums.max()) <= 1.0 and float(nums.min()) >= 0.0:
        return "fraction"
    return "%"


def _numbers(values) -> np.ndarray:
    out = []
    for v in values if values is not None else []:
        try:
            f = float(v)
        except (TypeError, ValueError):
            continue
        if math.isfinite(f):
            out.append(f)
    return np.asarray(out, dtype=float)


def _has_fraction(nums: np.ndarray) -> bool:
    return bool(np.any(np.abs(nums - np.round(nums)) > 1e-9))


@dataclass(frozen=True)
class Conversion:
    source: str
    target: str
    description: str


def conversion_for(unit: str | None, field: str) -> Conversion | None:
    """The conversion from a source unit to the field's standard unit; None when none is needed or possible."""
    target = STANDARD_UNIT.get(field, FLEET_MIX_UNIT)
    if unit is None or target is None or unit == target:
        return None
    if unit in SPECIAL:
        desc = ("tan(deg) * 100" if unit == "deg" else "s - first s" if unit == "epoch_s"
                else f"(t - first t) / {EPOCH_PER_SECOND[unit]:g}")
        return Conversion(unit, target, desc)
    if unit not in FACTORS:  # e.g. fleet-mix counts: shares would need the row's total, not a factor
        return None
    std, factor = FACTORS[unit]
    if std != target:
        return None
    return Conversion(unit, target, f"x {factor:g}")


def convert(values, unit: str, field: str, origin: float | None = None) -> np.ndarray:
    """Convert a numeric array from `unit` into the standard unit of `field` (fleet mix: to %).

    Epoch times become seconds since `origin` (default: the array's minimum; a table read in batches passes the
    whole column's minimum so every batch shares one origin)."""
    arr = np.asarray(values, dtype=float)
    if unit == "deg":
        return np.tan(np.radians(arr)) * 100.0
    if unit in EPOCH_PER_SECOND:
        scale = EPOCH_PER_SECOND[unit]
        start = origin if origin is not None else (np.nanmin(arr) if arr.size else 0.0)
        return (arr - start) / scale
    std, factor = FACTORS[unit]
    return arr * factor
