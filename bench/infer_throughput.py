"""Inference throughput: the origin client's way (one input at a time, free generation) against emstd's
(shared-prefix KV cache, batched, constrained to the label set, de-duplicated and cached), on the same model,
adapter, inputs and prompts.

    python bench/infer_throughput.py --model tiny|smollm2 [--n 64] [--repeats 3] [--adapter DIR]
                                     [--batch-size N] [--threads N] [--no-prefix] [--skip-repeated] [--data DIR]
                                     [--dtype auto|fp32|bf16] [--baseline-dtype fp32|bf16]

Inputs are distinct vehicle/pollutant names from the test split, each with the retrieval candidates the data
builder stored for it, so both sides see the production prompt (system prompt, name, three candidates). A second
measurement repeats each name 10 times (what a real table looks like). Each measurement is the median of
--repeats runs, the two methods alternating run by run. `--batch-size` and `--threads` default to the backend's
defaults; `--no-prefix` runs emstd's way without the shared-prefix cache. `--dtype` is emstd's weights dtype
(default: the backend's, auto = bf16 where the CPU has bf16 units); the baseline runs the origin's fp32 unless
`--baseline-dtype` says otherwise (bf16 too: the ratio of emstd's engineering alone). `answers_agree` counts the
distinct names where emstd's label equals the baseline's generated one. The last line is
`items_per_s_baseline=… items_per_s=… ratio=…` for the distinct inputs.
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

from emstd.defaults import INFER_DTYPES  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["tiny", "smollm2"], default="tiny")
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--adapter", help="a trained unified adapter dir (default: a random LoRA)")
    ap.add_argument("--batch-size", type=int, help="the local backend's batch size (default: its default)")
    ap.add_argument("--threads", type=int, help="torch threads (default: the backend's setting)")
    ap.add_argument("--no-prefix", action="store_true", help="emstd's way without the shared-prefix KV cache")
    ap.add_argument("--skip-repeated", action="store_true", help="only the distinct names")
    ap.add_argument("--dtype", choices=INFER_DTYPES, help="emstd's weights dtype (default: the backend's)")
    ap.add_argument("--baseline-dtype", choices=["fp32", "bf16"], default="fp32", help="the baseline's (the origin: fp32)")
    ap.add_argument("--data", help="a dataset dir built by `emstd data build --seed 42` (default: build one, ~1-3 min)")
    args = ap.parse_args()

    import torch

    from emstd.data.build import build_dataset
    from emstd.data.retrieval import Candidate, Retrieved
    from emstd.infer.local import LocalBackend, infer_dtype
    from emstd.infer.standardizer import Standardizer
    from emstd.prompts import unified_messages

    torch.manual_seed(0)
    work = Path(tempfile.mkdtemp(prefix="emstd-bench-"))
    base, gguf = make_model_dir(args.model, work)
    adapter = args.adapter or random_adapter(base, gguf, work / "adapter")
    data = Path(args.data) if args.data else work / "data"
    if not args.data:
        build_dataset(data, seed=42, progress=lambda m: None)
    rows = [json.loads(line) for line in (data / "unified_test.jsonl").read_text(encoding="utf-8").splitlines()]
    candidates = {(r["meta"]["task"], r["meta"]["value"]): r["meta"]["candidates"] for r in rows}
    items = list(candidates)[: args.n]

    class StoredRetrieval:
        """The candidates the data builder stored for each name (what the retrieval index answered for it)."""

        def search(self, values, task):
            return [Retrieved(tuple(Candidate(*c) for c in candidates[(task, v)]), 0.0) for v in values]

    options = {"batch_size": args.batch_size} if args.batch_size else {}
    dtype = infer_dtype(args.dtype)
    backend = LocalBackend(base, unified_adapter=adapter, gguf_file=gguf, retrieval=StoredRetrieval(), dtype=dtype,
                           **options)
    if args.threads:
        backend.threads = args.threads
    if backend.threads:
        torch.set_num_threads(backend.threads)  # the baseline runs on the same threads as emstd's way
    backend.share_prefix = not args.no_prefix
    origin = backend if args.baseline_dtype == dtype else LocalBackend(base, unified_adapter=adapter, gguf_file=gguf,
                                                                      dtype=args.baseline_dtype)
    origin.model.set_adapter("unified")  # the baseline runs the same adapter, one input at a time
    model, tok = origin.model, origin.tokenizer
    generated, said = [], {}

    def baseline(batch):
        tok.padding_side = "left"
        for task, value in batch:  # one at a time, free generation: the origin client (with today's prompt)
            messages = unified_messages(task, value, candidates=candidates[(task, value)])
            prompt = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
            enc = tok(prompt, return_tensors="pt", add_special_tokens=False)
            with torch.no_grad():
                out = model.generate(**enc, max_new_tokens=16, do_sample=False, pad_token_id=tok.pad_token_id,
                                     eos_token_id=origin.end_token_id)
            generated.append(out.shape[1] - enc["input_ids"].shape[1])
            said[(task, value)] = tok.decode(out[0, enc["input_ids"].shape[1]:], skip_special_tokens=True).strip()

    answered = {}

    def emstd_way(batch):
        s = Standardizer(backend)  # a fresh cache per run: nothing carried over between runs
        for task in ("vehicle", "pollutant"):
            values = [v for t, v in batch if t == task]
            for v, a in zip(values, s.standardize(values, task)):
                answered[(task, v)] = a.standard or "UNKNOWN"

    def timed(fn, batch):
        t0 = time.perf_counter()
        fn(batch)
        return time.perf_counter() - t0

    emstd_way(items[:4])  # warm-up: the shared prefixes, allocators
    results = {}
    cases = [("distinct", items)] + ([] if args.skip_repeated else [("repeated x10", items * 10)])
    for label, batch in cases:
        times = {"baseline": [], "emstd": []}
        for _ in range(args.repeats):  # alternating, run by run: shared-machine noise hits both alike
            times["baseline"].append(timed(baseline, batch))
            times["emstd"].append(timed(emstd_way, batch))
        b, e = (len(batch) / statistics.median(times[k]) for k in ("baseline", "emstd"))
        results[label] = (b, e)
        print(f"{label:13s} n={len(batch):5d}  baseline {b:8.2f} items/s   emstd {e:9.2f} items/s   ratio {e / b:7.1f}x",
              flush=True)
    b, e = results["distinct"]
    print(f"model={args.model} n={len(items)} repeats={args.repeats} batch_size={backend.batch_size} "
          f"torch_threads={torch.get_num_threads()} prefix_cache={backend.share_prefix} "
          f"baseline_mean_new_tokens={statistics.mean(generated):.1f} dtype={dtype} baseline_dtype={args.baseline_dtype}")
    agree = sum(answered[i] == said[i] for i in items)
    print(f"answers_agree={agree}/{len(items)} (emstd's label = the baseline's generated text)")
    print(f"items_per_s_baseline={b:.2f} items_per_s={e:.2f} ratio={e / b:.2f}")


if __name__ == "__main__":
    main()
