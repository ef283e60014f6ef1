"""Training throughput: the seed's preprocessing against emstd's, same model, data, batch and LoRA.

    python bench/train_throughput.py --model tiny|smollm2 [--steps N] [--batch 8] [--threads N] [--plain-logits]
                                     [--data DIR]

- seed:    every example padded to max_length (256), loss on every non-pad token (system and user included),
           pad masked by token id (the seed's preprocess_function); the plain forward (logits everywhere).
- emstd:   dynamic padding to the longest example in the batch, batches grouped by token length as `emstd train`
           forms them (train_sampling_strategy: group_by_length), loss on the answer only (emstd.train.tokenize),
           logits only at answer positions (emstd.train.loss, as AnswerLogitsTrainer computes them).
- ceiling: the same batches and loss with zero padding: each sequence cut to the batch's shortest length by
           dropping tokens from its start, so that every answer (at the end) and its logits survive. The most
           non-padding tokens per second this model and machine can do at this batch size with emstd's loss.
`--plain-logits` gives emstd and the ceiling the plain forward (logits everywhere), to see what the answer-only
logits add; `--threads` sets torch's threads (default: torch's own).

The three run alternately, step by step, on the same examples, with one optimizer each, so machine noise hits
all of them alike. Reported per variant: non-padding tokens/s (median over steps), seconds per optimizer step
(median), and the process RSS at the end of the forward pass (median; activations alive), then the ratio.
The last line: `seed_tok_s=… emstd_tok_s=… ceiling_tok_s=… ratio_vs_seed=… ceiling_fraction=…`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import make_model_dir  # noqa: E402

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def seed_features(messages, tokenizer, max_length):
    """The seed's preprocess_function, as the seed recipe writes it (docs/training.md)."""
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=False)
    enc = tokenizer(text, max_length=max_length, truncation=True, padding="max_length")
    labels = [-100 if t == tokenizer.pad_token_id else t for t in enc["input_ids"]]
    return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"], "labels": labels}


def to_batch(features):
    import torch

    return {k: torch.tensor([f[k] for f in features]) for k in ("input_ids", "attention_mask", "labels")}


def ceiling_batch(features):
    """Zero padding: every sequence cut to the batch's shortest, keeping its end (the answer and its labels)."""
    n = min(len(f["input_ids"]) for f in features)
    return to_batch([{k: f[k][-n:] for k in ("input_ids", "attention_mask", "labels")} for f in features])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["tiny", "smollm2"], default="tiny")
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--max-length", type=int, default=256)
    ap.add_argument("--data", help="a dataset dir built by `emstd data build --seed 42` (default: build one)")
    ap.add_argument("--threads", type=int, help="torch threads (default: torch's own)")
    ap.add_argument("--plain-logits", action="store_true", help="emstd and ceiling without answer-only logits")
    args = ap.parse_args()

    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from emstd.data.build import build_dataset
    from emstd.train.loss import answer_logits_loss
    from emstd.train.tokenize import encode_example, make_collator

    torch.manual_seed(0)
    if args.threads:
        torch.set_num_threads(args.threads)
    work = Path(tempfile.mkdtemp(prefix="emstd-train-bench-"))
    base, gguf = make_model_dir(args.model, work)
    kwargs = {"gguf_file": gguf} if gguf else {}
    tokenizer = AutoTokenizer.from_pretrained(base, **kwargs)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    data = Path(args.data) if args.data else work / "data"
    if not args.data:
        build_dataset(data, seed=42, progress=lambda m: None)
    rows = [json.loads(x) for x in (data / "unified_train.jsonl").read_text(encoding="utf-8").splitlines()]
    random.Random(0).shuffle(rows)
    # a pool as large as the sampler's mega-batches (50 batches) so length grouping works as in a real run
    pool = [r["messages"] for r in rows[: max(args.steps, 50) * args.batch * 4]]

    # batches as `emstd train` forms them (train_sampling_strategy: group_by_length): every variant gets the same
    # batches, so only padding and the loss mask differ
    from transformers.trainer_pt_utils import LengthGroupedSampler

    encoded = [encode_example(m, tokenizer, args.max_length) for m in pool]
    keep = [i for i, e in enumerate(encoded) if e is not None]
    pool, encoded = [pool[i] for i in keep], [encoded[i] for i in keep]
    lengths = [len(e.input_ids) for e in encoded]  # token lengths, as the Trainer's sampler reads them
    order = list(LengthGroupedSampler(args.batch, lengths=lengths, generator=torch.Generator().manual_seed(0)))
    batches = [order[i : i + args.batch] for i in range(0, len(order) - args.batch + 1, args.batch)]
    spread = batches[:: max(1, len(batches) // args.steps)][: args.steps]  # batches from across the epoch
    examples = [pool[i] for b in spread for i in b]
    collate = make_collator(tokenizer)
    emstd_feats = [{"input_ids": encoded[i].input_ids, "attention_mask": [1] * len(encoded[i].input_ids),
                    "labels": encoded[i].labels} for b in spread for i in b]
    seed_feats = [seed_features(m, tokenizer, args.max_length) for m in examples]

    models, optims = {}, {}
    for name in ("seed", "emstd", "ceiling"):
        torch.manual_seed(0)
        m = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32, **kwargs)
        m = get_peft_model(m, LoraConfig(r=16, lora_alpha=32, lora_dropout=0.05, target_modules=TARGETS,
                                         task_type="CAUSAL_LM"))
        m.train()
        models[name] = m
        optims[name] = torch.optim.AdamW([p for p in m.parameters() if p.requires_grad], lr=2e-4)

    stats = {name: {"tok_s": [], "step_s": [], "rss": [], "pad_frac": []} for name in models}
    for step in range(args.steps):
        chunk = slice(step * args.batch, (step + 1) * args.batch)
        batches = {
            "seed": to_batch(seed_feats[chunk]),
            "emstd": collate([dict(f) for f in emstd_feats[chunk]]),
            "ceiling": ceiling_batch(emstd_feats[chunk]),
        }
        for name, batch in batches.items():
            model, opt = models[name], optims[name]
            real = int(batch["attention_mask"].sum())
            t0 = time.perf_counter()
            if name == "seed" or args.plain_logits:
                loss = model(**batch).loss
            else:
                loss = answer_logits_loss(model, batch)
            rss = rss_mb()
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
            dt = time.perf_counter() - t0
            if step > 0:  # the first step warms up allocators and kernels
                s = stats[name]
                s["tok_s"].append(real / dt)
                s["step_s"].append(dt)
                s["rss"].append(rss)
                s["pad_frac"].append(1 - real / batch["attention_mask"].numel())
        print(f"step {step + 1}/{args.steps} done", file=sys.stderr, flush=True)

    med = {n: {k: statistics.median(v) for k, v in s.items()} for n, s in stats.items()}
    print(f"model={args.model} batch={args.batch} steps={args.steps} (first excluded) max_length={args.max_length} "
          f"threads={torch.get_num_threads()} logits={'everywhere' if args.plain_logits else 'answer positions'}")
    for name in ("seed", "emstd", "ceiling"):
        m = med[name]
        print(f"{name:8s} non-pad tok/s {m['tok_s']:9.1f}   s/step {m['step_s']:7.3f}   RSS after forward "
              f"{m['rss']:8.0f} MiB   padding {100 * m['pad_frac']:5.1f}%")
    ratio = med["emstd"]["tok_s"] / med["seed"]["tok_s"]
    frac = med["emstd"]["tok_s"] / med["ceiling"]["tok_s"]
    print(f"seed_tok_s={med['seed']['tok_s']:.1f} emstd_tok_s={med['emstd']['tok_s']:.1f} "
          f"ceiling_tok_s={med['ceiling']['tok_s']:.1f} ratio_vs_seed={ratio:.2f} ceiling_fraction={frac:.2f}")


if __name__ == "__main__":
    main()
