"""`emstd data build`: both datasets, split by alias, deduplicated, with stats. One linear function."""

from __future__ import annotations

from pathlib import Path

from emstd.catalog import load_catalog
from emstd.defaults import MAX_LENGTH
from emstd.data.column import build_column, column_pools
from emstd.data.split import SPLITS, one_split_per_key
from emstd.data.unified import build_unified, unified_pools
from emstd.data.lengths import percentiles, token_lengths
from emstd.data.qwen_tokenizer import load_qwen25_tokenizer
from emstd.io import check_output_dir, claim_output_dir, write_json_atomic, write_jsonl_atomic

COLUMN_SIZES = {"train": 1700, "eval": 200, "test": 100}
OWNER = "data build"
FILES = {f"{m}_{s}.jsonl" for m in ("unified", "column") for s in SPLITS} | {"stats.json"}


def is_dataset_dir(d: Path) -> bool:
    """A dataset written before output markers existed: nothing in it but the files this writes."""
    return {p.name for p in d.iterdir()} <= FILES


def build_dataset(out_dir: str | Path, seed: int = 42, progress=print) -> dict:
    """Write the datasets into `out_dir`: a new or empty directory, or a dataset directory (rewritten in place)."""
    out_dir = Path(out_dir)
    check_output_dir(out_dir, OWNER, legacy=is_dataset_dir)  # before a minute of work
    catalog = load_catalog()

    progress("splitting aliases by name (85/10/5, stratified per label)")
    upools = unified_pools(catalog, seed)
    progress("building unified examples, with retrieval candidates from an index of the train split")
    unified = build_unified(catalog, upools, seed)
    progress("building column examples")
    cpools = column_pools(catalog, upools["vehicle"], seed)
    tokenizer = load_qwen25_tokenizer()
    fits = lambda messages: token_lengths([messages], tokenizer)[0] <= MAX_LENGTH["column"]  # noqa: E731
    column = one_split_per_key(build_column(catalog, cpools, seed, COLUMN_SIZES, fits),
                               lambda r: r["messages"][1]["content"])

    progress("measuring token lengths with the Qwen2.5 tokenizer")
    stats = {"seed": seed, "catalog": catalog_stamp(catalog),
             "unified": _stats(unified, tokenizer), "column": _stats(column, tokenizer)}

    claim_output_dir(out_dir, OWNER, legacy=is_dataset_dir)
    for split in SPLITS:
        write_jsonl_atomic(out_dir / f"unified_{split}.jsonl", unified[split])
        write_jsonl_atomic(out_dir / f"column_{split}.jsonl", column[split])
    write_json_atomic(out_dir / "stats.json", stats)
    return stats


def catalog_stamp(catalog) -> dict:
    """Which catalog a dataset was built from: its fingerprint and the user overlay file, if any."""
    return {"fingerprint": catalog.fingerprint(), "overlay": catalog.overlay_source}


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
