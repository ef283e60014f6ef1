"""The rules standardizer for single values: normalize -> exact alias -> structured rules -> fuzzy match.

It answers from the catalog only: a label spelled as in the catalog, or None ("not a standard value") for
negatives and for names it cannot place. It never guesses: a fuzzy match needs a high score on a long key.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from emstd.catalog import Catalog, load_catalog
from emstd.catalog.normalize import candidate_forms, candidate_keys, compact, fold, split_camel, strip_wrappers
from emstd.defaults import MAX_VALUE_CHARS
from emstd.infer import chemical_names, glossary, pollutant_grammar, vehicle_grammar

# Confidence per method: how often each kind of match is right on held-out names (rounded, conservative).
CONFIDENCE = {"exact": 1.0, "normalized": 0.97, "code": 0.95, "token": 0.9, "contains": 0.85, "gloss": 0.95}
# "gloss": a name in another language read as its English words, at most as sure as the English reading
# "structured" (vehicle_grammar, pollutant_grammar) carries the confidence of the rule that decided.
RULES_SURE = 0.9  # from here a rules answer needs no second opinion (auto's threshold too)
UNSURE_TOKEN = 0.7  # a vehicle token match next to words that are neither names nor known fillers
CONFIDENCE["user"] = 1.0  # a name from the user's catalog overlay: the user said so
FUZZY_CUTOFF = 86  # rapidfuzz ratio, 0-100
NEAR_MATCH_CUTOFF = 94  # a misspelling this close to a catalog name is that name, whatever its structure says
FUZZY_MIN_LEN = 5  # keys shorter than this are too close to each other ("no2" vs "nox") to fuzz safely
# Qualifiers read from the whole (folded) name before it is stripped to its head, per task.
_QUALIFIERS = {"pollutant": pollutant_grammar.decide, "vehicle": vehicle_grammar.qualified}


@dataclass(frozen=True)
class Answer:
    input: str
    standard: str | None
    method: str
    confidence: float

    def to_dict(self) -> dict:
        return asdict(self)


def guard(text: str) -> Answer | None:
    """The answer for an input no matcher or model should see (empty, or too long to be a name), else None."""
    if not text.strip():
        return Answer(text, None, "empty", 1.0)
    if len(text) > MAX_VALUE_CHARS:
        return Answer(text, None, "too_long", 1.0)
    return None


# --- structured rules: codes that follow a scheme rather than a list -----------------------------------------

# GA 802 vehicle-type codes (letter + two digits): the letter and first digit give the type and size class; each
# prefix maps to a catalog name, so the catalog's documented default for that name decides the label. None: not a
# motor vehicle of MOVES (trailers B/G, trams, tractors T, construction machinery J).
_GA802_PREFIX = {
    "k1": "大型客车", "k2": "中型客车", "k3": "小型客车", "k4": "微型客车",
    "h1": "重型货车", "h2": "中型货车", "h3": "轻型货车", "h4": "微型货车", "h5": "低速货车",
    "q1": "牵引车", "q2": "牵引车", "q3": "牵引车",
    "z1": "货车", "z2": "货车", "z3": "轻型货车", "z4": "微型货车", "z5": "重型货车", "z7": "轻型货车",
    "m1": "摩托车", "m2": "摩托车", "n1": "三轮汽车",
    "b1": None, "b2": None, "b3": None, "g1": None, "g2": None, "g3": None, "t1": None, "t2": None, "j1": None,
}
_GA802 = re.compile(r"^([khqbgmnztj][1-7])[1-9]")
# MOVES hpmsVTypeID (HPMS vehicle groups): 20 and 30 are MOVES2010's cars and light trucks, 25 their union since
_HPMS = {10: "HPMS Motorcycles", 20: "HPMS Passenger Cars", 25: "light duty vehicles", 30: "light truck",
         40: "HPMS Buses", 50: "HPMS Single Unit Trucks", 60: "HPMS Combination Trucks"}
_HPMS_RE = re.compile(r"^(?:moves)?hpmsv?(?:type|vtype|class)?(?:id)?(\d{2})$")
# FHWA 13-class scheme -> catalog names. Classes 8-13 are combinations; the short/long split is by operation, not
# axles, so all take the combination default (the documented decision for "FHWA Class 8").
_FHWA = {
    1: "Motorcycle", 2: "Passenger Car", 3: "Passenger Truck", 4: "bus", 5: "Single Unit Short-haul Truck",
    6: "Single Unit Short-haul Truck", 7: "Single Unit Short-haul Truck", 8: "Combination Long-haul Truck",
    9: "Combination Long-haul Truck", 10: "Combination Long-haul Truck", 11: "Combination Long-haul Truck",
    12: "Combination Long-haul Truck", 13: "Combination Long-haul Truck",
}
_FHWA_RE = re.compile(r"^(?:fhwa|hpms)?(?:vehicle)?(?:class|cls|类)(\d{1,2})$|^fhwa(\d{1,2})$")
_MOVES_ID_RE = re.compile(r"^(?:moves)?(?:sourcetype|sourcetypeid|st|srctype|source)?(\d{2})$")
_POLLUTANT_ID_RE = re.compile(r"^(?:moves)?(?:pollutant|pollutantid|pol|pollid)(\d{1,3})$")
# MOVES pollutantIDs: ours, and the near misses that are other pollutants (None).
MOVES_POLLUTANT_IDS: dict[int, str | None] = {
    1: "THC", 2: "CO", 3: "NOx", 31: "SO2", 90: "CO2", 100: "PM10", 110: "PM2.5",
    5: None, 6: None, 30: None, 32: None, 33: None, 79: None, 80: None, 86: None, 87: None, 91: None, 98: None,
    106: None, 107: None, 116: None, 117: None, 112: None, 115: None, 118: None, 119: None,
}
# HJ 212-2017 (China's online-monitoring data protocol) air-parameter codes, with the protocol's value suffixes
# (a21026-Rtd real-time, -ZsRtd or z converted to reference oxygen, -Avg, -Min, -Max, -Cou). The scheme numbers
# every air parameter (flue-gas state a01, greenhouse gases a05, metals a20, gases a21, organics a24-a31,
# particles a34), so a code that is not one of ours is another quantity (None).
_HJ212_RE = re.compile(r"^a(\d{5})(?:zs|z)?(?:rtd|avg|min|max|cou|flag)?$")
HJ212_CODES: dict[str, str] = {
    "21002": "NOx", "21005": "CO", "21026": "SO2", "34002": "PM10", "34004": "PM2.5", "24087": "THC", "05001": "CO2",
}
# a decimal point stays inside a token: "pm1.0" is one token, not "pm1 0" (PM10); "pm10_24h" is two
_TOKEN_SPLIT = re.compile(r"[\s_\-,;:/\\()\[\]{}|+=]+|(?<!\d)\.+|\.+(?!\d)|(?<=[a-z0-9])(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])(?=[a-z0-9])")


class RulesEngine:
    """Exact, structured and fuzzy matching against one catalog. Build once; `standardize` is cheap."""

    def __init__(self, catalog: Catalog | None = None):
        self.catalog = catalog or load_catalog()
        # keys ordered longest first, for substring containment
        self._by_length = {
            task: sorted((k for k in idx if len(k) >= 2), key=len, reverse=True) for task, idx in self.catalog.index.items()
        }
        self._fuzzy_keys = {task: [k for k in idx if len(k) >= FUZZY_MIN_LEN] for task, idx in self.catalog.index.items()}

    def standardize(self, value, task: str) -> Answer:
        text = "" if value is None else str(value)
        guarded = guard(text)  # the engine is also called directly (fleet-mix headers, value-column detection)
        if guarded is not None:
            return guarded
        found = self.match(text, task)
        if found is None:
            return Answer(text, None, "no_match", 0.0)
        label, method, confidence = found
        return Answer(text, label, "negative" if label is None and method != "user" else method, confidence)

    def match(self, text: str, task: str, *, gloss: bool = True) -> tuple[str | None, str, float] | None:
        """(label or None for a negative, method, confidence), or None when nothing matched at all. `gloss`:
        whether a vehicle name in another language may be read through its words (not again on the gloss)."""
        keys = candidate_keys(text, task)
        if not keys:  # only separators and punctuation: nothing to match
            return None
        hit, label = self.catalog.lookup(task, keys[0])
        if hit:
            method = "user" if self.catalog.is_user(task, keys[0]) else "exact"
            return label, method, CONFIDENCE[method]
        # qualifiers decide before they are stripped: 颗粒物(PM10), brake-wear PM2.5, and a definition by mass or
        # seats before the head after its last 的 ("最大设计总质量不超过3500kg的载货车辆" is N1, not any 载货车辆)
        if task == "pollutant" and (named := pollutant_grammar.without_basis(fold(text), self._name_lookup(task))):
            found = self.match(named, task, gloss=gloss)  # "NOx (以NO2计)": the name, not its reporting basis
            if found is not None:
                return found
        grammar = _QUALIFIERS.get(task)
        found = grammar(fold(split_camel(text)), self._name_lookup(task)) if grammar else None
        if found is not None:
            return found[0], "structured", found[1]
        for k in keys[1:]:
            hit, label = self.catalog.lookup(task, k)
            if hit:
                method = "user" if self.catalog.is_user(task, k) else "normalized"
                return label, method, CONFIDENCE[method]
        # a catalog name (or a near-identical misspelling of one) beats a name's structure; the structure beats
        # guesses from parts of the name. Fuzzy before tokens: "Combinaton Long-haul Truck" is not "truck".
        # a name in another language is read through its words before its structure or parts are guessed at
        stages = (self._by_near_match, *((self._by_gloss,) if gloss else ()), self._by_structure, self._by_code,
                  self._by_chemistry, self._by_bracket, self._by_fuzzy, self._by_tokens, self._by_containment)
        for stage in stages:
            found = stage(text, keys, task)
            if found is not None:
                return found
        return None

    # --- stages -------------------------------------------------------------------------------------------

    def _lookup_name(self, name: str, task: str) -> str | None:
        hit, label = self.catalog.lookup(task, compact(fold(name)))
        return label if hit else None

    def _name_lookup(self, task: str):
        """name -> (found, label) by exact catalog key: how the grammar modules ask the catalog."""
        return lambda name: self.catalog.lookup(task, compact(fold(name)))

    def _by_gloss(self, text: str, keys: list[str], task: str):
        """A vehicle name in another language, decided as its English gloss ("caminhão trator" -> "truck
        tractor"): infer/glossary."""
        if task != "vehicle" or (english := glossary.gloss(text)) is None:
            return None
        found = self.match(english, task, gloss=False)
        if found is None or (found[0] is None and found[2] < RULES_SURE):
            return None  # a gloss whose only known word is generic ("... vehicle") decides nothing
        if found[2] < RULES_SURE and (structured := self._by_structure(text, keys, task)) is not None:
            return structured  # an unsure reading of a word that is English too ("Roller, Graders, Cranes")
        return found[0], "gloss", min(found[2], CONFIDENCE["gloss"])

    def _by_structure(self, text: str, keys: list[str], task: str):
        """Vehicle names decided by their head and a strong modifier, or by a scheme (vehicle_grammar)."""
        if task != "vehicle":
            return None
        forms = candidate_forms(text, task)
        if (words := split_camel(text)) != text:  # "heavyGoodsVehicleWithTrailer": an enumeration's words
            forms = candidate_forms(words, task) + forms
        for form in reversed(forms):  # most stripped first: modifiers say nothing here
            found = vehicle_grammar.decide(form, self._name_lookup(task))
            if found is not None:
                return found[0], "structured", found[1]
        return None

    def _by_chemistry(self, text: str, keys: list[str], task: str):
        """A pollutant named by its chemistry in another language ("tlenki azotu", "oxid siřičitý")."""
        if task != "pollutant":
            return None
        found = chemical_names.decide(fold(text), self._name_lookup(task), text)
        return None if found is None else (found[0], "structured", found[1])

    def _by_bracket(self, text: str, keys: list[str], task: str):
        """A pollutant named only inside a bracket, before its unit ("ASM5025(CO/%)实测值", a test's column): the
        words outside name the test or the statistic."""
        if task != "pollutant":
            return None
        for inner in _BRACKET.findall(text):
            name = re.split(r"[/,;:]", inner)[0].strip()
            if name and (found := self.match(name, task)) is not None and (found[0] or found[2] >= RULES_SURE):
                return found[0], "structured", min(found[2], 0.85)
        return None

    def _by_code(self, text: str, keys: list[str], task: str):
        for k in keys:
            if task == "vehicle":
                found = self._vehicle_code(k)
                if found is not None:
                    return found[1], "code", CONFIDENCE["code"]
            elif task == "pollutant" and (m := _POLLUTANT_ID_RE.match(k)):
                number = int(m.group(1))
                if number in MOVES_POLLUTANT_IDS:  # a known MOVES pollutant: ours, or explicitly another one
                    return MOVES_POLLUTANT_IDS[number], "code", CONFIDENCE["code"]
            elif task == "pollutant" and (m := _HJ212_RE.match(k)):
                return HJ212_CODES.get(m.group(1)), "code", CONFIDENCE["code"]
        return None

    def _vehicle_code(self, k: str) -> tuple[bool, str | None] | None:
        """(True, label or None for "not a standard value") for a code of a known scheme, else None."""
        if m := _MOVES_ID_RE.match(k):
            label = {v.id: v.label for v in self.catalog.vehicles}.get(int(m.group(1)))
            return (True, label) if label else None
        if m := _FHWA_RE.match(k):
            name = _FHWA.get(int(m.group(1) or m.group(2)))
            return (True, self._lookup_name(name, "vehicle")) if name else None
        if (m := _HPMS_RE.match(k)) and int(m.group(1)) in _HPMS:
            return True, self._lookup_name(_HPMS[int(m.group(1))], "vehicle")
        if (m := _GA802.match(k)) and m.group(1) in _GA802_PREFIX:
            name = _GA802_PREFIX[m.group(1)]
            return True, (self._lookup_name(name, "vehicle") if name else None)
        return None

    def _by_tokens(self, text: str, keys: list[str], task: str):
        """Column-style identifiers ("emis_nox_running", "car_diesel"): exactly one token names a value."""
        folded = strip_wrappers(fold(split_camel(text)))  # "pm2_5ConcMass", "coValue": camelCase words are tokens
        tokens = [t for t in _TOKEN_SPLIT.split(folded) if t]
        if len(tokens) < 2:
            return None
        spans = [" ".join(tokens[i:j]) for i in range(len(tokens)) for j in range(i + 1, min(len(tokens), i + 3) + 1)]
        hits, generic = {}, {}
        for span in spans:
            k = compact(span)
            if not re.search(r"[^\d.]", k):  # "4 2" is not the MOVES id 42: digits alone never match here
                continue
            hit, label = self.catalog.lookup(task, k)
            if hit:
                # "vehicle" beside a type ("object--vehicle--truck") only says the type is a vehicle
                filler = task == "vehicle" and all(_FILLER.match(t) for t in span.split())
                (generic if filler else hits)[k] = label
        hits = hits or generic
        if not hits:
            return None
        named = {label for label in hits.values() if label is not None}
        if task == "pollutant" and len(named) == 1 and all(_INDEX.search(k) for k, label in hits.items() if label is None):
            return named.pop(), "token", CONFIDENCE["token"]  # one pollutant's sub-index ("AQI_AirPollutant_SO2")
        # the longest named span wins, negatives included: "leader speed" is a trap, not "speed"
        longest = max(len(k) for k in hits)
        labels = {hits[k] for k in hits if len(k) == longest}
        if len(labels) != 1:
            return None
        confidence = CONFIDENCE["token"]
        if task == "vehicle" and _unknown_words(tokens, [k for k in hits if len(k) == longest][0]):
            confidence = UNSURE_TOKEN  # "cable_car", "all_motor_vehicles": another word may change the meaning
        return labels.pop(), "token", confidence

    def _by_containment(self, text: str, keys: list[str], task: str):
        """A CJK name that contains a known name ("中重型载货汽车" contains "载货汽车"). Longest contained key wins."""
        k = keys[-1]
        if not re.search(r"[\u4e00-\u9fff]", k):
            return None
        for alias_key in self._by_length[task]:
            if len(alias_key) >= len(k) or not re.search(r"[\u4e00-\u9fff]", alias_key):
                continue
            if alias_key in k:
                return self.catalog.index[task][alias_key], "contains", CONFIDENCE["contains"]
        return None

    def _by_near_match(self, text: str, keys: list[str], task: str):
        """A misspelling of a catalog name, in any of the name's forms ("Sports Utility Vehicle", whose stripped
        form has lost the word "vehicle")."""
        for k in keys:
            if (found := self._by_fuzzy(text, [k], task, cutoff=NEAR_MATCH_CUTOFF)) is not None:
                return found
        return None

    def _by_fuzzy(self, text: str, keys: list[str], task: str, cutoff: float = None):
        k = keys[-1]
        if len(k) < FUZZY_MIN_LEN:
            return None
        cutoff = FUZZY_CUTOFF if cutoff is None else cutoff
        best = process.extractOne(k, self._fuzzy_keys[task], scorer=fuzz.ratio, score_cutoff=cutoff)
        if best is None:
            return None
        alias_key, score, _ = best
        if _NUMBERS.findall(alias_key) != _NUMBERS.findall(k):  # a misspelling keeps its numbers: pm0.5 is no pm2.5
            return None
        return self.catalog.index[task][alias_key], "fuzzy", round(0.9 * score / 100, 3)


# Words around a vehicle name that never change its source type (stages, fuels, sizes are stripped before this).
_FILLER = re.compile(r"^(?:vehicles?|veh|type|class|category|object|label|perception|euro|tier|china|stage|diesel|petrol|gasoline|electric|"
                     r"hybrid|cng|lng|lpg|std|standard|mid|midi|mini|artic|de|dpf|scr|egr|other)$")


_INDEX = re.compile(r"index|aqi|aqhi|iaqi")
_BRACKET = re.compile(r"[(\[（]([^()\[\]（）]+)[)\]）]")
_NUMBERS = re.compile(r"\d+(?:\.\d+)?")


def _unknown_words(tokens: list[str], matched: str) -> bool:
    """Whether a token match leaves a word (3+ letters, not a filler) outside the matched span."""
    return any(len(t) >= 3 and t.isalpha() and _FILLER.match(t) is None and t not in matched for t in tokens)


def default_engine() -> RulesEngine:
    """The engine over the active catalog (built-in + user overlay), one per catalog: never a stale overlay."""
    return _engine_for(load_catalog())


@lru_cache(maxsize=4)
def _engine_for(catalog: Catalog) -> RulesEngine:
    return RulesEngine(catalog)


class RulesBackend:
    """The rules as a Standardizer backend: values by the engine, column maps by the column rules."""

    name = "rules"

    def __init__(self, engine: RulesEngine | None = None):
        from emstd.infer.column_rules import ColumnRules

        self.engine = engine or default_engine()
        self.columns = ColumnRules(self.engine)

    def standardize_values(self, values: list[str], task: str) -> list[Answer]:
        return [self.engine.standardize(v, task) for v in values]

    def map_columns(self, headers, samples=None, task=None):
        return self.columns.map_columns(headers, samples, task)
