"""Metrics for both models, as pure functions over prediction records (hand-checkable in tests).

Unified record: {"task", "input", "alias", "gold", "pred", "confidence"} with gold/pred a label or "UNKNOWN".
Column record: {"headers", "gold": {header: field}, "pred": {header: field|None}, "valid_json": bool}.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from emstd.catalog import UNKNOWN

# The origin project's targets on its own test split (docs/design.md, "origin"), shown pass/fail in every report.
TARGETS = {"vehicle_accuracy": 0.95, "pollutant_accuracy": 0.98, "column_exact_table": 0.90}
CALIBRATION_EDGES = [0.0, 0.5, 0.7, 0.9, 0.97, 1.0000001]


def pct(x: float | None) -> str:
    """A ratio as a percentage for reports and summaries ("n/a" when undefined)."""
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def unified_metrics(records: list[dict]) -> dict:
    out: dict = {"n": len(records)}
    for task in ("vehicle", "pollutant"):
        pos = [r for r in records if r["task"] == task and r["gold"] != UNKNOWN]
        out[f"{task}_accuracy"] = _ratio(sum(r["pred"] == r["gold"] for r in pos), len(pos))
        out[f"{task}_n"] = len(pos)
    out["overall_accuracy"] = _ratio(sum(r["pred"] == r["gold"] for r in records), len(records))
    pred_unknown = [r for r in records if r["pred"] == UNKNOWN]
    gold_unknown = [r for r in records if r["gold"] == UNKNOWN]
    hits = sum(r["gold"] == UNKNOWN for r in pred_unknown)
    out["unknown_precision"] = _ratio(hits, len(pred_unknown))
    out["unknown_recall"] = _ratio(hits, len(gold_unknown))
    out["unknown_n"] = len(gold_unknown)
    out["per_label"] = per_label_accuracy(records)
    out["confusion"] = confusion(records)
    out["calibration"] = calibration(records)
    out["errors"] = [
        {k: r[k] for k in ("task", "input", "gold", "pred", "confidence")} for r in records if r["pred"] != r["gold"]
    ]
    return out


def per_label_accuracy(records: list[dict]) -> dict[str, dict]:
    by: dict[str, list[bool]] = defaultdict(list)
    for r in records:
        by[f"{r['task']}:{r['gold']}"].append(r["pred"] == r["gold"])
    return {k: {"n": len(v), "accuracy": _ratio(sum(v), len(v))} for k, v in sorted(by.items())}


def confusion(records: list[dict]) -> dict[str, dict[str, int]]:
    """gold -> pred -> count, keyed "task:label"."""
    table: dict[str, Counter] = defaultdict(Counter)
    for r in records:
        table[f"{r['task']}:{r['gold']}"][f"{r['task']}:{r['pred']}"] += 1
    return {g: dict(sorted(c.items())) for g, c in sorted(table.items())}


def calibration(records: list[dict]) -> list[dict]:
    """Accuracy by confidence bucket: which threshold sends answers to human review."""
    out = []
    for lo, hi in zip(CALIBRATION_EDGES, CALIBRATION_EDGES[1:]):
        inside = [r for r in records if lo <= r["confidence"] < hi]
        out.append({"from": lo, "to": min(hi, 1.0), "n": len(inside),
                    "accuracy": _ratio(sum(r["pred"] == r["gold"] for r in inside), len(inside))})
    return out


def column_metrics(records: list[dict]) -> dict:
    tp = fp = fn = 0
    unmapped_total = unmapped_right = 0
    exact = 0
    per_field: dict[str, list[bool]] = defaultdict(list)
    errors = []
    for r in records:
        gold, pred = r["gold"], r["pred"]
        pred_mapped = {h: t for h, t in pred.items() if t is not None}
        exact += pred_mapped == gold
        for h in r["headers"]:
            g, p = gold.get(h), pred.get(h)
            if p is not None and p == g:
                tp += 1
            if p is not None and p != g:
                fp += 1
            if g is not None and p != g:
                fn += 1
            if g is None:
                unmapped_total += 1
                unmapped_right += p is None
            else:
                per_field[g].append(p == g)
            if p != g:
                errors.append({"header": h, "gold": g, "pred": p})
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = round(2 * precision * recall / (precision + recall), 4) if precision and recall else 0.0
    return {
        "n": len(records),
        "column_exact_table": _ratio(exact, len(records)),
        "field_precision": precision, "field_recall": recall, "field_f1": f1,
        "unmapped_accuracy": _ratio(unmapped_right, unmapped_total),
        "json_valid_rate": _ratio(sum(bool(r.get("valid_json", True)) for r in records), len(records)),
        "per_field": {k: {"n": len(v), "recall": _ratio(sum(v), len(v))} for k, v in sorted(per_field.items())},
        "errors": errors,
    }


def targets_check(metrics: dict) -> dict[str, dict]:
    """Pass/fail against the origin project's targets, for the metrics present."""
    out = {}
    for name, target in TARGETS.items():
        value = metrics.get(name)
        if value is not None:
            out[name] = {"value": value, "target": target, "pass": value >= target}
    return out
