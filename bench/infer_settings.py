"""The local backend's settings: batch size and torch threads, measured on this machine.

    python bench/infer_settings.py --model tiny|smollm2 [--n 48] [--repeats 3] [--batch-sizes 4,8,16,32]
                                   [--threads 1,2] [--baseline-n 3] [--data DIR]

For each thread count and batch size, emstd's way (LocalBackend.standardize_values: shared-prefix cache, batched,
constrained) answers the same --n distinct vehicle names with their stored candidates; the origin client's way
(one by one, free generation, 16 new tokens at most) answers the first --baseline-n of them at each thread count.
Settings alternate within each repeat (machine noise hits all alike); each line is the median seconds per name.
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
    ap.add_argument("--model", choices=["tiny", "smollm2"], default="smollm2")
    ap.add_argument("--n", type=int, default=48)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch-sizes", default="4,8,16,32")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--baseline-n", type=int, default=3)
    ap.add_argument("--data", help="a dataset dir built by `emstd data build --seed 42` (default: build one)")
    args = ap.parse_args()

    import torch

    from emstd.data.build import build_dataset
    from emstd.data.retrieval import Candidate, Retrieved
    from emstd.infer.local import LocalBackend
    from emstd.prompts import unified_messages

    torch.manual_seed(0)
    work = Path(tempfile.mkdtemp(prefix="emstd-bench-"))
    base, gguf = make_model_dir(args.model, work)
    adapter = random_adapter(base, gguf, work / "adapter")
    data = Path(args.data) if args.data else work / "data"
    if not args.data:
        build_dataset(data, seed=42, progress=lambda m: None)
    rows = [json.loads(line) for line in (data / "unified_test.jsonl").read_text(encoding="utf-8").splitlines()]
    candidates = {r["meta"]["value"]: r["meta"]["candidates"] for r in rows if r["meta"]["task"] == "vehicle"}
    values = list(candidates)[: args.n]
    retrieved = [Retrieved(tuple(Candidate(*c) for c in candidates[v]), 0.0) for v in values]

    backend = LocalBackend(base, unified_adapter=adapter, gguf_file=gguf)
    model, tok = backend.model, backend.tokenizer

    def emstd_way(batch_size: int) -> float:
        backend.batch_size = batch_size
        t0 = time.perf_counter()
        backend.standardize_values(values, "vehicle", retrieved)
        return (time.perf_counter() - t0) / len(values)

    def baseline() -> float:
        model.set_adapter("unified")
        t0 = time.perf_counter()
        for v in values[: args.baseline_n]:
            messages = unified_messages("vehicle", v, candidates=candidates[v])
            enc = tok(tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True),
                      return_tensors="pt", add_special_tokens=False)
            with torch.no_grad():
                model.generate(**enc, max_new_tokens=16, do_sample=False, pad_token_id=tok.pad_token_id,
                               eos_token_id=backend.end_token_id)
        return (time.perf_counter() - t0) / args.baseline_n

    threads = [int(t) for t in args.threads.split(",")]
    sizes = [int(b) for b in args.batch_sizes.split(",")]
    emstd_way(sizes[0])  # warm-up: the shared prefix, allocators
    times: dict[tuple, list[float]] = {}
    for _ in range(args.repeats):
        for t in threads:
            backend.threads = t
            torch.set_num_threads(t)  # the baseline's threads (emstd's way sets backend.threads itself)
            times.setdefault((t, "baseline"), []).append(baseline())
            for b in sizes:
                times.setdefault((t, b), []).append(emstd_way(b))
    print(f"model={args.model} n={len(values)} baseline_n={args.baseline_n} repeats={args.repeats}")
    for (t, what), ts in times.items():
        label = "one by one (baseline)" if what == "baseline" else f"emstd batch {what}"
        print(f"threads={t} {label:22s} {statistics.median(ts):7.3f} s/name  ({len(values) if what != 'baseline' else args.baseline_n} names)")


if __name__ == "__main__":
    main()
