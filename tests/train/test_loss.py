"""Logits only at answer positions (emstd.train.loss): the same loss and gradients as the plain forward."""

from __future__ import annotations

import pytest
import torch
from train_helpers import record

from emstd.train.loss import AnswerLogitsTrainer, answer_logits_loss, answer_positions
from emstd.train.tokenize import IGNORE_INDEX, encode_example, make_collator


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir):
    from emstd.hf import load_tokenizer

    return load_tokenizer(str(tiny_model_dir), padding_side="right")


def batch_of(tokenizer, answers=("Passenger Car", "NOx", "Combination Long-haul Truck")):
    """Examples of different lengths and answers, right-padded as the collator pads them."""
    users = ["[vehicle] 重型半挂牵引车 (柴油, 国六)", "[pollutant] nitrogen oxides, total", "[vehicle] x"]
    feats = [encode_example(record(u, a)["messages"], tokenizer, 128) for u, a in zip(users, answers)]
    batch = make_collator(tokenizer)([{"input_ids": f.input_ids, "attention_mask": f.attention_mask,
                                       "labels": f.labels} for f in feats])
    assert len({len(f.input_ids) for f in feats}) == 3  # padding in the batch
    return batch


def build(method, model_dir, checkpointing=False):
    from peft import LoraConfig, PrefixTuningConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    if method == "lora":
        model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, init_lora_weights=False,
                                                 target_modules=["q_proj", "v_proj", "down_proj"],
                                                 task_type="CAUSAL_LM"))
    elif method == "prefix":
        model = get_peft_model(model, PrefixTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=4))
    if checkpointing:
        model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
    model.train()
    return model


def loss_and_grads(model, compute):
    model.zero_grad(set_to_none=True)
    loss = compute()
    loss.backward()
    grads = {n: p.grad.clone() for n, p in model.named_parameters() if p.requires_grad and p.grad is not None}
    return loss.detach(), grads


@pytest.mark.parametrize("method,checkpointing", [("lora", False), ("lora", True), ("full", False),
                                                  ("full", True), ("prefix", False)])
@pytest.mark.slow
def test_loss_and_gradients_equal_the_plain_forward(method, checkpointing, tiny_model_dir, tokenizer):
    model = build(method, tiny_model_dir, checkpointing)
    batch = batch_of(tokenizer)
    n_answer = int((batch["labels"][:, 1:] != IGNORE_INDEX).sum())
    for num_items in (None, torch.tensor(n_answer + 5)):  # a per-batch mean, and a sum over accumulated batches
        extra = {} if num_items is None else {"num_items_in_batch": num_items}
        plain, plain_grads = loss_and_grads(model, lambda: model(**batch, **extra).loss)
        ours, our_grads = loss_and_grads(model, lambda: answer_logits_loss(model, batch, num_items))
        torch.testing.assert_close(ours, plain, rtol=1e-5, atol=1e-6)
        assert our_grads.keys() == plain_grads.keys() and len(plain_grads) > 0
        for name, grad in plain_grads.items():
            torch.testing.assert_close(our_grads[name], grad, rtol=1e-4, atol=1e-6, msg=name)


def test_output_layer_runs_only_at_answer_positions(tiny_model_dir, tokenizer):
    model = build("lora", tiny_model_dir)
    batch = batch_of(tokenizer)
    rows = []
    head = model.get_base_model().get_output_embeddings()
    handle = head.register_forward_hook(lambda module, args, out: rows.append(out.shape))
    try:
        answer_logits_loss(model, batch)
    finally:
        handle.remove()
    labels = batch["labels"]
    assert rows == [torch.Size([int((labels[:, 1:] != IGNORE_INDEX).sum()), head.out_features])]
    keep = answer_positions(labels)
    assert keep.shape == labels.shape and not keep[:, -1].any()
    assert torch.equal(keep[:, :-1], labels[:, 1:] != IGNORE_INDEX)


@pytest.mark.slow
def test_trainer_takes_the_same_steps_as_the_plain_trainer(tiny_model_dir, tokenizer, tmp_path):
    """Two optimizer steps with gradient accumulation: the Trainer's loss normalization is kept exactly."""
    from datasets import Dataset
    from transformers import Trainer, TrainingArguments

    answers = ["Passenger Car", "NOx", "Motorcycle", "CO2", "Transit Bus", "UNKNOWN", "Refuse Truck", "PM2.5"]
    feats = [encode_example(record(f"[vehicle] name {'x' * i}", a)["messages"], tokenizer, 128)
             for i, a in enumerate(answers)]
    data = Dataset.from_list([{"input_ids": f.input_ids, "attention_mask": f.attention_mask, "labels": f.labels}
                              for f in feats])
    results = {}
    for cls in (Trainer, AnswerLogitsTrainer):
        model = build("lora", tiny_model_dir)
        args = TrainingArguments(output_dir=str(tmp_path / cls.__name__), max_steps=2, per_device_train_batch_size=2,
                                 gradient_accumulation_steps=2, learning_rate=0.01, logging_steps=1, report_to=[],
                                 save_strategy="no", use_cpu=True, seed=0, dataloader_pin_memory=False)
        trainer = cls(model=model, args=args, train_dataset=data, data_collator=make_collator(tokenizer))
        trainer.train()
        losses = [r["loss"] for r in trainer.state.log_history if "loss" in r]
        weights = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
        results[cls] = losses, weights
    (plain_losses, plain_weights), (our_losses, our_weights) = results[Trainer], results[AnswerLogitsTrainer]
    assert len(our_losses) == 2 and our_losses == pytest.approx(plain_losses, rel=1e-5)
    for name, w in plain_weights.items():
        torch.testing.assert_close(our_weights[name], w, rtol=1e-4, atol=1e-6, msg=name)
