"""Small chat datasets for the training tests (the tiny model, `tiny_model_dir`, comes from tests/conftest.py:
a random Qwen2 built locally, never from a hub)."""

from __future__ import annotations

import random

import pytest
from train_helpers import LABELS, record, write_jsonl


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    """train: mixed labels. shifted_*: train answers all one label, eval answers another, so that training
    makes the eval loss go down and then up: the best checkpoint is not the last one."""
    d = tmp_path_factory.mktemp("data")
    rng = random.Random(0)
    write_jsonl(d / "train.jsonl", [record(f"[vehicle] item {i}", rng.choice(LABELS)) for i in range(64)])
    write_jsonl(d / "eval.jsonl", [record(f"[vehicle] other {i}", rng.choice(LABELS)) for i in range(16)])
    write_jsonl(d / "shifted_train.jsonl", [record(f"[vehicle] item {i}", "Passenger Car") for i in range(64)])
    write_jsonl(d / "shifted_eval.jsonl", [record(f"[vehicle] item {i}", "Motorcycle") for i in range(16)])
    return d

