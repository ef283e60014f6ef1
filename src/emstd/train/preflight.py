"""The seed's checklists, automated: before training (preflight), after training (diagnosis), and on a CUDA
out-of-memory error (the seed's remedy).
"""

from __future__ import annotations

import math

from emstd.errors import EmstdError
from emstd.train.tokenize import IGNORE_INDEX


class PreflightError(EmstdError):
    """Training would run but learn the wrong thing (or nothing); stop before spending the time."""


def check_tokenizer(tokenizer) -> None:
    problems = []
    if tokenizer.eos_token_id is None:
        problems.append("it has no eos token (generation would never stop)")
    if tokenizer.pad_token_id is None:
        problems.append("it has no pad token")
    if not tokenizer.chat_template:
        problems.append("it has no chat template (the prompts are chat messages)")
    if problems:
        raise PreflightError("the tokenizer cannot be used for chat training: " + "; ".join(problems))


def check_dataset(ds, name: str) -> None:
    if len(ds) == 0:
        raise PreflightError(f"{name}: no example fits data.max_length; raise it")
    empty = sum(1 for labels in ds["labels"] if all(x == IGNORE_INDEX for x in labels))
    if empty:
        raise PreflightError(f"{name}: {empty} example(s) have an empty label mask (no answer tokens)")


def check_one_step(model, collator, dataset, device) -> float:
    """One forward and backward pass on a real batch: finite loss and gradients on the trainable weights."""
    import torch

    batch = collator([dataset[i] for i in range(min(2, len(dataset)))])
    if not (batch["labels"] != IGNORE_INDEX).any():
        raise PreflightError("the first batch has no answer tokens in its labels")
    batch = {k: v.to(device) for k, v in batch.items()}
    was_training = model.training
    model.train()
    try:
        loss = model(**batch).loss
        if not torch.isfinite(loss):
            raise PreflightError(f"the first batch gives loss {loss.item()}: check precision and data")
        loss.backward()
        grads = [p.grad for p in model.parameters() if p.requires_grad]
        if not grads or all(g is None or not torch.isfinite(g).all() or g.abs().sum() == 0 for g in grads):
            raise PreflightError("one backward pass gave no gradient on the trainable weights")
        return loss.item()
    finally:
        model.zero_grad(set_to_none=True)
        model.train(was_training)


def oom_advice(cfg) -> str:
    t = cfg.training
    bs = int(t.get("per_device_train_batch_size", 8))
    acc = int(t.get("gradient_accumulation_steps", 1))
    new_bs, new_acc = max(1, bs // 2), acc * 2 if bs > 1 else acc
    lines = [
        "CUDA out of memory. The seed's remedy: halve the per-device batch and double gradient accumulation, "
        f"so the effective batch stays {bs * acc}:",
        f"  emstd train CONFIG --set training.per_device_train_batch_size={new_bs} "
        f"--set training.gradient_accumulation_steps={new_acc} --resume",
    ]
    if not (t.get("activation_checkpointing") or t.get("gradient_checkpointing")):
        lines.append("  and turn on training.activation_checkpointing: true (trades ~20% speed for memory)")
    if bs == 1:
        lines.append("  the batch is already 1: lower data.max_length or use method: qlora")
    lines.append("  (`emstd train CONFIG --dry-run` estimates the memory before you start)")
    return "\n".join(lines)


def diagnose(rows: list[dict]) -> list[str]:
    """A short reading of the curves, with the seed's advice where they look wrong."""
    notes = []
    train = [(r["step"], r["loss"]) for r in rows if "loss" in r and math.isfinite(r["loss"])]
    evals = [(r["step"], r["eval_loss"]) for r in rows if "eval_loss" in r]
    if any("loss" in r and not math.isfinite(r["loss"]) for r in rows):
        notes.append("train loss became NaN/inf: lower learning_rate (e.g. half) or use precision: bf16/fp32")
    if len(evals) >= 2:
        best_step, best = min(evals, key=lambda e: e[1])
        last_step, last = evals[-1]
        if last_step != best_step and last > best * 1.02:
            notes.append(
                f"eval_loss rose from its minimum {best:.4f} (step {best_step}) to {last:.4f} (step {last_step}): "
                "overfitting. final/ holds the best checkpoint. The seed's remedies: lora.lora_dropout: 0.1, "
                "fewer epochs (training.num_train_epochs: 3), training.learning_rate: 1.0e-4"
            )
    if len(train) >= 4:
        k = max(1, len(train) // 5)
        first = sum(v for _, v in train[:k]) / k
        last = sum(v for _, v in train[-k:]) / k
        if last > first * 0.95:
            notes.append(
                f"train loss is flat ({first:.4f} -> {last:.4f}): the seed's advice is a higher learning rate "
                "(training.learning_rate: 5.0e-4) and a shorter warmup (training.warmup_steps: 0.05); also check "
                "the data (emstd data check)"
            )
    if not notes and evals:
        notes.append(f"curves look healthy: best eval_loss {min(v for _, v in evals):.4f}")
    return notes
