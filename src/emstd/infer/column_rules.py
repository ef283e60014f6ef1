"""Column mapping by rules: each header -> a standard field, a fleet-mix vehicle type, or None.

Per header: exact alias (after removing units and brackets) -> fleet-mix (vehicle name + a share marker, or
share-like values under a vehicle name) -> tokens/containment/fuzzy against field aliases. Then the table's task
(micro/macro) is decided from what matched, speed is routed to the task's speed field, and a field claimed by two
headers is kept for the more confident one (the other is reported).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from emstd.catalog.normalize import compact, fold, split_camel, strip_wrappers
from emstd.defaults import MAX_VALUE_CHARS
from emstd.infer import units as U
from emstd.infer import glossary, vehicle_grammar
from emstd.infer.header_words import HEADER_MODIFIERS, REFUSED, head_of, header_words, segment
from emstd.infer.rules import CONFIDENCE, RulesEngine, default_engine

SPEED_TWIN = {"micro": ("avg_speed_kph", "speed_kph"), "macro": ("speed_kph", "avg_speed_kph")}


@dataclass
class HeaderMatch:
    header: str
    target: str | None  # field name, MOVES type label (fleet mix), or None
    method: str
    confidence: float
    unit: str | None = None


@dataclass
class ColumnMapping:
    task: str
    mapping: dict[str, str | None]
    units: dict[str, str | None]
    confidence: dict[str, float]
    methods: dict[str, str]
    notes: list[str] = field(default_factory=list)
    valid_json: bool = True  # False when a model's answer did not parse and rules stood in (for evaluation)
    profile: str | None = None  # the known native table recognized (emstd.infer.profiles), if any
    raw_columns: list[str] = field(default_factory=list)  # coded columns a profile keeps as written

    def to_dict(self) -> dict:
        """The `map-columns --json` contract (docs/design.md), plus methods, notes and the profile."""
        return {
            "task": self.task, "mapping": self.mapping, "units": self.units, "confidence": self.confidence,
            "methods": self.methods, "notes": self.notes, "profile": self.profile,
        }


def _strip_units(folded: str) -> str:
    text = re.sub(r"[\(\[\{<（【][^\)\]\}>）】]*[\)\]\}>）】]", " ", folded)
    for _, pattern in U._SPELLING_RE:
        text = pattern.sub(" ", text)
    return re.sub(r"[\s_\-/.]+$|^[\s_\-/.]+", "", re.sub(r"\s+", " ", text)).strip()


class ColumnRules:
    def __init__(self, engine: RulesEngine | None = None):
        self.engine = engine or default_engine()
        self.catalog = self.engine.catalog
        fm = self.catalog.fleet_mix
        self._markers = sorted({fold(m) for m in fm.markers}, key=len, reverse=True)
        self._negative_markers = sorted({fold(m) for m in fm.negative_markers}, key=len, reverse=True)
        self._field_task = {f.name: f.task for f in self.catalog.fields}
        # the words of the fields' English names, to split a header written as one run ("averagevehiclespeed")
        self._vocabulary = frozenset(w for f in self.catalog.fields for alias in f.all_aliases()
                                     for w in re.findall(r"[a-z]{2,}", fold(alias))) | HEADER_MODIFIERS

    # --- one header -------------------------------------------------------------------------------------------

    def match_header(self, header: str, samples: list | None = None, *, gloss: bool = True) -> HeaderMatch:
        header = _ANGLED.sub(r"\1\2", str(header))  # VECTO's "<v>", "<t> [s]": the name inside the brackets
        folded = fold(split_camel(header))  # "speedMilesPerHour": its words, so that units are read as units
        if not folded:
            return HeaderMatch(header, None, "empty", 1.0)
        if len(header) > MAX_VALUE_CHARS:
            return HeaderMatch(header, None, "too_long", 1.0)
        bare = _strip_units(folded) or folded
        keys = []
        for form in (folded, bare, strip_wrappers(folded), strip_wrappers(bare)):
            k = compact(form)
            if k and k not in keys:
                keys.append(k)
        if not self.catalog.lookup("column", keys[0])[0] and _BOUND.match(folded):
            return HeaderMatch(header, None, "not_the_quantity", CONFIDENCE["token"])  # "min_speed": a bound
        for i, k in enumerate(keys):
            hit, target = self.catalog.lookup("column", k)
            if hit:
                method = "user" if self.catalog.is_user("column", k) else "exact" if i == 0 else "normalized"
                shown = method if target or method == "user" else "negative"
                return self._with_unit(HeaderMatch(header, target, shown, CONFIDENCE[method]), folded, samples)
        if vehicle_grammar.is_total(_without_direction(bare)):  # "all_motor_vehicles", "机动车合计", "KFZ_R1"
            return self._with_unit(HeaderMatch(header, "traffic_flow_vph", "vehicle_total", 0.85), folded, samples)
        fleet = self._fleet_mix(folded, samples)
        if fleet is not None:
            return fleet
        if gloss and (english := glossary.gloss(bare, "column")) is not None and compact(english) != compact(bare):
            found = self.match_header(english, samples, gloss=False)  # "velocidad media" as "mean speed"
            if found.target is not None:
                return self._with_unit(HeaderMatch(header, found.target, "gloss", min(found.confidence, 0.9)),
                                       folded, samples)
        # an identifier of several words names its last word's quantity ("edge_speed"; not "edge_arrived")
        head = head_of(header_words(header, _strip_units), self.engine._name_lookup("column"))
        if head == REFUSED:
            return HeaderMatch(header, None, "not_the_quantity", CONFIDENCE["token"])
        if head is not None:
            target, confidence = head
            return self._with_unit(HeaderMatch(header, target, "head_word" if target else "negative", confidence),
                                   folded, samples)
        found = None
        for stage in (self.engine._by_fuzzy, self.engine._by_containment):
            found = stage(bare, keys, "column")
            if found is not None:
                break
        if found is None and gloss and (words := self._segmented(header)) is not None:
            inner = self.match_header(words, samples, gloss=False)  # "averagevehiclespeed", "TOTVOL_1HR"
            if inner.target is not None:
                return self._with_unit(HeaderMatch(header, inner.target, "segmented", min(inner.confidence, 0.8)),
                                       folded, samples)
        if found is None:
            return self._daily_traffic(header) or HeaderMatch(header, None, "no_match", 0.0)
        target, method, confidence = found
        return self._with_unit(HeaderMatch(header, target, method if target else "negative", confidence), folded, samples)

    def _segmented(self, header: str) -> str | None:
        """The header with each word written as one run split into known words, or None when none splits."""
        words = header_words(header, _strip_units)
        split = [" ".join(segment(w, self._vocabulary) or [w]) if w.isalpha() else w for w in words]
        return " ".join(split) if split != words else None

    def _daily_traffic(self, header: str) -> HeaderMatch | None:
        """"RDWY_AADT", "AAWDT": a daily traffic volume of some average, unless a class's ("TOT_TRK_AADT")."""
        words = header_words(header)
        while words and words[-1] in _REPORT_WORDS:  # "AADT_RPT_QTY": the reported quantity of the AADT
            words = words[:-1]
        if not _DAILY_TRAFFIC.search(" ".join(words)):
            return None
        if any(self.engine.standardize(w, "vehicle").standard for w in words[:-1] if len(w) >= 2 and w.isalpha()):
            return None
        # an average over a stated number of days: seven is the whole week's ADT, five the weekdays' (the link's
        # flow only when no whole-week count is there)
        days = re.search(r"(?<![0-9])(\d)\s+days?(?![a-z])", " ".join(words))
        confidence = CONFIDENCE["token"] if days is None else 0.92 if days.group(1) == "7" else 0.85
        return HeaderMatch(header, "traffic_flow_vph", "head_word", confidence, "veh/day")

    def _with_unit(self, m: HeaderMatch, folded: str, samples) -> HeaderMatch:
        if m.target in U.STANDARD_UNIT:
            m.unit = U.unit_from_header(folded, m.target) or U.unit_from_values(samples, m.target) or U.STANDARD_UNIT[m.target]
        return m

    def _fleet_mix(self, folded: str, samples) -> HeaderMatch | None:
        if (label := _length_class(folded)) is not None:  # "5,6m - 7,6m": a counter's length class
            return HeaderMatch(folded, self.engine._lookup_name(label, "vehicle"), "fleet_name", 0.7, "count")
        if any(_contains_word(folded, neg) for neg in self._negative_markers):
            return None
        folded = _without_count_splits(_last_heading(folded))  # "Pkw_R1", "nb_cars_l", "…／小型車": a split of a class
        marker = next((mk for mk in self._markers if _contains_word(folded, mk)), None)
        name = folded
        if marker is not None:
            name = _remove_word(folded, marker)
        # the name as written first ("4.2米厢式货车" holds a "米" that is not a unit), then without units
        answer = None
        written, unitless = _CONNECTORS.sub("", name).strip(), _CONNECTORS.sub("", _strip_units(name)).strip()
        for candidate in dict.fromkeys([written, unitless]):
            if candidate and not (candidate != written and candidate.isdigit()):  # "hour_11" is no source type 11
                found = self.engine.standardize(candidate, "vehicle")
                if found.standard is not None and found.method != "fuzzy":
                    answer = found
                    break
        if answer is None:
            return None
        if marker is None:
            if samples and looks_like_share(samples):
                return HeaderMatch(folded, answer.standard, "fleet_values", 0.75, U.share_unit_from_values(samples))
            if answer.method in FLEET_NAME_METHODS and answer.confidence >= 0.9:
                # a bare vehicle name: a per-class column of a macro table (counts or shares); kept only if the
                # table turns out to be macro (finish)
                unit = "count" if U._numbers(samples or []).size else "%"
                return HeaderMatch(folded, answer.standard, "fleet_name", 0.7, unit)
            return None
        unit = U.share_unit_from_values(samples) if samples else "%"
        return HeaderMatch(folded, answer.standard, "fleet_mix", round(0.95 * answer.confidence, 3), unit)

    # --- a whole table ------------------------------------------------------------------------------------

    def map_columns(self, headers: list[str], samples: dict[str, list] | None = None, task: str | None = None) -> ColumnMapping:
        samples = samples or {}
        matches = []
        for h in headers:
            m = self.match_header(h, samples.get(h))
            m.header = h
            matches.append(m)
        return self.finish(matches, samples, task)

    def finish(self, matches: list[HeaderMatch], samples: dict | None, task: str | None, notes: list[str] | None = None) -> ColumnMapping:
        """From per-header matches (rules' or a model's) to a table mapping: units filled in where missing, the
        task decided, speed routed to the task's speed field, fields of the other task dropped, duplicates settled."""
        samples = samples or {}
        notes = list(notes or [])
        for m in matches:
            if m.target is not None and m.unit is None:
                if m.target in U.STANDARD_UNIT:
                    self._with_unit(m, fold(m.header), samples.get(m.header))
                else:  # fleet mix
                    m.unit = U.share_unit_from_values(samples.get(m.header)) if samples.get(m.header) else "%"
        _graph_endpoints(matches, notes)
        task = task or self._detect_task(matches)
        for m in matches:
            if m.method == "fleet_name" and task != "macro":
                m.target, m.method, m.unit, m.confidence = None, "no_match", None, 0.0  # a guess only macro keeps
            self._fit_to_task(m, task, notes)
        if task == "macro":
            self._total_of_classes(matches, samples)
            _link_key(matches, samples)
        self._resolve_duplicates(matches, notes)
        return ColumnMapping(
            task=task,
            mapping={m.header: m.target for m in matches},
            units={m.header: (m.unit if m.target else None) for m in matches},
            confidence={m.header: m.confidence for m in matches},
            methods={m.header: m.method for m in matches},
            notes=notes,
        )

    def _total_of_classes(self, matches: list[HeaderMatch], samples: dict) -> None:
        """A bare "Total" beside two or more class counts is the link's vehicle count (its flow), unless the
        table already names a flow or the total's values are shares."""
        classes = [m for m in matches if m.target is not None and m.target not in self._field_task]
        if len(classes) < 2 or any(m.target == "traffic_flow_vph" for m in matches):
            return
        totals = [m for m in matches if m.target is None and _BARE_TOTAL.match(fold(m.header).strip())
                  and not looks_like_share(samples.get(m.header) or [])]
        if len(totals) == 1:
            m = totals[0]
            m.target, m.method, m.confidence = "traffic_flow_vph", "total_of_classes", 0.8
            self._with_unit(m, fold(m.header), samples.get(m.header))

    def _detect_task(self, matches: list[HeaderMatch]) -> str:
        micro = sum(1 for m in matches if self._field_task.get(m.target) == "micro")
        macro = sum(1 for m in matches if m.target and m.method != "fleet_name"
                    and self._field_task.get(m.target, "macro") == "macro")
        # a lone speed column says little: link tables call their mean speed "speed" too
        if micro == macro:
            return "macro" if any(m.target == "link_id" or m.target == "link_length_km" for m in matches) else "micro"
        return "micro" if micro > macro else "macro"

    def _fit_to_task(self, m: HeaderMatch, task: str, notes: list[str]) -> None:
        if m.target is None:
            return
        wrong, right = SPEED_TWIN[task]
        if m.target == wrong:  # the other task's speed stands in, behind a header that names the task's own
            m.target, m.confidence = right, round(0.9 * m.confidence, 3)
            return
        target_task = self._field_task.get(m.target, "macro")  # fleet-mix types belong to macro tables
        if target_task != task:
            notes.append(f"{m.header!r} looks like {m.target} ({target_task}), which a {task} table does not use; left unmapped")
            m.target, m.method, m.unit = None, "other_task", None

    def _resolve_duplicates(self, matches: list[HeaderMatch], notes: list[str]) -> None:
        """A field claimed by two headers goes to the more confident one. Fleet-mix columns are the exception:
        a survey's 大型货车 and 中型货车 are both single-unit short-haul trucks, and their shares (counts) add up."""
        best: dict[str, HeaderMatch] = {}
        fleet: dict[str, list[str]] = {}
        for m in matches:
            if m.target is None:
                continue
            if m.target not in self._field_task:
                fleet.setdefault(m.target, []).append(m.header)
                continue
            kept = best.get(m.target)
            if kept is None or _rank(m) > _rank(kept):
                if kept is not None:
                    _drop(kept, m, notes)
                best[m.target] = m
            else:
                _drop(m, kept, notes)
        for label, headers in fleet.items():
            if len(headers) > 1:
                notes.append(f"{', '.join(repr(h) for h in headers)} are all {label}: summed into one fleet-mix column")


def _graph_endpoints(matches: list[HeaderMatch], notes: list[str]) -> None:
    """`u` and `v` side by side are an edge's end nodes (networkx, OSMnx edge tables), not a speed."""
    ends = [(fold(m.header), m) for m in matches]
    ends = [(name, m) for name, m in ends if name in ("u", "v")]
    if {name for name, _ in ends} != {"u", "v"}:
        return
    for name, m in ends:
        if m.target is not None:
            other = "u" if name == "v" else "v"
            notes.append(f"{m.header!r} next to {other!r} is an edge's end node; left unmapped")
            m.target, m.method, m.unit, m.confidence = None, "graph_endpoint", None, 0.9


def _rank(m: HeaderMatch) -> tuple[float, bool]:
    """The more confident header; of two as confident, the one that states the field's own unit ("speedKMH"
    beside "speed"): its values need no conversion; of two link keys, the one named an id ("linkId" beside
    "linkNo", a number that may be a sequence)."""
    if m.target == "link_id":
        return m.confidence, header_words(m.header)[-1:] == ["id"]
    stated = U.unit_from_header(fold(m.header), m.target) if m.target in U.STANDARD_UNIT else None
    return m.confidence, stated is not None and stated == U.STANDARD_UNIT[m.target]


def _drop(loser: HeaderMatch, winner: HeaderMatch, notes: list[str]) -> None:
    notes.append(
        f"{loser.header!r} and {winner.header!r} both look like {winner.target}; kept {winner.header!r} "
        f"(confidence {winner.confidence:.2f} vs {loser.confidence:.2f})"
    )
    loser.target, loser.method, loser.unit = None, "duplicate", None


_ANGLED = re.compile(r"^\s*<([^<>]+)>(.*)$")
_REPORT_WORDS = frozenset({"qty", "quantity", "rpt", "report", "reported", "value", "val", "est", "estimate"})
# the daily-traffic averages of count programmes (annual, weekday, monthly, seasonal, weekend ADT), as a header's
# last word or before a year; "AADTT" (trucks only) is one class's count, not the link's
_DAILY_TRAFFIC = re.compile(r"(?<![a-z0-9])(?:adt|aadt|aawdt|awdt|aawt|madt|sadt|wadt)(?:[\s_-]*(?:19|20)\d\d)?$")
# words around a class in a count table that split its count without changing the class: the approach and the
# turning movement of an intersection count ("nb_cars_l": northbound cars turning left), the period of a noise or
# emission model's day/evening/night counts ("LV_D", "lorries_night")
# a direction ("Pkw_R1", "KFZ_R2", "cars_nb"): the class, or the total, is the same in both directions
_DIRECTIONS = frozenset({"nb", "sb", "eb", "wb", "r1", "r2", "dir1", "dir2", "richtung1", "richtung2", "direction1",
                         "direction2", "1", "2", "ab", "ba"})
_COUNT_SPLITS = _DIRECTIONS | frozenset({
    "northbound", "southbound", "eastbound", "westbound", "north", "south", "east", "west",
    "n", "s", "e", "w", "l", "t", "r", "u", "left", "right", "thru", "through", "straight", "uturn", "lt", "rt", "th",
    "lft", "rgt", "d", "day", "evening", "eve", "night", "am", "pm", "peak", "offpeak", "morning", "afternoon",
    # a category prefix ("mode_bus", Dutch "int_lv": intensity of light vehicles, "Nr. Buses")
    "mode", "int", "intensity", "nr",
    # and the words that say the column counts the class ("car_count", "bus_volume"): a class count all the same
    "count", "counts", "cnt", "volume", "vol", "number", "num", "qty", "anzahl", "aantal", "flow", "veh/h",
    "aadt", "aawdt", "adt",
    "数量", "辆数", "台数", "流量", "交通量"})


def _without_direction(text: str) -> str:
    return _without_words(text, _DIRECTIONS)


_LENGTH = r"(\d{1,4}(?:[.,]\d+)?)\s*(cm|m)?"
_LENGTH_RANGE = re.compile(rf"^{_LENGTH}\s*(?:-|–|to|bis|~)\s*{_LENGTH}$")
_LENGTH_UPPER = re.compile(rf"^(?:<=?|≤|under|below|up to)\s*{_LENGTH}$")
_LENGTH_LOWER = re.compile(rf"^(?:>=?|≥|over|above)\s*{_LENGTH}$|^{_LENGTH}\s*\+\s*(cm|m)?$")


def _metres(number: str, unit: str | None) -> float:
    value = float(number.replace(",", "."))
    return value / 100 if unit == "cm" else value


def _length_class(folded: str) -> str | None:
    """The source type of a header that is a vehicle-length class ("< 5,6m", "521 - 660 cm", "1160+ cm")."""
    text = folded.strip()
    if m := _LENGTH_RANGE.match(text):
        unit = m.group(4) or m.group(2)
        if unit is None:
            return None
        return vehicle_grammar.length_class(_metres(m.group(1), m.group(2) or unit), _metres(m.group(3), unit))
    if (m := _LENGTH_UPPER.match(text)) and m.group(2):
        return vehicle_grammar.length_class(None, _metres(m.group(1), m.group(2)))
    if m := _LENGTH_LOWER.match(text):
        number, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4) or m.group(5))
        return vehicle_grammar.length_class(_metres(number, unit), None) if unit else None
    return None


# a bound of a quantity before its name ("min_speed", "MaximumSpeed"): a statistic, not the quantity itself
_BOUND = re.compile(r"^(?:min|minimum|max|maximum|lowest|highest)[\s_\-.]+[a-z]")
_BARE_TOTAL = re.compile(r"^(?:total|totals|tot|sum|summe|gesamt|totaal|totale|totaux|suma|soma|合计|总计|总数|总和)$")


def _last_heading(text: str) -> str:
    """The last part of a header written as a path of headings ("上り／24時間交通量／小型車（台）", "a/b/cars"): the
    part that names the column's class. A single slash ("cars/trucks", "km/h") is not a path."""
    parts = [p for p in re.split(r"\s*[／/・]\s*", text) if p.strip()]
    return parts[-1] if len(parts) >= 3 or (len(parts) == 2 and _CJK.search(text)) else text


_CJK = re.compile(r"[\u3040-\u9fff]")  # a two-part path in Chinese or Japanese ("合計／小型車")
_VEHICLE_FIRST = re.compile(r"^(?:vehicles?|veh)[\s_\-]+(light|medium|heavy)$")
_CJK_SIZE_COUNT = re.compile(r"^(小型|大型|中型)(?:交通量|流量|台数)$")  # Japanese "小型交通量": small vehicles' volume
_CJK_COUNT = re.compile(r"(?<=[\u4e00-\u9fff])(?:流量|交通量|数量|辆数|台数)$")  # "小汽车流量": a class's count


def _without_count_splits(text: str) -> str:
    """The header without approach, movement, period and count words ("nb cars l" -> "cars")."""
    text = _VEHICLE_FIRST.sub(r"\1 vehicles", text)  # "vehicle_light": light vehicles
    return _without_words(_CJK_COUNT.sub(" 流量", _CJK_SIZE_COUNT.sub(r"\1车 流量", text)), _COUNT_SPLITS)


def _without_words(text: str, drop: frozenset[str]) -> str:
    """The text without its words in `drop`, or as it was when none is there or nothing else would be left."""
    words = [w.rstrip(".") for w in re.split(r"[\s_\-]+", text) if w.rstrip(".")]
    kept = [w for w in words if w not in drop]
    return " ".join(kept) if kept and len(kept) < len(words) else text


# words left around a vehicle name once the share marker is gone: "share of minivan", "小汽车的占比"
_CONNECTORS = re.compile(r"^(?:[\s_\-]*(?:of|for|in|the|by)(?![a-z]))+|(?:(?<![a-z])(?:of|for|in|by)[\s_\-]*)+$|^[\s_\-]+|[\s_\-的]+$")


def _is_ascii_word(marker: str) -> bool:
    return bool(re.fullmatch(r"[a-z0-9]+", marker))


def _contains_word(text: str, marker: str) -> bool:
    """Latin markers match whole words ("id" is not in "sourcetypeid", "age" not in "percentage"); others anywhere."""
    if _is_ascii_word(marker):
        return re.search(rf"(?<![a-z0-9]){marker}(?![a-z0-9])", text) is not None
    return marker in text


def _remove_word(text: str, marker: str) -> str:
    if _is_ascii_word(marker):
        return re.sub(rf"(?<![a-z0-9]){marker}(?![a-z0-9])", " ", text)
    return text.replace(marker, " ")


def looks_like_share(values) -> bool:
    nums = U._numbers(values)
    return nums.size >= 2 and float(nums.min()) >= 0 and float(nums.max()) <= 100 and len(values) - nums.size == 0


FLEET_NAME_METHODS = {"exact", "normalized", "structured", "code", "gloss"}
# A link table's key: an id-like header (编号, id, code...) that names a link-level thing; route- or area-level
# identifiers and the ids of other things are not link keys.
_ID_LIKE = re.compile(r"编号|编码|代码|序号|番号|コード|(?<![a-z])(?:id|no|nr|num|code|cod|key|pk)(?![a-z])|id$|osmid|station")
_LINKISH = re.compile(r"路段|区间|link|segment|edge|station|观测站|断面|测站|osmid|way|section|路段号|观测点|计数点|sensor|"
                      r"count[\s_]?point|counting[\s_]?(?:point|site|station)|detector|检测器")
# the row number a GIS layer gives every feature (ArcGIS OBJECTID, OGR fid): never the link key
_ROW_ID = re.compile(r"^(?:objectid|object_id|fid|ogc_fid|gid)$")
_LABEL_WORDS = frozenset({"name", "names", "label", "desc", "description", "title"})
_NOT_LINK = re.compile(r"路线|线路|route|road[\s_-]?(?:num|no|number)\b|district|region|county|zone|state|area|city|"
                       r"province|行政|authority|council|"
                       r"agency|operator|company|"
                       r"class|type|vehicle|车辆|车型|person|driver|trip|run|scenario|session|node|junction|lane|车道|"
                       r"hour|day|month|year|time|date|时间|日期|fuel|model|make|source|process|pollutant|bin|mode|"
                       r"(?<![a-z])est(?![a-z])|estimat|flag|status|quality|method")
# Plausible sample values per field, in any unit people use for it (a weak check: it rejects, never proves).
_PLAUSIBLE = {"time_sec": (0, None), "speed_kph": (-1, 400), "avg_speed_kph": (0, 400), "acceleration_mps2": (-40, 40),
              "grade_pct": (-100, 100), "link_length_km": (0, None), "traffic_flow_vph": (0, None)}


# a class of a quantity: "0 - 10 mph", "< 5,6m", ">= 24,0m", "1160+ cm"
_BIN = re.compile(r"^\s*(?:[<>≤≥]=?\s*\d|\d+(?:[.,]\d+)?\s*(?:[a-z/]+\s*)?(?:-|–|to|~)\s*\d|\d+(?:[.,]\d+)?\s*\+)")


def plausible_field(field: str, header: str, samples) -> bool:
    """Whether a header that only retrieval maps to `field` has any support: a unit the field uses, values in the
    field's range, or (for link_id) an id-like, link-level name."""
    text = fold(header)
    if field == "link_id":
        return bool(_ID_LIKE.search(text)) and not (_NOT_LINK.search(text) or _ROW_ID.match(text))
    if _BIN.match(text):
        return False  # "0 - 10 mph", "521 - 660 cm": a count of vehicles in a class of the quantity, not the quantity
    if field in U.FIELD_UNITS and U.unit_from_header(text, field):
        return True
    if U.units_in_header(text):
        return False  # a unit of another quantity: FASTSim's "cycMps" (m/s) is no acceleration
    nums = U._numbers(samples or [])
    if not nums.size or field not in _PLAUSIBLE:
        return False
    lo, hi = _PLAUSIBLE[field]
    if field == "traffic_flow_vph" and float(nums.max()) < 1:
        return False  # fractions everywhere are shares of something, not a link's flow
    return float(nums.min()) >= lo and (hi is None or float(nums.max()) <= hi)


def _link_key(matches: list[HeaderMatch], samples: dict) -> None:
    """A macro table with no link_id: its one obvious id-like, link-level header becomes the link key."""
    if any(m.target == "link_id" for m in matches):
        return
    scored = []
    for m in matches:
        text = fold(m.header)
        if m.target is not None or _NOT_LINK.search(text) or _ROW_ID.match(text):
            continue  # a GIS layer's row number (OBJECTID, fid) numbers rows, whatever they are about
        english = glossary.gloss(text, "column")  # "Zst", "Trafikkregistreringspunkt": a counting station
        if _ID_LIKE.search(text) or (english and _ID_LIKE.search(english)):
            linkish = _LINKISH.search(text) or (english and _LINKISH.search(english))
            named = header_words(m.header)[-1] in _LABEL_WORDS  # a station's name: the key only if nothing else is
            scored.append((0 if named else 2 if linkish else 1, m))
        elif (_LINKISH.match(text) or (english and _LINKISH.search(english))) and len(header_words(m.header)) == 1:
            scored.append((0, m))  # a one-word column named by the link itself ("LINKEVALSEGMENT"), if nothing else
    if not scored:
        return
    best = max(score for score, _ in scored)
    top = [m for score, m in scored if score == best]
    if len(top) == 1:
        top[0].target, top[0].method, top[0].confidence, top[0].unit = "link_id", "id_like", 0.75, None


_default: ColumnRules | None = None


def default_column_rules() -> ColumnRules:
    """The column rules over the active catalog; rebuilt when the catalog (its user overlay) changes."""
    global _default
    engine = default_engine()
    if _default is None or _default.engine is not engine:
        _default = ColumnRules(engine)
    return _default
