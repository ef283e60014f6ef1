"""Calibrating retrieval on names its index does not hold, the way it meets names in use.

The catalog's aliases are split by alias group exactly as `emstd data build` splits them (same seed). An index of
the train-split entries is queried with the eval-split aliases and their augmented variants (none of which it
holds); each query gives the top similarity, the margin over the runner-up and whether the top label is right.
A logistic fit of rightness on those two numbers is the calibrated confidence; the threshold is the one that
maximizes accuracy when retrieval abstains below it (an abstention is right for a "not a standard value" name), or
for headers the F1 of the mapped ones.
Never fitted on the realworld set: that set only measures.
"""

from __future__ import annotations

import random

import numpy as np

from emstd.catalog import UNKNOWN, Catalog
from emstd.data.augment import variants
from emstd.data.retrieval import (Calibration, Encoder, embed_queries, lexically_supported, split_table,
                                  top_and_margin)
from emstd.data.split import task_pools

SEED = 42  # the dataset builder's default seed: the same alias groups are held out
VARIANTS = 7  # as many as the dataset builder makes per alias: more queries, a steadier threshold
L2 = 1e-3


def calibrate(catalog: Catalog, encoder: Encoder, task: str) -> Calibration:
    pools = task_pools(catalog, task, SEED)
    table = split_table(catalog, encoder, task, pools)
    queries = _queries(pools, task)
    found = table.search(embed_queries(encoder, [q for q, _ in queries], task), k=2)
    rows = [(*top_and_margin(cands), cands[0].label, gold) for (_, gold), cands in zip(queries, found)]
    # the answer retrieval gives at a threshold: the top label, unless the name does not spell it (retrieval)
    answered = [cands[0].label if lexically_supported(catalog, task, text, cands[0].label) else None
                for (text, _), cands in zip(queries, found)]
    x = np.array([[r[0], r[1]] for r in rows], dtype=np.float64)
    right = np.array([r[2] == r[3] for r in rows], dtype=np.float64)
    a, b, c = _logistic_fit(x, right)
    p = 1.0 / (1.0 + np.exp(-(x @ np.array([a, b]) + c)))
    # values: maximize accuracy (an abstention is right for a non-standard name); headers: maximize F1 of the
    # mapped headers, since a wrongly mapped column costs more than one left for the user to map
    score = _f1 if task == "column" else _accuracy
    threshold, accuracy = _best_threshold(p, answered, [r[3] for r in rows], score)
    return Calibration(round(a, 6), round(b, 6), round(c, 6), threshold, accuracy, len(rows))


def _queries(pools: dict, task: str) -> list[tuple[str, str | None]]:
    """The eval split's aliases and a few augmented variants of each, with their gold label (None: negative)."""
    aug_task = task if task in ("vehicle", "pollutant") else "pollutant"  # columns: wrappers, units, noise
    queries = []
    for label, by_split in pools.items():
        gold = None if label == UNKNOWN else label
        for alias in by_split["eval"]:
            rng = random.Random(f"{SEED}:calibration:{task}:{alias}")
            queries += [(text, gold) for text, _ in variants(alias, aug_task, rng, VARIANTS)]
    return queries
def _logistic_fit(x: np.ndarray, y: np.ndarray, steps: int = 3000, lr: float = 0.5):
    """Deterministic gradient descent on the mean log loss (features standardized for conditioning)."""
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / std
    w, c = np.zeros(z.shape[1]), 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w + c)))
        grad = p - y
        w -= lr * (z.T @ grad / len(y) + L2 * w)
        c -= lr * grad.mean()
    a, b = w / std
    return float(a), float(b), float(c - (w * mean / std).sum())


def _accuracy(answers: list, golds: list) -> float:
    return sum(a == g for a, g in zip(answers, golds)) / len(golds)


def _f1(answers: list, golds: list) -> float:
    tp = sum(a is not None and a == g for a, g in zip(answers, golds))
    answered, relevant = sum(a is not None for a in answers), sum(g is not None for g in golds)
    return 2 * tp / (answered + relevant) if answered + relevant else 0.0


def _best_threshold(p: np.ndarray, top_labels: list, golds: list, score=_accuracy) -> tuple[float, float]:
    """The threshold on p maximizing `score` (answer the top label at or above it, abstain below), and the score."""
    best = (1.01, score([None] * len(golds), golds))  # abstain on everything
    for t in sorted(set(np.round(p, 4))):
        value = score([lab if pi >= t else None for lab, pi in zip(top_labels, p)], golds)
        if value > best[1] + 1e-12:
            best = (float(t), value)
    return round(best[0], 4), round(best[1], 4)
