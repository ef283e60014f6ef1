"""Inference throughput: the origin client's way (one input at a time, free generation) against emstd's
(batched, constrained to the label set, de-duplicated and cached), on the same model, adapter and inputs.

    python bench/infer_throughput.py --model tiny|smollm2 [--n 64] [--repeats 3] [--adapter DIR]

Inputs are distinct vehicle/pollutant names from the test split; a second measurement repeats each name 10 times
(what a real table looks like). Each measurement is the median of --repeats runs, alternating the two methods.
The last line is `items_per_s_baseline=… items_per_s=… ratio=…` for the distinct inputs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import make_model_dir, random_adapter  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["tiny", "smollm2"], default="tiny")
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--adapter", help="a trained unified adapter dir (default: a random LoRA)")
    args = ap.parse_args()

    import torch

    from emstd.data.build import build_dataset
    from emstd.infer.local import LocalBackend
    from emstd.infer.standardizer import Standardizer
    from emstd.prompts import unified_messages

    torch.manual_seed(0)
    work = Path(tempfile.mkdtemp(prefix="emstd-bench-"))
    base, gguf = make_model_dir(args.model, work)
    adapter = args.adapter or random_adapter(base, gguf, work / "adapter")
    data = work / "data"
    build_dataset(data, seed=42, progress=lambda m: None)
    rows = [json.loads(line) for line in (data / "unified_test.jsonl").read_text(encoding="utf-8").splitlines()]
    items = list(dict.fromkeys((r["meta"]["task"], r["meta"]["value"]) for r in rows))[: args.n]

    backend = LocalBackend(base, unified_adapter=adapter, gguf_file=gguf, batch_size=32)
    backend.model.set_adapter("unified")  # the baseline runs the same adapter, one input at a time
    model, tok = backend.model, backend.tokenizer

    def baseline(batch):
        tok.padding_side = "left"
        for task, value in batch:  # one at a time, free generation: the origin client
            prompt = tok.apply_chat_template(unified_messages(task, value), tokenize=False, add_generation_prompt=True)
            enc = tok(prompt, return_tensors="pt", add_special_tokens=False)
            with torch.no_grad():
                out = model.generate(**enc, max_new_tokens=16, do_sample=False, pad_token_id=tok.pad_token_id,
                                     eos_token_id=backend.end_token_id)
            tok.decode(out[0, enc["input_ids"].shape[1]:], skip_special_tokens=True)

    def emstd_way(batch):
        s = Standardizer(backend)  # a fresh cache per run: nothing carried over between runs
        for task in ("vehicle", "pollutant"):
            s.standardize([v for t, v in batch if t == task], task)

    def measure(fn, batch):
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            fn(batch)
            times.append(time.perf_counter() - t0)
        return len(batch) / statistics.median(times)

    results = {}
    for label, batch in (("distinct", items), ("repeated x10", items * 10)):
        base_ips, emstd_ips = [], []
        for _ in range(1):  # alternate inside measure() calls
            base_ips.append(measure(baseline, batch))
            emstd_ips.append(measure(emstd_way, batch))
        results[label] = (base_ips[0], emstd_ips[0])
        print(f"{label:13s} n={len(batch):5d}  baseline {base_ips[0]:8.2f} items/s   emstd {emstd_ips[0]:9.2f} items/s"
              f"   ratio {emstd_ips[0] / base_ips[0]:7.1f}x", flush=True)
    b, e = results["distinct"]
    print(f"model={args.model} n={len(items)} repeats={args.repeats} torch_threads={torch.get_num_threads()}")
    print(f"items_per_s_baseline={b:.2f} items_per_s={e:.2f} ratio={e / b:.2f}")


if __name__ == "__main__":
    main()
