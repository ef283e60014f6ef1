"""Helpers for the training tests: small chat records, a tiny-model config and a killed job (imported by the
tests)."""

from __future__ import annotations

import json

from transformers import TrainerCallback

SYSTEM = "Standardize vehicle and pollutant names."  # short on purpose: tests stay fast
LABELS = ["Passenger Car", "Motorcycle", "Transit Bus", "CO2", "NOx", "UNKNOWN"]


def record(user: str, answer: str) -> dict:
    return {"messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user},
                         {"role": "assistant", "content": answer}], "meta": {"task": "vehicle"}}


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def tiny_config(model_dir, data_dir, out, **changes) -> dict:
    """A raw config dict (as YAML would give) for a few CPU steps on the tiny model."""
    cfg = {
        "task": "unified", "base_model": str(model_dir),
        "method": "lora",
        "precision": "fp16",  # as the seed configs say; on CPU it runs in fp32 with a notice
        "lora": {"r": 4, "lora_alpha": 8, "lora_dropout": 0.05},
        "training": {
            "output_dir": str(out), "max_steps": 6, "per_device_train_batch_size": 4,
            "per_device_eval_batch_size": 16, "learning_rate": 0.02, "lr_scheduler_type": "constant",
            "logging_steps": 2, "eval_strategy": "steps", "eval_steps": 2, "save_strategy": "steps",
            "save_steps": 2, "load_best_model_at_end": True, "metric_for_best_model": "eval_loss",
            "greater_is_better": False, "activation_checkpointing": False, "optim": "adamw_torch", "seed": 42,
        },
        "data": {"train_file": str(data_dir / "shifted_train.jsonl"), "eval_file": str(data_dir / "shifted_eval.jsonl"),
                 "max_length": 64},
    }
    for key, value in changes.items():
        section, _, name = key.partition("__")
        if name:
            cfg[section][name] = value
        else:
            cfg[section] = value
    return cfg


class StopAt(TrainerCallback):
    """A killed job: stops the process at a step (after that step's checkpoint, if any, was written)."""

    def __init__(self, step):
        self.step = step

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step == self.step:
            raise KeyboardInterrupt(f"killed at step {self.step}")
