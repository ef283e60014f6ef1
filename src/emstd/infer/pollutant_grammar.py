"""Pollutant names decided by a qualifier rather than a list (docs/catalog.md, "Structured rules").

- Particle size stated in the name decides PM2.5 vs PM10 (颗粒物(粒径小于等于10μm), particulate matter < 2.5 µm).
- Non-exhaust particles (brake and tyre wear, road dust, resuspension) are other MOVES pollutants (116, 117): null.
- A chemical component of PM (sulfate, nitrate, ammonium, organic or elemental carbon) is part of the mass, not the
  pollutant: null.
- A formula in brackets that is itself a known name decides (一酸化窒素(NO) -> NO, not NOx).

Functions take the folded name and a `lookup(name) -> (found, label)` into the catalog.
"""

from __future__ import annotations

import re

from emstd.infer.catalog_names import Decision, Lookup, named

_PARTICLE = re.compile(r"颗粒|粒子|微粒|粉尘|particul|particle|(?<![a-z])pm(?![a-z])")
_SIZE = re.compile(r"(?<![\d.])(10|2\.5)\s*(?:um|μm|µm|微米|micron)")
_NON_EXHAUST = re.compile(r"制动|刹车|轮胎|磨损|扬尘|道路尘|再悬浮|非尾气|"
                          r"(?<![a-z])(?:brake|tire|tyre|wear|brakewear|tirewear|tyrewear|road[\s_-]?dust|resuspen\w*|"
                          r"non[\s_-]?exhaust|nonexhaust|abrasion)(?![a-z])")
_SPECIES = re.compile(r"硫酸盐|硝酸盐|铵盐|有机碳|元素碳|黑碳|"
                      r"(?<![a-z])(?:sulfates?|sulphates?|nitrates?|ammonium|organic[\s_-]?carbon|"
                      r"elemental[\s_-]?carbon|black[\s_-]?carbon|so4|no3|nh4)(?![a-z])")
_PM_UNSIZED = re.compile(r"(?<![a-z])pmx(?![a-z])")
_BRACKETED = re.compile(r"[\(\[\{]([^\(\)\[\]\{\}]{1,20})[\)\]\}]")


def decide(folded: str, lookup: Lookup) -> Decision | None:
    """A decision from the name's qualifiers, or None when they say nothing."""
    if _PARTICLE.search(folded) or re.search(r"pm\s?[_.]?\s?(?:2\.?5|10|x)", folded):
        if _NON_EXHAUST.search(folded) or _SPECIES.search(folded):
            return None, 0.92
        if m := _SIZE.search(folded):
            return named("PM10" if m.group(1) == "10" else "PM2.5", lookup, 0.95)
    if _PM_UNSIZED.search(folded):  # SUMO/HBEFA "PMx": particulate matter of no stated size
        return named("PM", lookup, 0.95)
    for inner in _BRACKETED.findall(folded):  # a formula in brackets names the pollutant exactly
        found, label = lookup(inner.strip())
        if found:
            return label, 0.95
    return None

