"""Examples for the unified model: `[vehicle] 大货车` -> `Single Unit Short-haul Truck`, negatives -> UNKNOWN."""

from __future__ import annotations

import random

from emstd.catalog import UNKNOWN, Catalog
from emstd.data.augment import variants
from emstd.data.split import SPLITS, split_aliases
from emstd.prompts import unified_messages

VARIANTS_PER_ALIAS = 7


def unified_pools(catalog: Catalog, seed: int) -> dict[str, dict[str, dict[str, list[str]]]]:
    """task -> label (UNKNOWN for negatives) -> split -> aliases."""
    pools = {}
    for task in ("vehicle", "pollutant"):
        by_label = {label: list(names) for label, names in catalog.aliases(task).items()}
        for label in by_label:
            by_label[label] = [label] + by_label[label]
        by_label[UNKNOWN] = catalog.negative_names(task)
        pools[task] = split_aliases(by_label, task, seed)
    return pools


def build_unified(catalog: Catalog, pools, seed: int, variants_per_alias: int = VARIANTS_PER_ALIAS) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {s: [] for s in SPLITS}
    for task in ("vehicle", "pollutant"):
        for label, by_split in pools[task].items():
            for split in SPLITS:
                for alias in by_split[split]:
                    rng = random.Random(f"{seed}:{task}:{alias}")
                    for text, aug in variants(alias, task, rng, variants_per_alias):
                        out[split].append(
                            {
                                "messages": unified_messages(task, text, label),
                                "meta": {"task": task, "label": label, "alias": alias, "aug": aug, "value": text},
                            }
                        )
    for split in SPLITS:
        out[split] = _dedupe(out[split])
        random.Random(f"{seed}:shuffle:{split}").shuffle(out[split])
    return out


def _dedupe(rows: list[dict]) -> list[dict]:
    seen, kept = set(), []
    for row in rows:
        k = row["messages"][1]["content"]
        if k not in seen:
            seen.add(k)
            kept.append(row)
    return kept
