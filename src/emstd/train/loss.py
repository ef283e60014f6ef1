"""Logits only where the loss needs them: at the positions that predict an answer token.

A unified example is ~120 tokens of prompt and a 2-8 token answer, and the loss is on the answer only
(train/tokenize.py); a plain forward still projects every position onto the whole vocabulary (151,936 columns
for Qwen2.5) and keeps those logits for the backward pass, so on short answers the output layer is most of the
work. Here the forward gets `logits_to_keep`, a boolean mask of the positions whose next label is not ignored
(transformers slices the hidden states before the output layer), and the loss is the same cross-entropy over
just those rows: equal to the plain loss (tests/train/test_loss.py compares loss and gradients). The model is
still called as a whole, so PEFT wrappers (LoRA, prefix tuning), activation checkpointing and DDP work unchanged.
"""

from __future__ import annotations

import inspect

import torch
from transformers import Trainer

from emstd.train.tokenize import IGNORE_INDEX


def answer_positions(labels: torch.Tensor) -> torch.Tensor:
    """(batch, seq) bool: True where position t's logits are scored, i.e. where labels[t + 1] is not ignored."""
    keep = torch.zeros_like(labels, dtype=torch.bool)
    keep[:, :-1] = labels[:, 1:] != IGNORE_INDEX
    return keep


def answer_loss(outputs, labels: torch.Tensor, num_items_in_batch=None) -> torch.Tensor:
    """The causal-LM loss (labels shifted by one, -100 ignored; summed over `num_items_in_batch` when given, as
    transformers does for gradient accumulation, else the mean) from logits of shape (answer positions, vocab), or
    from full (batch, seq, vocab) logits when the model could not slice them."""
    logits = outputs["logits"]
    shifted = labels[:, 1:]
    scored = shifted != IGNORE_INDEX
    if logits.dim() == 3:
        logits = logits[:, :-1][scored.to(logits.device)]
    targets = shifted[scored].to(logits.device)
    reduction = "sum" if num_items_in_batch is not None else "mean"
    loss = torch.nn.functional.cross_entropy(logits.float(), targets, reduction=reduction)
    if num_items_in_batch is not None:
        if torch.is_tensor(num_items_in_batch):
            num_items_in_batch = num_items_in_batch.to(loss.device)
        loss = loss / num_items_in_batch
    return loss


def slices_logits(model) -> bool:
    """Whether the model's forward takes a boolean `logits_to_keep` over the same positions as its input ids (not
    so for prompt tuning, which prepends virtual tokens to the sequence; prefix tuning puts them in the cache)."""
    peft_config = getattr(model, "active_peft_config", None)
    if peft_config is not None and peft_config.is_prompt_learning and peft_config.peft_type != "PREFIX_TUNING":
        return False
    inner = model.get_base_model() if hasattr(model, "get_base_model") else model
    return "logits_to_keep" in inspect.signature(inner.forward).parameters


def answer_logits_loss(model, batch: dict, num_items_in_batch=None) -> torch.Tensor:
    """One forward with logits at answer positions only, and its loss (what AnswerLogitsTrainer computes)."""
    inputs = {k: v for k, v in batch.items() if k != "labels"}
    if slices_logits(model):
        inputs["logits_to_keep"] = answer_positions(batch["labels"])
    return answer_loss(model(**inputs), batch["labels"], num_items_in_batch)


class AnswerLogitsTrainer(Trainer):
    """transformers' Trainer, with the output layer run only at answer positions. The loss, its normalization over
    gradient-accumulation steps and devices, evaluation and checkpoints are the Trainer's own; with label smoothing
    (which needs every logit) it is the plain Trainer."""

    def __init__(self, *args, **kwargs):
        training_args = kwargs.get("args")
        if not getattr(training_args, "label_smoothing_factor", 0):
            kwargs.setdefault("compute_loss_func", answer_loss)
        super().__init__(*args, **kwargs)

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        if (self.compute_loss_func is answer_loss and "labels" in inputs
                and slices_logits(self.accelerator.unwrap_model(model))):
            inputs = {**inputs, "logits_to_keep": answer_positions(inputs["labels"])}
        return super().compute_loss(model, inputs, return_outputs=return_outputs,
                                    num_items_in_batch=num_items_in_batch)
