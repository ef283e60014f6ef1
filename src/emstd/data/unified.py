"""Examples for the unified model: `[vehicle] 大货车` -> `Single Unit Short-haul Truck`, negatives -> UNKNOWN."""

from __future__ import annotations

import random

from emstd.catalog import Catalog
from emstd.data.augment import variants
from emstd.data.retrieval import TOP_K, Encoder, embed_queries, split_table
from emstd.data.split import SPLITS, group_key, one_split_per_key, task_pools
from emstd.prompts import unified_messages

VARIANTS_PER_ALIAS = 7


def unified_pools(catalog: Catalog, seed: int) -> dict[str, dict[str, dict[str, list[str]]]]:
    """task -> label (UNKNOWN for negatives) -> split -> aliases."""
    return {task: task_pools(catalog, task, seed) for task in ("vehicle", "pollutant")}


def build_unified(catalog: Catalog, pools, seed: int, encoder=None,
                  variants_per_alias: int = VARIANTS_PER_ALIAS) -> dict[str, list[dict]]:
    """Records per split: every alias's variants, deduplicated by (task, value) across splits (test keeps a value,
    then eval, then train), each with its retrieval candidates in the prompt and in meta."""
    rows: dict[str, list[dict]] = {s: [] for s in SPLITS}
    for task in ("vehicle", "pollutant"):
        for label, by_split in pools[task].items():
            for split in SPLITS:
                for alias in by_split[split]:
                    rng = random.Random(f"{seed}:{task}:{alias}")
                    for text, aug in variants(alias, task, rng, variants_per_alias):
                        rows[split].append({"task": task, "label": label, "alias": alias, "aug": aug, "value": text})
    rows = one_split_per_key(rows, lambda m: (m["task"], m["value"]))
    encoder = encoder or Encoder()
    out: dict[str, list[dict]] = {s: [] for s in SPLITS}
    for task in ("vehicle", "pollutant"):
        table = split_table(catalog, encoder, task, pools[task])
        for split in SPLITS:
            metas = [m for m in rows[split] if m["task"] == task]
            # a training example must not retrieve its own alias group: in use, a name is never its own neighbour
            exclude = [group_key(m["alias"], task) if split == "train" else None for m in metas]
            found = table.search(embed_queries(encoder, [m["value"] for m in metas], task), TOP_K, exclude)
            for meta, cands in zip(metas, found):
                meta["candidates"] = [[c.label, c.alias, c.similarity] for c in cands]
                out[split].append({"messages": unified_messages(task, meta["value"], meta["label"], meta["candidates"]),
                                   "meta": meta})
    for split in SPLITS:
        random.Random(f"{seed}:shuffle:{split}").shuffle(out[split])
    return out
