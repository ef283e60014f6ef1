"""A header as tools write identifiers: its words, and which of them names the quantity.

Simulators and data sets name a column `<thing>_<quantity>` or `<axis><Quantity>`: `edge_speed`, `vehicle_slope`,
`v_Vel`, `lonVelocity`, `precedingXVelocity`. The quantity is the last named word; the words before it say whose
quantity it is (an edge, a vehicle, the vehicle ahead) or along which axis. So:

- a catalog name followed by words that are neither modifiers nor an id marker is a prefix, not the quantity
  (`edge_arrived` is a count of arrivals, not the edge; `v_Width` is the vehicle's width, not a speed);
- a name after "per" is a denominator (`ratePerDistance` is a rate);
- a quantity of another vehicle (preceding, following, leader...) is not this vehicle's;
- a speed or acceleration along the vehicle's axis is the vehicle's (lon, longitudinal), along `x` it is the
  vehicle's only as a stand-in (x is the direction of travel in ISO 8855 vehicle axes and in road-aligned data
  sets, but a map axis at intersections), and a lateral or vertical component is not.
"""

from __future__ import annotations

import re

from emstd.catalog.normalize import compact, fold

# what a header's words can say about the matched quantity
REFUSED = "refused"  # the header is about something else: map it to nothing
STAND_IN = 0.6  # the x component of a speed or acceleration: kept only when nothing better names the field

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[\s_\-\.,;:/\\()\[\]{}|+=$#%&*'\"]+")
_ID_WORDS = frozenset({"id", "no", "nr", "num", "number", "code", "key", "idx"})
# words after a quantity that leave it the same quantity ("speed_avg", "flow_total", "v_kmh")
_MODIFIERS = frozenset({"avg", "mean", "average", "value", "val", "raw", "data", "obs", "observed", "measured", "meas",
                        "tot", "ev", "ego",  # the vehicle's own ("acceleration_ev", "speed_ego")
                        "est", "estimated", "gps", "obd", "total", "sum", "all", "current", "cur", "actual",
                        # processing that leaves the quantity the same ("velocity_smooth", "speed_kf", "time_unix")
                        "smooth", "smoothed", "filtered", "filt", "kf", "ekf", "corrected", "corr", "fused",
                        "interp", "interpolated", "clean", "cleaned", "unix", "utc", "epoch", "local", "hourly"})
HEADER_MODIFIERS = _MODIFIERS
_OTHER_VEHICLE = frozenset({"preceding", "following", "leader", "lead", "leading", "follower", "front", "rear",
                            "ahead", "behind", "neighbor", "neighbour", "prev", "next", "target", "other"})
_VEHICLE_AXIS = frozenset({"lon", "long", "longitudinal", "tangential"})
_SIDE_AXIS = frozenset({"y", "z", "lat", "lateral", "vertical", "yaw", "angular"})
_AXIAL_FIELDS = frozenset({"speed_kph", "avg_speed_kph", "acceleration_mps2"})
_FLAG_WORDS = frozenset({"is", "has", "use", "uses", "valid", "flag"})
# a statistic of a quantity's measurement, not the quantity ("Vertical accuracy (degrees)", "speed_std")
_QUALITY_WORDS = frozenset({"accuracy", "precision", "error", "err", "uncertainty", "std", "stdev", "stddev", "sd",
                            "variance", "sigma", "tolerance", "dop", "hdop", "vdop", "pdop"})
_WHEEL_POSITION = frozenset({"fl", "fr", "rl", "rr", "lf", "rf", "lr", "front", "rear", "left", "right"})


def header_words(header: str, clean=None) -> list[str]:
    """The words of a header: split at separators and at camelCase boundaries, folded ("lonVelocity" -> lon,
    velocity; "LINK_EVAL" -> link, eval; "LINKEVAL" stays one word). `clean` (folded text -> text) runs before
    the split, e.g. to remove units."""
    folded = fold(_CAMEL.sub(" ", str(header)))
    if clean is not None:
        folded = clean(folded) or folded
    return [w for w in _SPLIT.split(folded) if w]


def segment(word: str, vocabulary: frozenset[str]) -> list[str] | None:
    """A header written as one lower-case run of words ("averagevehiclespeed") split into the fewest known words
    of at least two letters, or None when the whole run does not split so."""
    best: list[list[str] | None] = [[]] + [None] * len(word)  # best[i]: the fewest words covering word[:i]
    for end in range(2, len(word) + 1):
        for start in range(max(0, end - 16), end - 1):
            piece = word[start:end]
            if best[start] is not None and piece in vocabulary and \
                    (best[end] is None or len(best[start]) + 1 < len(best[end])):
                best[end] = best[start] + [piece]
    found = best[len(word)]
    return found if found and len(found) > 1 else None


def _one_word(word: str, lookup) -> tuple[str | None, float] | None:
    hit, label = lookup(compact(word))
    return (label, 0.9) if hit else None


def head_of(words: list[str], lookup) -> tuple[str | None, float] | str | None:
    """What a multi-word header names, read from its head: (field or None for a catalog negative, confidence),
    REFUSED, or None when its words name nothing in the catalog. `lookup(key) -> (hit, label)`."""
    if "of" in words[1:]:  # "length of segment": the head comes before "of"
        words = words[:words.index("of", 1)]
        if len(words) == 1:
            return _one_word(words[0], lookup)
    if len(words) < 2:
        return None
    if words[0] in _FLAG_WORDS:  # "isEcuSpeed", "has_gps_speed": a yes/no flag about the quantity
        return REFUSED
    if any(w in _QUALITY_WORDS for w in words):
        return REFUSED
    axis = words[-1]
    if axis == "x" or axis in _VEHICLE_AXIS or axis in _SIDE_AXIS:  # "v_lon", "a_lat", "acceleration_x": the axis
        found = head_of(words[:-1], lookup) if len(words) > 2 else _one_word(words[0], lookup)  # after the quantity
        if isinstance(found, tuple) and found[0] in _AXIAL_FIELDS:  # reads as one before it ("xAcceleration")
            return REFUSED if axis in _SIDE_AXIS else (found[0], STAND_IN if axis == "x" else 0.9)
    spans = []
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + 3) + 1):
            k = compact(" ".join(words[i:j]))
            if re.search(r"[^\d.]", k):  # digits alone never name a field here
                hit, label = lookup(k)
                if hit:
                    spans.append((j, j - i, i, label))
    if not spans:
        return None
    end, _, start, label = max(spans)  # the named span that ends last; of those, the longest
    before, after = words[:start], words[end:]
    if "per" in before:
        return REFUSED  # a denominator: "ratePerDistance" is a rate, not a distance
    if after and not all(w in _MODIFIERS or w.isdigit() for w in after):
        if label == "link_id" and all(w in _ID_WORDS for w in after):  # "edge_id", "segment no"
            return label, 0.9
        return REFUSED  # a thing's name before its quantity: "edge_arrived", "v_Width"
    if any(w in _OTHER_VEHICLE for w in before):
        return REFUSED
    if label in _AXIAL_FIELDS and any(w in ("post", "posted") for w in before):
        return REFUSED  # the posted speed (a limit), not the traffic's
    if "wheel" in words[:end] and any(w in _WHEEL_POSITION for w in before):
        return REFUSED  # one wheel's speed ("FL_wheel_speed"), not the vehicle's
    if label == "traffic_flow_vph" and before and before[-1] == "free":
        return REFUSED  # free flow is a speed (the speed at free-flow conditions), not a volume
    if label in _AXIAL_FIELDS and before and before[-1] in ("ff", "freeflow", "free"):
        return REFUSED  # the free-flow speed ("FF_SPD") of a link, not its traffic's speed
    if label in _AXIAL_FIELDS and before:
        axis = before[-1]
        if axis in _SIDE_AXIS:
            return REFUSED
        if axis == "x":
            return label, STAND_IN
    if label is not None and len(words[start]) == 1 and end - start == 1:
        return REFUSED  # a one-letter name ("v") counts only as the whole header
    return label, 0.9
