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
from emstd.catalog.normalize import candidate_keys, compact, fold, strip_wrappers
from emstd.defaults import MAX_VALUE_CHARS

# Confidence per method: how often each kind of match is right on held-out names (rounded, conservative).
CONFIDENCE = {"exact": 1.0, "normalized": 0.97, "code": 0.95, "token": 0.9, "contains": 0.85}
CONFIDENCE["user"] = 1.0  # a name from the user's catalog overlay: the user said so
FUZZY_CUTOFF = 86  # rapidfuzz ratio, 0-100
FUZZY_MIN_LEN = 5  # keys shorter than this are too close to each other ("no2" vs "nox") to fuzz safely


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

# GA 802 vehicle-type codes (letter + two digits): the class digit decides the size class; we map each prefix to a
# catalog name so the catalog's documented default for that name decides the label.
_GA802_PREFIX = {
    "k1": "大型客车", "k2": "中型客车", "k3": "小型客车", "k4": "微型客车",
    "h1": "重型货车", "h2": "中型货车", "h3": "轻型货车", "h4": "微型货车", "h5": "低速货车",
    "q1": "牵引车", "q2": "牵引车", "q3": "牵引车", "b1": "半挂车", "b2": "半挂车", "b3": "半挂车",
    "m1": "摩托车", "m2": "摩托车", "n1": "三轮汽车",
}
_GA802 = re.compile(r"^([khqbmn][1-5])[1-9]")
# FHWA 13-class scheme -> catalog names (class 8 is the lighter single-trailer combination, mostly short-haul).
_FHWA = {
    1: "Motorcycle", 2: "Passenger Car", 3: "Passenger Truck", 4: "bus", 5: "Single Unit Short-haul Truck",
    6: "Single Unit Short-haul Truck", 7: "Single Unit Short-haul Truck", 8: "Combination Short-haul Truck",
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
_TOKEN_SPLIT = re.compile(r"[\s_\-\.,;:/\\()\[\]{}|+=]+|(?<=[a-z0-9])(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])(?=[a-z0-9])")


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

    def match(self, text: str, task: str) -> tuple[str | None, str, float] | None:
        """(label or None for a negative, method, confidence), or None when nothing matched at all."""
        keys = candidate_keys(text, task)
        if not keys:  # only separators and punctuation: nothing to match
            return None
        for i, k in enumerate(keys):
            hit, label = self.catalog.lookup(task, k)
            if hit:
                method = "user" if self.catalog.is_user(task, k) else "exact" if i == 0 else "normalized"
                return label, method, CONFIDENCE[method]
        # fuzzy before tokens: a misspelt multi-word name ("Combinaton Long-haul Truck") must not be
        # answered by one of its words ("truck")
        for stage in (self._by_code, self._by_fuzzy, self._by_tokens, self._by_containment):
            found = stage(text, keys, task)
            if found is not None:
                return found
        return None

    # --- stages -------------------------------------------------------------------------------------------

    def _lookup_name(self, name: str, task: str) -> str | None:
        hit, label = self.catalog.lookup(task, compact(fold(name)))
        return label if hit else None

    def _by_code(self, text: str, keys: list[str], task: str):
        for k in keys:
            if task == "vehicle":
                label = self._vehicle_code(k)
                if label:
                    return label, "code", CONFIDENCE["code"]
            elif task == "pollutant" and (m := _POLLUTANT_ID_RE.match(k)):
                number = int(m.group(1))
                if number in MOVES_POLLUTANT_IDS:  # a known MOVES pollutant: ours, or explicitly another one
                    return MOVES_POLLUTANT_IDS[number], "code", CONFIDENCE["code"]
        return None

    def _vehicle_code(self, k: str) -> str | None:
        if m := _MOVES_ID_RE.match(k):
            ids = {v.id: v.label for v in self.catalog.vehicles}
            return ids.get(int(m.group(1)))
        if m := _FHWA_RE.match(k):
            number = int(m.group(1) or m.group(2))
            name = _FHWA.get(number)
            return self._lookup_name(name, "vehicle") if name else None
        if m := _GA802.match(k):
            return self._lookup_name(_GA802_PREFIX[m.group(1)], "vehicle")
        return None

    def _by_tokens(self, text: str, keys: list[str], task: str):
        """Column-style identifiers ("emis_nox_running", "car_diesel"): exactly one token names a value."""
        folded = strip_wrappers(fold(text))
        tokens = [t for t in _TOKEN_SPLIT.split(folded) if t]
        if len(tokens) < 2:
            return None
        spans = [" ".join(tokens[i:j]) for i in range(len(tokens)) for j in range(i + 1, min(len(tokens), i + 3) + 1)]
        hits = {}
        for span in spans:
            k = compact(span)
            if not re.search(r"[^\d.]", k):  # "4 2" is not the MOVES id 42: digits alone never match here
                continue
            hit, label = self.catalog.lookup(task, k)
            if hit:
                hits[k] = label
        if not hits:
            return None
        # the longest named span wins, negatives included: "leader speed" is a trap, not "speed"
        longest = max(len(k) for k in hits)
        labels = {hits[k] for k in hits if len(k) == longest}
        if len(labels) != 1:
            return None
        return labels.pop(), "token", CONFIDENCE["token"]

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

    def _by_fuzzy(self, text: str, keys: list[str], task: str):
        k = keys[-1]
        if len(k) < FUZZY_MIN_LEN:
            return None
        best = process.extractOne(k, self._fuzzy_keys[task], scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if best is None:
            return None
        alias_key, score, _ = best
        return self.catalog.index[task][alias_key], "fuzzy", round(0.9 * score / 100, 3)


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
