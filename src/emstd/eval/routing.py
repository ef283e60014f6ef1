"""Where `auto` stops trusting retrieval and asks the model: chosen on the eval split, never on the test split or the
realworld set.

For each eval record, retrieval's answer and calibrated confidence are those it had against the train split's index
(the record's meta.candidates: in use, a name never meets itself in the index); the model answers with exactly those
candidates in its prompt. For a threshold t, `auto` answers with retrieval where its confidence is >= t and with the
model below; the chosen t maximizes accuracy (ties: the lower t, fewer model calls). The result is written beside
the adapter as routing.json, which `auto` reads (infer/factory.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from emstd.catalog import UNKNOWN
from emstd.defaults import ROUTING_FILE
from emstd.io import write_json_atomic

MAX_ROWS = 400  # model answers on CPU cost ~0.1-0.3 s each; a seeded subset of the eval split is enough


def choose_model_threshold(backend, rows: list[dict], calibration: dict) -> dict:
    """{"model_threshold", "accuracy": {...}, "n"} for `backend` (a model backend that takes `retrieved`)."""
    from emstd.eval.run import record_retrieval

    points = []  # (retrieval confidence, retrieval right, model right)
    for task in ("vehicle", "pollutant"):
        subset = [r for r in rows if r["meta"]["task"] == task]
        if not subset:
            continue
        retrieved = record_retrieval(subset, task, calibration[task])
        answers = backend.standardize_values([r["meta"]["value"] for r in subset], task, retrieved=retrieved)
        for r, found, a in zip(subset, retrieved, answers):
            gold = r["meta"]["label"]
            retrieval_answer = found.label or UNKNOWN
            points.append((found.confidence, retrieval_answer == gold, (a.standard or UNKNOWN) == gold))
    if not points:
        return {"model_threshold": None, "n": 0, "accuracy": {}}
    candidates = sorted({0.0, 1.01} | {round(p, 4) for p, _, _ in points})
    best_t, best_acc = 1.01, -1.0
    for t in candidates:  # ascending: on a tie the lower threshold (fewer model calls) is kept
        acc = sum(ret if p >= t else mod for p, ret, mod in points) / len(points)
        if acc > best_acc + 1e-12:
            best_t, best_acc = t, acc
    n = len(points)
    return {"model_threshold": min(best_t, 1.0), "n": n, "accuracy": {
        "retrieval_alone": round(sum(ret for _, ret, _ in points) / n, 4),
        "model_alone": round(sum(mod for _, _, mod in points) / n, 4),
        "routed": round(best_acc, 4)}}


def write_routing(adapter_dir: str | Path, routing: dict) -> Path:
    path = Path(adapter_dir) / ROUTING_FILE
    write_json_atomic(path, routing)
    return path


def read_routing(adapter_dir: str | Path) -> dict | None:
    path = Path(adapter_dir) / ROUTING_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
