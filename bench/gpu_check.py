"""Check the seed's "~12 GB, 2-3 hours" on a lent GPU: Qwen2.5-3B-Instruct's exact architecture (random weights:
no download), the unified config (LoRA r=16 on 7 modules, fp16, gradient checkpointing, batch 4 x 4, max_length
256), a few dozen optimizer steps through emstd's own Trainer path.

    python bench/gpu_check.py [--steps 30] [--layers 36]      # on the GPU machine (one script, < 10 min)
    python bench/gpu_check.py --steps 2 --layers 2 --cpu      # the same code path on CPU, to check the script

Reports seconds per optimizer step, non-padding tokens/s, peak GPU memory, and the projected time for 5 epochs of
the real unified train split (steps/epoch from its size and the effective batch of 16).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--layers", type=int, default=36, help="fewer layers only to check the script on CPU")
    ap.add_argument("--cpu", action="store_true")
    args = ap.parse_args()

    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoConfig, AutoModelForCausalLM, Trainer, TrainerCallback, TrainingArguments

    from emstd.data.build import build_dataset
    from emstd.data.qwen_tokenizer import load_qwen25_tokenizer
    from emstd.train.tokenize import make_collator, read_records, tokenize_dataset

    if not args.cpu and not torch.cuda.is_available():
        raise SystemExit("no CUDA GPU here: run with --cpu to check the script, or on the lent GPU machine")
    work = Path(tempfile.mkdtemp(prefix="emstd-gpu-check-"))
    build_dataset(work / "data", seed=42, progress=lambda m: None)
    tokenizer = load_qwen25_tokenizer()
    records = read_records(work / "data" / "unified_train.jsonl")
    n_train = len(records)
    ds, _ = tokenize_dataset(records[: args.steps * 16 + 64], tokenizer, 256, "train")

    cfg_file = Path(__file__).resolve().parent.parent / "src/emstd/train/qwen2.5-3b-instruct.json"
    config = AutoConfig.for_model(**{k: v for k, v in json.loads(cfg_file.read_text()).items()
                                     if k not in ("architectures", "transformers_version")})
    config.num_hidden_layers = args.layers
    torch.manual_seed(0)
    dtype = torch.float16 if not args.cpu else torch.float32
    model = AutoModelForCausalLM.from_config(config, dtype=dtype)  # random weights, exact architecture
    model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, lora_dropout=0.05, task_type="CAUSAL_LM",
                                             target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
                                                             "up_proj", "down_proj"]))
    for p in model.parameters():  # trainable adapter weights in fp32 (peft#341)
        if p.requires_grad:
            p.data = p.data.float()
    model.enable_input_require_grads()

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

    targs = TrainingArguments(
        output_dir=str(work / "run"), max_steps=args.steps, per_device_train_batch_size=4,
        gradient_accumulation_steps=4, learning_rate=2e-4, warmup_steps=0.1, lr_scheduler_type="cosine",
        fp16=not args.cpu, use_cpu=args.cpu, activation_checkpointing=True,
        activation_checkpointing_kwargs={"use_reentrant": False}, logging_steps=10, save_strategy="no",
        report_to=[], include_num_input_tokens_seen="non_padding", dataloader_pin_memory=not args.cpu,
    )
    trainer = Trainer(model=model, args=targs, train_dataset=ds, data_collator=make_collator(tokenizer),
                      callbacks=[Timer()])
    t0 = time.perf_counter()
    trainer.train()
    wall = time.perf_counter() - t0
    step_s = statistics.median(times[1:] or times)
    tok_s = trainer.state.num_input_tokens_seen / wall
    peak = torch.cuda.max_memory_allocated() / 2**30 if torch.cuda.is_available() else float("nan")
    steps_per_epoch = math.ceil(n_train / 16)
    projected_h = 5 * steps_per_epoch * step_s / 3600
    print(f"layers={args.layers} device={'cuda:' + torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'cpu'}")
    print(f"s_per_step={step_s:.3f} tokens_per_s={tok_s:.0f} peak_gpu_gib={peak:.2f} "
          f"steps_per_epoch={steps_per_epoch} projected_5_epochs_h={projected_h:.2f}", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
