"""Check the seed's "~12 GB, 2-3 hours" on a lent GPU by running the real recipe: configs/unified_lora.yaml through
`emstd train`'s own run_train, overriding only what the machine forces on us.

The GPU machine cannot reach the hub, so the base model is a directory with Qwen2.5-3B-Instruct's exact
architecture (the config shipped in emstd.train) and random weights, plus the offline Qwen2.5 tokenizer: speed and
memory do not depend on the weights' values. Everything else (LoRA r=16 on 7 modules, fp16, activation
checkpointing, batch 4 x 4, max_length 256, length-grouped batches, eval and checkpoints) is the config's.

    python bench/gpu_check.py [--steps 30]                    # on the GPU machine (one script, < 10 min)
    python bench/gpu_check.py --steps 2 --layers 2            # the same code path on CPU, to check the script

Prints seconds per optimizer step, non-padding tokens/s, peak memory, and the projected time for the config's
epochs over the real unified train split.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import tempfile
import time
from importlib import resources
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RECIPE = REPO / "configs" / "unified_lora.yaml"


def random_base_model(out: Path, layers: int | None) -> Path:
    """Qwen2.5-3B-Instruct's architecture with random weights (fp16), saved with the offline Qwen2.5 tokenizer."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    from emstd.data.qwen_tokenizer import load_qwen25_tokenizer

    data = json.loads(resources.files("emstd.train").joinpath("qwen2.5-3b-instruct.json").read_text())
    data = {k: v for k, v in data.items() if k not in ("architectures", "transformers_version")}
    if layers:  # only to check the script on CPU
        data["num_hidden_layers"] = layers
        data.pop("layer_types", None)
    config = AutoConfig.for_model(**data)
    torch.manual_seed(0)
    AutoModelForCausalLM.from_config(config, dtype=torch.float16).save_pretrained(out)
    load_qwen25_tokenizer().save_pretrained(out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--layers", type=int, default=None, help="fewer layers only to check the script on CPU")
    args = ap.parse_args()

    import torch
    from transformers import TrainerCallback

    from emstd.data.build import build_dataset
    from emstd.train.callbacks import read_metrics
    from emstd.train.config import load_config
    from emstd.train.run import run_train

    work = Path(tempfile.mkdtemp(prefix="emstd-gpu-check-"))
    build_dataset(work / "data", seed=42, progress=lambda m: None)
    base = random_base_model(work / "base", args.layers)
    every = max(1, args.steps // 2)
    overrides = [f"base_model={base}", f"training.output_dir={work / 'run'}", f"training.max_steps={args.steps}",
                 f"training.eval_steps={every}", f"training.save_steps={every}", "training.logging_steps=5",
                 f"data.train_file={work / 'data' / 'unified_train.jsonl'}",
                 f"data.eval_file={work / 'data' / 'unified_eval.jsonl'}", "data.eval_limit=256"]
    cfg = load_config(RECIPE, overrides)

    times: list[float] = []

    class Timer(TrainerCallback):
        def on_step_begin(self, *a, **k):
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            self.t = time.perf_counter()

        def on_step_end(self, *a, **k):
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            times.append(time.perf_counter() - self.t)

    run_train(cfg, extra_callbacks=[Timer()])
    rows = read_metrics(work / "run")
    rates = sorted(r["tokens_per_s"] for r in rows if r.get("tokens_per_s"))
    peak_mb = max((r.get("peak_mem_mb", 0) for r in rows), default=0)
    t = cfg.training
    effective = t["per_device_train_batch_size"] * t["gradient_accumulation_steps"]
    n_train = sum(1 for _ in open(work / "data" / "unified_train.jsonl", encoding="utf-8"))
    step_s = statistics.median(times[1:] or times)
    steps_total = t["num_train_epochs"] * math.ceil(n_train / effective)
    device = f"cuda:{torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else "cpu"
    print(f"recipe={RECIPE.name} layers={args.layers or 'all'} device={device} steps={args.steps}")
    print(f"s_per_step={step_s:.3f} tokens_per_s_median={rates[len(rates) // 2] if rates else float('nan'):.0f} "
          f"peak_mem_gib={peak_mb / 1024:.2f} steps_total={steps_total} "
          f"projected_h={steps_total * step_s / 3600:.2f}", flush=True)


if __name__ == "__main__":
    main()
