"""Pollutant names decided by a qualifier rather than a list (docs/catalog.md, "Structured rules").

- Particle size stated in the name decides PM2.5 vs PM10 (颗粒物(粒径小于等于10μm), particulate matter < 2.5 µm).
- Non-exhaust particles (brake and tyre wear, road dust, resuspension) are other MOVES pollutants (116, 117): null.
- A chemical component of PM (sulfate, nitrate, ammonium, organic or elemental carbon) is part of the mass, not the
  pollutant: null.
- A formula in brackets that is itself a known name decides (一酸化窒素(NO) -> NO, not NOx).
- Other particle sizes (PM1.0, PM4, 0.3 µm) and particle counts are not PM2.5 or PM10 mass: null.
- A reporting basis after the name ("nitrogen oxides as nitrogen dioxide", "NOx (以NO2计)") does not change it.

Functions take the folded name and a `lookup(name) -> (found, label)` into the catalog.
"""

from __future__ import annotations

import re

from emstd.catalog.normalize import unaccent
from emstd.infer import chemical_names
from emstd.infer.catalog_names import Decision, Lookup, named

_PARTICLE = re.compile(r"颗粒|粒子|粒状|微粒|粉尘|particul|particol|partikel|partikl|particle|(?<![a-z])pm(?![a-z])")
# a size in micrometres is a particle size, whatever the words around it ("pył zawieszony 2.5 µm", "10 мкм")
_UM = r"(?:um|μm|µm|微米|microns?|micrometers?|micrometres?|мкм|mikromet(?:er|re|r)\w*|mikron\w*|micrometr\w*)"
_SIZE = re.compile(rf"(?<![\d.,])(10|2[.,]5)(?:[.,]0+)?\s*{_UM}")
# the Spanish and Portuguese "material particulado" code (MP10, MP2,5) and CAMS' "pm2p5" are PM codes too
_PM_CODE = re.compile(r"(?<![a-z0-9])(?:mp\s?(10|2[.,]5)|pm(2)p5|pm(10)p0)(?![0-9])")
# a total of every particle size (TSP, "partículas suspendidas totales") or the coarse part (PM10-2.5) is not one
# of the two sizes; "total" after a PM code is an emission total ("PMx_total"), not a size
# (a glued "_total" is an emission total: "微粒_total" is particulates)
_TOTAL = re.compile(r"(?<![a-z_])(?:total(?:es|e|i)?|totais|totaux|gesamt\w*)(?![a-z])|总悬浮")
_COARSE = re.compile(r"(?<![a-z])(?:coarse|grues\w*|grossas?|pmc|pmco)(?![a-z])|粗颗粒")
_PARTICLE_WORD = re.compile(r"颗粒|粒子|粒状|微粒|粉尘|particul|particol|partikel|partikl|particle")
# a CO2 equivalent (a greenhouse-gas total weighted by warming potential): "t eq CO2", "CO2-eq", "CO2e"
_CO2_EQUIVALENT = re.compile(r"(?<![a-z])[kmg]?t?\s?eq\.?\s?co2(?![a-z])|(?<![a-z])co2[\s_.-]?(?:e|eq|equiv\w*|"
                             r"aquivalent\w*)(?![a-z])|(?:二氧化碳|co2)当量|"
                             # another pollutant's equivalent (Eurostat NOX_SO2E: NOx weighted as SO2): a potency index
                             r"[_\s](?:so2|nmvoc|voc|ch4|n2o|pm10|pm25)[\s_.-]?(?:e|eq)(?![a-z0-9])")
_SULPHUR = re.compile(r"(?<![a-z])sox(?![a-z])|sulph|sulf")
# NEI's filterable (FIL) and condensable (CON) parts of the PM mass, alone; together (or primary, PRI) they are all
_PM_PART = re.compile(r"(?<![a-z])(?:pm(?:10|25|2\.5)?[\s_-]*(fil|con)(?=[\s_-]|emission|$)|"
                      r"(filterable|condensable)(?![a-z]))")
_FIL_AND_CON = re.compile(r"fil\w*\s*(?:\+|and|&)\s*con\w*|con\w*\s*(?:\+|and|&)\s*fil\w*")
_SIZED = re.compile(rf"\d\s*[_\s]?{_UM}")
# other stated sizes (PM1, PM1.0, PM4, PM0.1, 0.3 µm) and counts of particles are not PM2.5 or PM10 mass
_OTHER_SIZE = re.compile(r"(?<![a-z0-9])pm\s?[_.]?\s?(?:0?1(?:[._,]0)?|4(?:[._,]0)?|0[._,]1)(?![0-9]|[._,]\d)|"
                         rf"(?<![\d.,])(?:0[.,]\d+|1(?:[.,]0)?|4|5)\s*[_\s]?{_UM}")
_LEADING_POLLUTANT = re.compile(r"(?<![a-z])(?:primary|main|major|dominant|leading|dominating|prevailing)[\s_-]+"
                                r"pollutants?(?![a-z])|首要污染物|主要污染物|主导污染物")
# atmospheric models' variable prefixes (pyaerocom conc/vmr/mmr, emission files e_, GEOS-Chem SpeciesConc_)
_MODEL_PREFIX = re.compile(r"^(?:s?conc|vmr|mmr|speciesconc|mass[\s_]concentration[\s_]of|mole[\s_]fraction[\s_]of|"
                           r"pollutant|emi|e)[\s_]?(?=[a-z0-9])")  # "pollutantSO2": a weather API's field
_STATED_CODE = re.compile(r"(?<![a-z0-9])pm\s?[_.]?\s?(?:2[.,_]?5|10)(?![0-9])")
_TRAILING_ZERO = re.compile(r"(?<![a-z0-9])pm\s?(10|2[.,]5)[.,]0+(?![0-9])")
_COUNT = re.compile(r"个数|数浓度|粒子数|(?<![a-z])(?:count|counts|cnt|number|num|pn|pnc)(?![a-z])")
_NON_EXHAUST = re.compile(r"制动|刹车|轮胎|磨损|扬尘|道路尘|再悬浮|非尾气|(?<![a-z])pm[bt]w(?![a-z])|resusp|"
                          r"(?<![a-z])(?:brake|tire|tyre|wear|brakewear|tirewear|tyrewear|road[\s_-]?dust|resuspen\w*|"
                          r"non[\s_-]?exhaust|nonexhaust|abrasion)(?![a-z])")
# a substance measured in the particles ("Blei im Feinstaub", "nickel in PM10", UBA's "PM10BAP", "PM10NI")
_IN_PARTICLES = re.compile(r"^(?!pm|feinstaub|partic|staub|schweb)\S.*?\s(?:im|in|dans|nel|en|w|v)\s+(?:dem\s+)?(?:feinstaub|"
                           r"schwebstaub|pm\s?(?:10|2\.?5)|particulate|particles|partikel|staub)|"
                           r"^pm\s?(?:10|2\.?5|25)[\s_-]*(?:bap|as|cd|ni|pb|hg|cr|cu|zn|fe|mn|v|ec|oc|bc|so4|no3|nh4|na|cl|"
                           r"ca|mg|k|du|dust|nit|soa|poa|ss|su|seasalt)(?:[\s_-]+[a-z0-9]+)*$")  # GEOS-CF "PM25bc_RH35"
_SPECIES = re.compile(r"硫酸盐|硝酸盐|铵盐|有机碳|元素碳|黑碳|铅|重金属|"
                      r"(?<![a-z])(?:sulfates?|sulphates?|nitrates?|ammonium|organic[\s_-]?carbon|"
                      r"elemental[\s_-]?carbon|black[\s_-]?carbon|so4|no3|nh4|lead|pb|metals?|"
                      r"(?:non|semi)?[\s_-]?volatile|nv(?=\s?pm))(?![a-z])")  # a component or a fraction of the mass
# "nitrogen oxides as nitrogen dioxide", "NOx (以NO2计)": the basis a mass is reported on, not the pollutant
_BASIS = re.compile(r"(?:\s+|\s*[\(\[]\s*)(?:(?:expressed|calculated|reported|measured)\s+)?(?:as|als|en|como|jako|"
                    r"in terms of)\s+[^\(\)]{1,40}?[\)\]]?\s*$|\s*[\(\[]?以[^\(\)]{1,20}计[\)\]]?\s*$")
_BASIS_WORDS = re.compile(r"^[\s\(\[]*(?:(?:expressed|calculated|reported|measured)\s+)?(?:as|als|en|como|jako|"
                          r"in terms of)\s+|^[\s\(\[]*以|计[\)\]]?\s*$")
_ANY_SIZE = re.compile(rf"(?<![\d.,])(\d+(?:[.,]\d+)?)\s*[_\s]?{_UM}")  # "< 1 µm", "4um": a size of any fraction
_PM_UNSIZED = re.compile(r"(?<![a-z])pmx(?![a-z])")
_BRACKETED = re.compile(r"[\(\[\{]([^\(\)\[\]\{\}]{1,20})[\)\]\}]")


def without_basis(folded: str, lookup: Lookup) -> str | None:
    """The name without a reporting basis after it ("nitrogen oxides as nitrogen dioxide" -> "nitrogen oxides"),
    or None when it states none. A basis is a pollutant the catalog knows: Spanish and French "en" is also "in"
    ("partículas en suspensión < 10 µm" states no basis)."""
    basis = _BASIS.search(folded)
    if not basis or basis.start() == 0:
        return None
    stated = _BASIS_WORDS.sub("", folded[basis.start():]).strip(" ()[]")
    return folded[:basis.start()].strip() if lookup(stated)[0] else None


def decide(folded: str, lookup: Lookup) -> Decision | None:
    """A decision from the name's qualifiers, or None when they say nothing."""
    if _LEADING_POLLUTANT.search(folded):  # the field that says which pollutant leads an air-quality index
        return None, 0.92
    if (m := _MODEL_PREFIX.match(folded)) and (found := lookup(folded[m.end():]))[0]:
        return found[1], 0.92  # a model's variable name: "vmrco" is CO, "conco3" ozone
    folded = unaccent(folded)  # "partículas totais": lists drop accents as often as they keep them
    if (m := _CO2_EQUIVALENT.search(folded)) and not (m.group(0).lstrip(" _").startswith("so2") and _SULPHUR.search(folded)):
        return None, 0.92  # an equivalent; "SOX_SO2E", sulphur oxides in SO2 equivalent, is SOx on an SO2 basis
    if chemical_names.methane_free(folded):  # "Kohlenwasserstoffe (ohne Methan)": NMHC before the bracket goes
        return named("NMHC", lookup, 0.92)
    if m := _PM_CODE.search(folded):
        return named("PM10" if (m.group(1) or m.group(2) or m.group(3)) == "10" else "PM2.5", lookup, 0.95)
    sized = _SIZED.search(folded)
    if _IN_PARTICLES.search(folded):
        return None, 0.92
    if _PARTICLE.search(folded) or sized or re.search(r"pm\s?[_.]?\s?(?:2\.?5|10|x)|(?<![a-z])pmco?(?![a-z])", folded):
        if _NON_EXHAUST.search(folded) or _SPECIES.search(folded) or _COUNT.search(folded):
            return None, 0.92
        if _PM_PART.search(folded) and not _FIL_AND_CON.search(folded):
            return None, 0.92
        if m := _SIZE.search(folded):
            return named("PM10" if m.group(1) == "10" else "PM2.5", lookup, 0.95)
        if _ANY_SIZE.search(folded) and not _STATED_CODE.search(folded):  # PM1, PM4: another fraction
            return None, 0.92
        if (_COARSE.search(folded) or (_TOTAL.search(folded) and _PARTICLE_WORD.search(folded))) \
                and not _STATED_CODE.search(folded):
            return None, 0.9
        if m := _TRAILING_ZERO.search(folded):  # "pm10.0", as sensor networks write it, is PM10
            return named("PM10" if m.group(1) == "10" else "PM2.5", lookup, 0.95)
        if _OTHER_SIZE.search(folded):
            return None, 0.92
    if _PM_UNSIZED.search(folded):  # SUMO/HBEFA "PMx": particulate matter of no stated size
        return named("PM", lookup, 0.95)
    for inner in _BRACKETED.findall(folded):  # a formula in brackets names the pollutant exactly
        found, label = lookup(inner.strip())
        if found:
            return label, 0.95
    return None

