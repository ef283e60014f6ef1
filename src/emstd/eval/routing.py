"""Where `auto` stops trusting retrieval and asks the model: chosen on the eval split, never on the test split or the
realworld set.

For each eval record, retrieval's answer and calibrated confidence are those it had against the train split's index
(the record's meta.candidates: in use, a name never meets itself in the index); the model answers with exactly those
candidates in its prompt. For a threshold t, `auto` answers with retrieval where its confidence is >= t and with the
model below. Below t, the model's answer stands only when its own confidence is >= a floor m; under the floor `auto`
keeps what retrieval alone would say (its label at or above its calibrated threshold, else null): a small model
that is unsure is more often wrong than retrieval's own abstention. Where retrieval alone abstains and the model
names a type, a second floor a >= m applies: turning "not a standard value" into a label takes more certainty than
choosing between labels (on names of unseen languages the SmolLM2 adapter named a type for null traps more often
than it rescued a name retrieval had missed). And where retrieval alone names a type, the model overturns it only
when it is at least as sure as retrieval (as a rules guess stands against a less sure retrieval answer): the
quickstart adapter, unsure at 0.25, had turned a right EMFAC "LHD2" into a tractor-trailer. The chosen (t, m, a)
maximizes accuracy up to a margin of fewer than NOISE_NAMES eval names (and at most 1 % of them): among the
routings within it, the highest abstain floor, then the lowest model floor and the lowest t (the model answers
more, t costs fewer model calls). Gaining one name in 400 by naming types where retrieval abstains is no evidence
the model can; on real names the SmolLM2 adapter then named types for null traps. The result is written beside the
adapter as routing.json, which `auto` reads (infer/auto.py: saved_routing).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from emstd.catalog import UNKNOWN
from emstd.defaults import ROUTING_FILE
from emstd.infer.auto import defers_to_retrieval
from emstd.io import write_json_atomic

NOISE_NAMES, NOISE_SHARE = 2, 0.01  # a gain of fewer eval names than this does not lower the abstain floor
MAX_ROWS = 400  # model answers on CPU cost ~0.1-0.3 s each; a seeded subset of the eval split is enough


def choose_model_threshold(backend, rows: list[dict], calibration: dict) -> dict:
    """{"model_threshold", "model_floor", "accuracy": {...}, "n"} for `backend` (a model backend that takes
    `retrieved`)."""
    from emstd.eval.run import record_retrieval

    # (retrieval confidence, retrieval right, retrieval-alone right, model confidence, model right,
    #  retrieval alone abstains, the model names a type, the model defers to retrieval alone)
    points = []
    for task in ("vehicle", "pollutant"):
        subset = [r for r in rows if r["meta"]["task"] == task]
        if not subset:
            continue
        retrieved = record_retrieval(subset, task, calibration[task])
        answers = backend.standardize_values([r["meta"]["value"] for r in subset], task, retrieved=retrieved)
        for r, found, a in zip(subset, retrieved, answers):
            gold = r["meta"]["label"]
            alone = found.answer(calibration[task])
            points.append((found.confidence, (found.label or UNKNOWN) == gold, (alone or UNKNOWN) == gold,
                           a.confidence, (a.standard or UNKNOWN) == gold, alone is None, a.standard is not None,
                           defers_to_retrieval(a.standard, a.confidence, alone, found.confidence,
                                               r["meta"]["value"], task)))
    if not points:
        return {"model_threshold": None, "model_floor": None, "abstain_floor": None, "n": 0, "accuracy": {}}
    t, m, abstain, best = best_routing(np.array(points, dtype=float))
    n = len(points)
    return {"model_threshold": t, "model_floor": m, "abstain_floor": abstain, "n": n, "accuracy": {
        "retrieval_alone": round(sum(p[2] for p in points) / n, 4),
        "model_alone": round(sum(p[4] for p in points) / n, 4),
        "routed": round(best, 4)}}


def best_routing(points: np.ndarray) -> tuple[float, float, float, float]:
    """(t, m, a, accuracy) over every retrieval confidence t and model floors m <= a seen, from columns (retrieval
    confidence, retrieval right, retrieval-alone right, model confidence, model right, retrieval alone abstains,
    the model names a type, the model defers to retrieval alone)."""
    p, ret, alone, conf, mod, abstains, names, defers = points.T
    order = np.argsort(p, kind="stable")
    p, ret, alone, conf, mod, abstains, names, defers = (c[order] for c in (p, ret, alone, conf, mod, abstains,
                                                                           names, defers))
    overrides = (abstains > 0) & (names > 0)  # the model would turn retrieval's abstention into a type
    thresholds = np.unique(np.concatenate([[0.0, 1.01], np.round(p, 4)]))
    floors = np.unique(np.concatenate([[0.0, 1.01], np.round(conf, 2)]))  # 1.01: never
    ret_from = np.concatenate([np.cumsum(ret[::-1])[::-1], [0.0]])  # right answers of retrieval at index >= i
    cut = np.searchsorted(p, thresholds, side="left")  # points with p < t are the first `cut`
    options = []  # (accuracy, m, a, t) for each pair of floors, at its best (lowest) t
    for m in floors:
        for a in floors[floors >= m]:
            floor = np.where(overrides, a, m)
            below = np.where((conf >= floor) & (defers == 0), mod, alone)
            below_to = np.concatenate([[0.0], np.cumsum(below)])  # right answers below index i
            acc = (below_to[cut] + ret_from[cut]) / len(p)
            i = int(np.argmax(acc))  # the first maximum: the lowest t
            options.append((float(acc[i]), float(m), float(a), float(min(thresholds[i], 1.0))))
    top = max(o[0] for o in options)
    # turning "not a standard value" into a type on fewer than NOISE_NAMES more eval names (at most 1 % of them) is
    # no evidence the model can: of the routings within that margin, keep the highest abstain floor, then (as
    # before) the lowest model floor and the lowest t
    margin = min(NOISE_NAMES, NOISE_SHARE * len(p)) / len(p)
    near = [o for o in options if o[0] > top - margin + 1e-12 or o[0] == top]
    acc, m, a, t = max(near, key=lambda o: (o[2], -o[1], -o[3]))
    return t, m, a, acc


def write_routing(adapter_dir: str | Path, routing: dict) -> Path:
    path = Path(adapter_dir) / ROUTING_FILE
    write_json_atomic(path, routing)
    return path

