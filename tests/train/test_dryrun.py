"""--dry-run: exact parameter counts of the real base model, built on the meta device, nothing downloaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from train_helpers import tiny_config

from emstd.train.config import config_from_dict, load_config
from emstd.train.run import run_train

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_unified_dry_run_prints_the_exact_counts():
    # Through the installed CLI, as a user runs it; HF_HUB_OFFLINE proves nothing is fetched.
    env = {"HF_HUB_OFFLINE": "1", "PATH": "", "HOME": str(Path.home())}
    proc = subprocess.run([sys.executable, "-m", "emstd.cli", "train", "configs/unified_lora.yaml", "--dry-run"],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "trainable parameters: 29,933,568 of 3,085,938,688 (0.9700%)" in proc.stdout
    assert "36 layers, hidden 2048, intermediate 11008, 16 heads / 2 KV heads, vocab 151,936" in proc.stdout
    assert "adapter size: 114.2 MiB fp32" in proc.stdout and "57.1 MiB fp16" in proc.stdout
    assert "GPU memory estimate" in proc.stdout


def test_column_dry_run_counts():
    info = run_train(load_config(ROOT / "configs" / "column_lora.yaml", check_files=False), dry_run=True)
    assert (info["trainable"], info["base_total"]) == (59_867_136, 3_085_938_688)
    mem = info["memory"]
    assert mem["total"] == pytest.approx(sum(mem[k] for k in ("weights", "adapter", "gradients", "optimizer",
                                                               "activations", "logits")))
    assert mem["weights"] == 3_085_938_688 * 2 and mem["optimizer"] == 59_867_136 * 8


def test_dry_run_schedule_matches_the_data(tiny_model_dir, data_dir, tmp_path):
    raw = tiny_config(tiny_model_dir, data_dir, tmp_path / "dry", data={"train_file": str(data_dir / "train.jsonl"),
                                                                       "eval_file": str(data_dir / "eval.jsonl")})
    raw["training"].update(max_steps=-1, num_train_epochs=3, gradient_accumulation_steps=3, warmup_steps=0.1)
    info = run_train(config_from_dict(raw), dry_run=True)
    # 64 examples / batch 4 = 16 batches; / 3 accumulation = 6 steps per epoch (5 full + 1 partial), as Trainer does.
    assert (info["examples"], info["steps_per_epoch"], info["total_steps"], info["warmup_steps"]) == (64, 6, 18, 2)
    assert info["trainable"] == 8192  # r=4 on the tiny model's 7 modules x 2 layers
    assert not (tmp_path / "dry").exists()  # a dry run writes nothing


def test_dry_run_without_data_says_so(tmp_path):
    cfg = load_config(ROOT / "configs" / "unified_lora.yaml", check_files=False,
                      overrides=[f"data.train_file={tmp_path / 'none.jsonl'}"])
    info = run_train(cfg, dry_run=True)
    assert info["examples"] is None and "does not exist" in info["text"] and "emstd data build" in info["text"]
