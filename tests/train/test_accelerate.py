"""Scale-out: `accelerate launch -m emstd.cli train` runs data-parallel (2 CPU processes, DDP over gloo)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from train_helpers import tiny_config


@pytest.mark.slow
def test_two_processes_train_data_parallel(tiny_model_dir, data_dir, tmp_path):
    out = tmp_path / "ddp"
    raw = tiny_config(tiny_model_dir, data_dir, out)
    raw["training"].update(max_steps=2, per_device_train_batch_size=2, logging_steps=1, eval_steps=2, save_steps=2)
    cfg = tmp_path / "ddp.yaml"
    cfg.write_text(yaml.safe_dump(raw))
    accelerate = Path(sys.executable).with_name("accelerate")
    # --multi_gpu selects accelerate's torchrun launcher; without CUDA our run sets use_cpu, so DDP uses gloo.
    # (`accelerate launch --cpu` alone starts one process unless mpirun is configured.)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([str(accelerate), "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
                           "--mixed_precision", "no", "--dynamo_backend", "no", "-m", "emstd.cli", "train", str(cfg)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    train_rows = [r for r in rows if "loss" in r]
    assert [r["step"] for r in train_rows] == [1, 2]  # written once, by the main process only
    # 2 processes x batch 2 = 4 examples per step: after 2 steps, 8 of the 64 training examples.
    assert train_rows[-1]["epoch"] == pytest.approx(8 / 64)
    state = json.loads((out / "checkpoint-2" / "trainer_state.json").read_text())
    assert state["global_step"] == 2
    assert (out / "final" / "adapter_model.safetensors").exists() and (out / "loss.png").exists()
