"""`emstd data build`: both datasets, split by alias, deduplicated, with stats. One linear function."""

from __future__ import annotations

from pathlib import Path

from emstd.catalog import load_catalog
from emstd.defaults import MAX_LENGTH
from emstd.data.column import build_column, column_pools
from emstd.data.split import SPLITS
from emstd.data.unified import build_unified, unified_pools
from emstd.data.lengths import percentiles, token_lengths
from emstd.data.qwen_tokenizer import load_qwen25_tokenizer
from emstd.io import write_json_atomic, write_jsonl_atomic

COLUMN_SIZES = {"train": 1700, "eval": 200, "test": 100}


def build_dataset(out_dir: str | Path, seed: int = 42, progress=print) -> dict:
    out_dir = Path(out_dir)
    catalog = load_catalog()

    progress("splitting aliases by name (85/10/5, stratified per label)")
    upools = unified_pools(catalog, seed)
    progress("building unified examples")
    unified = build_unified(catalog, upools, seed)
    unified = _drop_cross_split_duplicates(unified)
    progress("building column examples")
    cpools = column_pools(catalog, upools["vehicle"], seed)
    tokenizer = load_qwen25_tokenizer()
    fits = lambda messages: token_lengths([messages], tokenizer)[0] <= MAX_LENGTH["column"]  # noqa: E731
    column = _drop_cross_split_duplicates(build_column(catalog, cpools, seed, COLUMN_SIZES, fits))

    progress("measuring token lengths with the Qwen2.5 tokenizer")
    stats = {"seed": seed, "unified": _stats(unified, tokenizer), "column": _stats(column, tokenizer)}

    for split in SPLITS:
        write_jsonl_atomic(out_dir / f"unified_{split}.jsonl", unified[split])
        write_jsonl_atomic(out_dir / f"column_{split}.jsonl", column[split])
    write_json_atomic(out_dir / "stats.json", stats)
    return stats


def _drop_cross_split_duplicates(data: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """An input text in two splits would leak; test keeps it, then eval, then train."""
    seen: set[str] = set()
    out = {}
    for split in ("test", "eval", "train"):
        out[split] = [r for r in data[split] if r["messages"][1]["content"] not in seen]
        seen.update(r["messages"][1]["content"] for r in out[split])
    return {s: out[s] for s in SPLITS}


def _stats(data: dict[str, list[dict]], tokenizer) -> dict:
    out = {"sizes": {s: len(data[s]) for s in SPLITS}, "labels": {}, "aliases": {}, "tokens": {}}
    for split in SPLITS:
        counts: dict[str, int] = {}
        aliases: set = set()
        for row in data[split]:
            meta = row["meta"]
            name = f"{meta['task']}:{meta['label']}"
            counts[name] = counts.get(name, 0) + 1
            aliases.add((meta["task"], meta["alias"]))
        out["labels"][split] = dict(sorted(counts.items()))
        out["aliases"][split] = len(aliases)
        out["tokens"][split] = percentiles(token_lengths([r["messages"] for r in data[split]], tokenizer))
    return out
