"""Split by alias: every variant of one alias lands in one split, so the test split measures unseen names.

Aliases that normalize to the same key ("CO₂" and "CO2", "二氧化碳(CO2)" and "二氧化碳") are one group. Groups are
split per label (stratified) 85/10/5, with at least one group per label in eval and test when the label has
three or more groups.
"""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Callable

from emstd.catalog.normalize import candidate_keys
from emstd.data.augment import MIXED_WORDS

SPLITS = ("train", "eval", "test")
RATIOS = {"train": 0.85, "eval": 0.10, "test": 0.05}


def group_key(alias: str, task: str) -> str:
    """The most normalized key of an alias: two aliases sharing it are the same name for leakage purposes."""
    keys = candidate_keys(alias, task)
    return keys[-1] if keys else alias


def split_aliases(aliases_by_label: dict[str, list[str]], task: str, seed: int | str,
                  pinned: frozenset[str] = frozenset()) -> dict[str, dict[str, list[str]]]:
    """label -> split -> aliases. Deterministic for a seed; label order does not matter. Groups whose key is in
    `pinned` always train: the augmenter writes those words beside other names (augment.MIXED_WORDS), so a held-out
    "车辆" would sit inside training inputs ("沥青洒布车车辆")."""
    out: dict[str, dict[str, list[str]]] = {}
    # a key claimed by two labels (should not happen; the catalog forbids it) goes to the first label only
    claimed: set[str] = set()
    for label in sorted(aliases_by_label, key=str):
        groups: dict[str, list[str]] = defaultdict(list)
        for alias in aliases_by_label[label]:
            groups[group_key(alias, task)].append(alias)
        keys = sorted(k for k in groups if k not in claimed)
        claimed.update(keys)
        always = [k for k in keys if k in pinned]
        keys = [k for k in keys if k not in pinned]
        rng = random.Random(f"{seed}:{task}:{label}")
        rng.shuffle(keys)
        n = len(keys)
        n_test = max(1, round(n * RATIOS["test"])) if n >= 3 else 0
        n_eval = max(1, round(n * RATIOS["eval"])) if n >= 3 else 0
        parts = {"test": keys[:n_test], "eval": keys[n_test : n_test + n_eval], "train": keys[n_test + n_eval :] + always}
        out[label] = {s: sorted(a for k in parts[s] for a in groups[k]) for s in SPLITS}
    return out


def task_pools(catalog, task: str, seed: int) -> dict[str, dict[str, list[str]]]:
    """label -> split -> aliases for one task ("vehicle", "pollutant" or "column"): each standard value's name and
    aliases, and the task's negatives under UNKNOWN."""
    from emstd.catalog import UNKNOWN

    def names_of(cat) -> dict[str, list[str]]:
        by_label = {item.standard: [item.standard, *item.all_aliases()] for item in cat.items(task)}
        by_label[UNKNOWN] = cat.negative_names(task)
        return by_label

    return catalog_split(catalog, task, names_of, seed)


def pinned_keys(task: str) -> frozenset[str]:
    """Group keys that always train: the words the augmenter mixes into other names."""
    return frozenset(group_key(w, task) for w in MIXED_WORDS.get(task, ()))


def catalog_split(catalog, task: str, names_of: Callable, seed: int) -> dict[str, dict[str, list[str]]]:
    """label -> split -> aliases of `names_of(catalog)` (label -> names).

    With a user overlay (catalog.base is the built-in catalog) the built-in names are split exactly as without it,
    so the held-out test names do not move; names the overlay re-pointed leave their old label; the overlay's own
    names are split by alias group among themselves (a group the built-in split already placed joins that split),
    so few corrections all go to train and many are held out like the rest."""
    if catalog.base is None:
        return split_aliases(names_of(catalog), task, seed, pinned_keys(task))
    merged = {label: list(names) for label, names in names_of(catalog).items()}
    builtin = names_of(catalog.base)
    out: dict[str, dict[str, list[str]]] = {label: {s: [] for s in SPLITS} for label in merged}
    placed: dict[str, str] = {}
    for label, by_split in split_aliases(builtin, task, seed, pinned_keys(task)).items():
        still = set(merged.get(label, ()))
        for s in SPLITS:
            for alias in by_split[s]:
                if alias in still:
                    out[label][s].append(alias)
                    placed[group_key(alias, task)] = s
    fresh: dict[str, list[str]] = defaultdict(list)
    for label, names in merged.items():
        known = set(builtin.get(label, ()))
        for alias in names:
            if alias in known:
                continue
            split = placed.get(group_key(alias, task))
            if split is not None:
                out[label][split].append(alias)
            else:
                fresh[label].append(alias)
    for label, by_split in split_aliases(dict(fresh), task, f"{seed}:user", pinned_keys(task)).items():
        for s in SPLITS:
            out[label][s] += by_split[s]
    return {label: {s: sorted(set(out[label][s])) for s in SPLITS} for label in out}


def one_split_per_key(data: dict[str, list], key) -> dict[str, list]:
    """Each key(row) in one split only, else it would leak: test keeps it, then eval, then train (first kept)."""
    seen: set = set()
    out = {}
    for split in ("test", "eval", "train"):
        out[split] = []
        for row in data[split]:
            k = key(row)
            if k not in seen:
                seen.add(k)
                out[split].append(row)
    return {s: out[s] for s in SPLITS}
