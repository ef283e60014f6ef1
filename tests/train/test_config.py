"""The training config: shipped YAMLs load, overrides apply, validation reports every problem at once."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from emstd.errors import ConfigError
from emstd.train.config import LORA_TARGETS, config_from_dict, load_config

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "configs").rglob("*.yaml"))


def test_configs_are_shipped():
    names = {p.relative_to(ROOT / "configs").as_posix() for p in SHIPPED}
    assert {"unified_lora.yaml", "column_lora.yaml", "cpu/unified_smollm2.yaml"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_shipped_yaml_loads(path):
    cfg = load_config(path, check_files=False)  # the data may not be built yet
    assert cfg.data.train_file and cfg.data.eval_file
    assert cfg.lora.target_modules == LORA_TARGETS
    t = cfg.training
    assert t["eval_strategy"] == t["save_strategy"] == "steps"
    assert t["save_steps"] % t["eval_steps"] == 0


@pytest.mark.parametrize("name,r,alpha,epochs,lr,max_length", [
    ("unified_lora.yaml", 16, 32, 5, 2e-4, 256),
    ("column_lora.yaml", 32, 64, 8, 1e-4, 512),
])
def test_seed_values(name, r, alpha, epochs, lr, max_length):
    cfg = load_config(ROOT / "configs" / name, check_files=False)
    assert cfg.base_model == "Qwen/Qwen2.5-3B-Instruct"
    assert (cfg.lora.r, cfg.lora.lora_alpha, cfg.lora.lora_dropout, cfg.lora.bias) == (r, alpha, 0.05, "none")
    assert cfg.precision == "fp16" and cfg.method == "lora"
    t = cfg.training
    assert (t["num_train_epochs"], t["learning_rate"], t["per_device_train_batch_size"],
            t["gradient_accumulation_steps"]) == (epochs, lr, 4, 4)
    assert (t["warmup_steps"], t["lr_scheduler_type"], t["weight_decay"]) == (0.1, "cosine", 0.01)
    assert (t["adam_beta1"], t["adam_beta2"], t["adam_epsilon"]) == (0.9, 0.999, 1e-8)
    assert (t["logging_steps"], t["eval_steps"], t["save_steps"], t["save_total_limit"]) == (10, 100, 100, 3)
    assert t["load_best_model_at_end"] and t["metric_for_best_model"] == "eval_loss" and not t["greater_is_better"]
    assert t["activation_checkpointing"] is True
    assert cfg.data.max_length == max_length


def test_overrides_are_parsed_as_yaml_scalars(tmp_path):
    cfg = load_config(ROOT / "configs" / "unified_lora.yaml", check_files=False,
                      overrides=["training.max_steps=4", "lora.r=8", "training.learning_rate=5.0e-4",
                                 "training.output_dir=" + str(tmp_path / "x"), "method=prefix"])
    assert cfg.training["max_steps"] == 4 and cfg.lora.r == 8 and cfg.training["learning_rate"] == 5e-4
    assert cfg.method == "prefix" and cfg.output_dir == tmp_path / "x"


def test_every_problem_is_reported_at_once(tmp_path):
    raw = {
        "task": "unified", "base_model": "Qwen/Qwen2.5-3B-Instruct",
        "lora": {"r": 16, "lora_alhpa": 32},
        "training": {"learning_rat": 2e-4, "evaluation_strategy": "steps", "fp16": True, "learning_rate": "2e-4",
                     "eval_strategy": "steps", "eval_steps": 100, "save_steps": 150, "load_best_model_at_end": True},
        "data": {"train_file": str(tmp_path / "missing.jsonl"), "eval_file": str(tmp_path / "missing_eval.jsonl")},
        "epochs": 3,
    }
    with pytest.raises(ConfigError) as err:
        config_from_dict(raw, source="bad.yaml")
    text = str(err.value)
    problems = err.value.problems
    assert "lora.lora_alhpa: unknown key; did you mean 'lora_alpha'?" in problems
    assert any(p.startswith("epochs: unknown key") for p in problems)
    assert any("training.learning_rat:" in p and "did you mean 'learning_rate'" in p for p in problems)
    assert any("training.evaluation_strategy" in p and "eval_strategy" in p for p in problems)
    assert any("training.fp16" in p and "precision" in p for p in problems)
    assert any("training.learning_rate" in p and "2.0e-4" in p for p in problems)
    assert len(problems) >= 6 and text.startswith("bad.yaml: ")


def test_cross_checks_are_reported_together(tmp_path):
    raw = {
        "task": "unified", "base_model": "package:no_such_package_xyz",
        "method": "full", "quantization": "4bit",
        "training": {"eval_strategy": "steps", "eval_steps": 100, "save_steps": 150, "load_best_model_at_end": True},
        "data": {"train_file": str(tmp_path / "missing.jsonl")},
    }
    with pytest.raises(ConfigError) as err:
        config_from_dict(raw)
    problems = err.value.problems
    assert any("save_steps (150) must be a multiple of training.eval_steps (100)" in p for p in problems)
    assert any(p.startswith("data.eval_file: required") for p in problems)
    assert any(p.startswith("data.train_file:") and "does not exist" in p for p in problems)
    assert any(p.startswith("base_model: package 'no_such_package_xyz'") for p in problems)
    assert any(p.startswith("quantization: 4bit") and "method: qlora" in p for p in problems)


def test_strategy_mismatch_with_load_best(tmp_path):
    raw = {"task": "unified", "base_model": "x", "training": {"eval_strategy": "epoch", "save_strategy": "steps",
                                            "load_best_model_at_end": True},
           "data": {"train_file": "a.jsonl", "eval_file": "b.jsonl"}}
    with pytest.raises(ConfigError) as err:
        config_from_dict(raw, check_files=False)
    assert any("eval_strategy == save_strategy" in p for p in err.value.problems)


def test_defaults_fill_the_resolved_config(tmp_path):
    cfg = config_from_dict({"task": "unified", "base_model": "x", "data": {"train_file": "a.jsonl", "eval_file": "b.jsonl"}},
                           check_files=False, default_name="myrun")
    t = cfg.training
    assert t["output_dir"] == str(Path("runs") / "myrun")
    assert t["eval_strategy"] == "steps" and t["include_num_input_tokens_seen"] == "non_padding"
    assert yaml.safe_load(cfg.to_yaml())["training"]["output_dir"] == t["output_dir"]


def test_bad_yaml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just\n- a list\n")
    with pytest.raises(ConfigError, match="top level must be a mapping"):
        load_config(bad)
