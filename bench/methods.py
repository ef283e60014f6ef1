"""The seed's comparison tables, measured: LoRA vs full fine-tuning vs prefix tuning (QLoRA where CUDA exists),
same base model, data, batch and number of steps.

    python bench/methods.py --model smollm2|tiny [--steps 60] [--eval-limit 200] [--methods lora,full,prefix]

Per method: trainable parameters, saved checkpoint size (final/), peak RSS (CPU) or CUDA memory, median seconds
non-padding training tokens/s (median of metrics.jsonl, training time only), and test accuracy through the production inference path after the run.
Each method trains in its own subprocess, so peak memory is the method's own. The learning rate is the usual one
for each method (LoRA 3e-4, full 3e-5, prefix 3e-3): one rate for all would be unfair to two of them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SMOLLM2_FILE, make_model_dir  # noqa: E402

LR = {"lora": 3e-4, "full": 3e-5, "prefix": 3e-3, "qlora": 3e-4}
REPO = Path(__file__).resolve().parent.parent


def dir_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and p.suffix in (".safetensors", ".bin")) / 2**20


def train_one(method: str, base: str, gguf: str | None, data: Path, out: Path, steps: int) -> dict:
    overrides = [
        f"base_model={base}", f"method={method}", "precision=fp32", f"training.output_dir={out}",
        f"training.max_steps={steps}", f"training.learning_rate={LR[method]:.1e}", f"training.eval_steps={steps}",
        f"training.save_steps={steps}", "training.logging_steps=5", f"data.train_file={data / 'unified_train.jsonl'}",
        f"data.eval_file={data / 'unified_eval.jsonl'}", "data.eval_limit=64",
    ]
    if gguf:
        overrides.append(f"gguf_file={gguf}")
    cmd = [sys.executable, "-m", "emstd.cli", "train", str(REPO / "configs/cpu/unified_smollm2.yaml")]
    for o in overrides:
        cmd += ["--set", o]
    timer = shutil.which("time") or "/usr/bin/time"  # GNU time reports the child's own peak RSS
    if not Path(timer).exists():
        raise SystemExit("GNU time is needed to measure each method's peak memory: apt-get install time")
    proc = subprocess.run([timer, "-f", "%M", *cmd], capture_output=True, text=True)
    if proc.returncode != 0:
        return {"method": method, "error": proc.stderr.strip().splitlines()[-3:]}
    peak_kb = int(proc.stderr.strip().splitlines()[-1])
    rows = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    rates = sorted(r["tokens_per_s"] for r in rows if r.get("tokens_per_s"))
    trainable = next((line for line in proc.stderr.splitlines() if "trainable of" in line), "")
    return {"method": method, "peak_rss_mb": round(peak_kb / 1024), "final_mb": round(dir_size_mb(out / "final"), 2),
            "trainable_line": trainable.replace("[train] ", ""),
            "tokens_per_s": rates[len(rates) // 2] if rates else None,
            "last_loss": next((r["loss"] for r in reversed(rows) if r.get("loss") is not None), None),
            "eval_loss": next((r["eval_loss"] for r in reversed(rows) if r.get("eval_loss") is not None), None)}


def accuracy(method: str, base: str, gguf: str | None, final: Path, data: Path, limit: int) -> float | None:
    from emstd.eval.run import load_split, score
    from emstd.infer.local import LocalBackend

    rows = load_split(data, "unified", "test", limit)
    if method == "full":  # the whole model was trained: it is the base, with no adapter
        backend = LocalBackend(str(final))
        backend.zero_shot = True
    else:
        backend = LocalBackend(base, unified_adapter=str(final), gguf_file=gguf)
    return score("unified", backend, rows)["overall_accuracy"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["tiny", "smollm2"], default="smollm2")
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--eval-limit", type=int, default=200)
    ap.add_argument("--methods", default="lora,full,prefix")
    args = ap.parse_args()

    import torch

    from emstd.data.build import build_dataset

    work = Path(tempfile.mkdtemp(prefix="emstd-methods-"))
    base, gguf = make_model_dir(args.model, work)
    data = work / "data"
    build_dataset(data, seed=42, progress=lambda m: None)
    methods = args.methods.split(",")
    if torch.cuda.is_available() and "qlora" not in methods:
        methods.append("qlora")
    results = []
    for method in methods:
        print(f"[methods] training {method} for {args.steps} steps", file=sys.stderr, flush=True)
        r = train_one(method, base, gguf, data, work / method, args.steps)
        if "error" not in r:
            try:
                r["test_accuracy"] = accuracy(method, base, gguf, work / method / "final", data, args.eval_limit)
            except Exception as exc:  # report it in the table rather than lose the other methods' numbers
                r["test_accuracy"] = f"inference failed: {type(exc).__name__}: {str(exc)[:120]}"
        results.append(r)
        print(json.dumps(r), flush=True)
    print(f"model={args.model} gguf={gguf == SMOLLM2_FILE} steps={args.steps} eval_limit={args.eval_limit}")
    print("| method | trainable | final/ MiB | peak RSS MiB | train tok/s (median) | eval loss | test accuracy |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        if "error" in r:
            print(f"| {r['method']} | failed: {r['error']} | | | | | |")
            continue
        print(f"| {r['method']} | {r['trainable_line']} | {r['final_mb']} | {r['peak_rss_mb']} | {r['tokens_per_s']} | "
              f"{r['eval_loss']} | {r['test_accuracy']} |")


if __name__ == "__main__":
    main()
