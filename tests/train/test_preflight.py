"""The seed's checklists: preflight before training, diagnosis after, the OOM remedy, device errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from transformers import TrainerCallback
from train_helpers import record, tiny_config, write_jsonl

from emstd.train.config import config_from_dict, load_config
from emstd.train.model import DeviceError, load_base_model, resolve_precision
from emstd.train.preflight import PreflightError, check_dataset, check_tokenizer, diagnose, oom_advice
from emstd.train.run import OutOfMemory, run_train

ROOT = Path(__file__).resolve().parents[2]


def test_tokenizer_without_chat_template_is_refused(tiny_model_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    check_tokenizer(tok)
    tok.chat_template = None
    with pytest.raises(PreflightError, match="no chat template"):
        check_tokenizer(tok)


def test_empty_label_mask_is_refused():
    from datasets import Dataset

    ds = Dataset.from_list([{"input_ids": [1, 2], "attention_mask": [1, 1], "labels": [-100, -100]}])
    with pytest.raises(PreflightError, match="empty label mask"):
        check_dataset(ds, "train")


def test_nothing_fits_max_length_stops_before_training(tiny_model_dir, data_dir, tmp_path):
    raw = tiny_config(tiny_model_dir, data_dir, tmp_path / "run", data={
        "train_file": str(data_dir / "train.jsonl"), "eval_file": str(data_dir / "eval.jsonl"), "max_length": 12})
    with pytest.raises(PreflightError, match="no example fits data.max_length"):
        run_train(config_from_dict(raw))
    assert not (tmp_path / "run" / "final").exists()


def test_bad_data_file_names_the_lines(tiny_model_dir, data_dir, tmp_path):
    from emstd.train.tokenize import DataFormatError

    bad = write_jsonl(tmp_path / "bad.jsonl", [record("[vehicle] x", "CO2"), {"messages": []}])
    raw = tiny_config(tiny_model_dir, data_dir, tmp_path / "run", data={"train_file": str(bad), "max_length": 64})
    raw["training"].update(eval_strategy="no", load_best_model_at_end=False)
    with pytest.raises(DataFormatError, match="line 2"):
        run_train(config_from_dict(raw))


class FakeOOM(TrainerCallback):
    def on_step_begin(self, *args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")


@pytest.mark.slow
def test_out_of_memory_is_answered_with_the_seed_remedy(tiny_model_dir, data_dir, tmp_path):
    raw = tiny_config(tiny_model_dir, data_dir, tmp_path / "run")
    raw["training"].update(per_device_train_batch_size=4, gradient_accumulation_steps=4)
    with pytest.raises(OutOfMemory) as err:
        run_train(config_from_dict(raw), extra_callbacks=[FakeOOM()])
    text = str(err.value)
    assert "--set training.per_device_train_batch_size=2 --set training.gradient_accumulation_steps=8" in text
    assert "effective batch stays 16" in text


def test_oom_advice_for_the_shipped_config():
    cfg = load_config(ROOT / "configs" / "unified_lora.yaml", check_files=False)
    text = oom_advice(cfg)
    assert "per_device_train_batch_size=2" in text and "gradient_accumulation_steps=8" in text
    assert "activation_checkpointing" not in text  # already on in the seed config


def test_diagnosis_of_overfitting_and_flat_loss():
    overfit = [{"step": s, "eval_loss": v} for s, v in [(100, 0.9), (200, 0.5), (300, 0.6), (400, 0.8)]]
    overfit += [{"step": s, "loss": 1.0 - s / 1000} for s in range(10, 410, 10)]
    notes = diagnose(overfit)
    assert len(notes) == 1 and "overfitting" in notes[0] and "step 200" in notes[0]
    assert "lora_dropout: 0.1" in notes[0] and "num_train_epochs: 3" in notes[0] and "1.0e-4" in notes[0]

    flat = [{"step": s, "loss": 2.0 + 0.01 * (s % 3)} for s in range(10, 210, 10)]
    notes = diagnose(flat)
    assert len(notes) == 1 and "flat" in notes[0] and "5.0e-4" in notes[0]

    healthy = [{"step": s, "loss": 2.0 / s} for s in range(1, 20)] + [{"step": 19, "eval_loss": 0.2}]
    assert diagnose(healthy)[0].startswith("curves look healthy")


def test_qlora_without_cuda_is_a_clear_error(tiny_model_dir, data_dir, tmp_path):
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    cfg = config_from_dict(tiny_config(tiny_model_dir, data_dir, tmp_path / "q", method="qlora"))
    assert cfg.uses_4bit
    with pytest.raises(DeviceError, match="needs a CUDA GPU"):
        load_base_model(cfg, resolve_precision(cfg))


def test_cpu_runs_in_fp32_with_a_notice(tiny_model_dir, data_dir, tmp_path):
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    cfg = config_from_dict(tiny_config(tiny_model_dir, data_dir, tmp_path / "p"))
    p = resolve_precision(cfg)
    assert p.name == "fp32" and "fp32 on CPU" in p.notice and p.training_flags == {"fp16": False, "bf16": False}
