"""A few CPU steps on the tiny model: the run dir, what is trained, best-checkpoint selection, resume."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file
from transformers import TrainerCallback
from train_helpers import StopAt, tiny_config

from emstd.errors import EmstdError
from emstd.train.config import LORA_TARGETS, config_from_dict
from emstd.train.resume import checkpoint_problem
from emstd.train.run import run_train


class Recorder(TrainerCallback):
    """Keeps what the tests need to see inside the run: trainable names and weights before and after."""

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        self.trainable = {n for n, p in model.named_parameters() if p.requires_grad}
        self.dtypes = {p.dtype for p in model.parameters() if p.requires_grad}
        self.before = {n: p.detach().clone() for n, p in model.named_parameters()}

    def on_train_end(self, args, state, control, model=None, **kwargs):
        self.after = {n: p.detach().clone() for n, p in model.named_parameters()}


def metrics(run_dir):
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def lora_run(tiny_model_dir, data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "lora"
    rec = Recorder()
    result = run_train(config_from_dict(tiny_config(tiny_model_dir, data_dir, out)), extra_callbacks=[rec])
    return out, result, rec


@pytest.mark.slow
def test_run_dir_contract(lora_run):
    out, result, _ = lora_run
    assert result["global_step"] == 6
    assert {p.name for p in out.iterdir()} >= {"final", "metrics.jsonl", "loss.png", "run_config.yaml"}
    assert {p.name for p in out.glob("checkpoint-*")} >= {"checkpoint-6"}
    final = {p.name for p in (out / "final").iterdir()}
    assert {"adapter_model.safetensors", "adapter_config.json", "tokenizer.json", "run_config.yaml"} <= final
    assert not final & {"model.safetensors", "optimizer.pt", "trainer_state.json"}  # adapter only, no base weights
    assert not list(out.glob(".final.*"))  # no temporary leftovers of the atomic write
    assert (out / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = metrics(out)
    train_rows = [r for r in rows if "loss" in r]
    eval_rows = [r for r in rows if "eval_loss" in r]
    assert [r["step"] for r in train_rows] == [2, 4, 6] and [r["step"] for r in eval_rows] == [2, 4, 6]
    for r in train_rows:
        assert r["tokens_per_s"] > 0 and r["peak_mem_mb"] > 0 and r["learning_rate"] == pytest.approx(0.02)
    import yaml

    saved = yaml.safe_load((out / "final" / "run_config.yaml").read_text())
    assert saved["training"]["output_dir"] == str(out) and saved["lora"]["r"] == 4


@pytest.mark.slow
def test_lora_on_exactly_the_seven_target_modules(lora_run):
    out, _, rec = lora_run
    layers = 2
    expected = {f"base_model.model.model.layers.{i}.{'self_attn' if m in ('q_proj', 'k_proj', 'v_proj', 'o_proj') else 'mlp'}.{m}.lora_{ab}.default.weight"
                for i in range(layers) for m in LORA_TARGETS for ab in "AB"}
    assert rec.trainable == expected  # nothing else is trainable
    assert rec.dtypes == {torch.float32}  # adapters stay fp32 (peft#341)
    adapter_cfg = json.loads((out / "final" / "adapter_config.json").read_text())
    assert sorted(adapter_cfg["target_modules"]) == sorted(LORA_TARGETS)
    assert (adapter_cfg["r"], adapter_cfg["lora_alpha"], adapter_cfg["lora_dropout"]) == (4, 8, 0.05)
    saved = load_file(out / "final" / "adapter_model.safetensors")
    assert len(saved) == layers * 7 * 2
    a = next(v for k, v in saved.items() if k.endswith("layers.0.mlp.down_proj.lora_A.weight"))
    b = next(v for k, v in saved.items() if k.endswith("layers.0.mlp.down_proj.lora_B.weight"))
    assert a.shape == (4, 128) and b.shape == (64, 4)  # r=4 on down_proj (128 -> 64)


@pytest.mark.slow
def test_base_weights_unchanged_and_adapter_changed(lora_run, tiny_model_dir):
    _, _, rec = lora_run
    base = load_file(tiny_model_dir / "model.safetensors")
    frozen = [n for n in rec.after if "lora_" not in n]
    assert frozen
    for name in frozen:
        assert torch.equal(rec.before[name], rec.after[name]), name
    key = "base_model.model.model.layers.0.self_attn.q_proj.base_layer.weight"
    assert torch.equal(rec.after[key], base["model.layers.0.self_attn.q_proj.weight"])
    changed = [n for n in rec.trainable if not torch.equal(rec.before[n], rec.after[n])]
    assert set(changed) == rec.trainable  # every adapter matrix moved (lora_B starts at zero)


@pytest.mark.slow
def test_final_is_the_best_checkpoint_by_eval_loss(lora_run):
    out, result, _ = lora_run
    evals = {r["step"]: r["eval_loss"] for r in metrics(out) if "eval_loss" in r}
    best_step = min(evals, key=evals.get)
    assert best_step != max(evals), "the fixture should make an earlier checkpoint the best one"
    assert result["best_checkpoint"].endswith(f"checkpoint-{best_step}")
    final = load_file(out / "final" / "adapter_model.safetensors")
    best = load_file(out / f"checkpoint-{best_step}" / "adapter_model.safetensors")
    last = load_file(out / "checkpoint-6" / "adapter_model.safetensors")
    assert all(torch.equal(final[k], best[k]) for k in final)
    assert not all(torch.equal(final[k], last[k]) for k in final)


@pytest.mark.slow
def test_resume_reaches_the_same_result(lora_run, tiny_model_dir, data_dir, tmp_path):
    ref_out, ref, _ = lora_run
    out = tmp_path / "resumed"
    raw = tiny_config(tiny_model_dir, data_dir, out)
    with pytest.raises(KeyboardInterrupt):
        run_train(config_from_dict(raw), extra_callbacks=[StopAt(3)])  # checkpoint-2 exists, step 3 is lost
    assert (out / "checkpoint-2").is_dir() and not (out / "final").exists()
    assert max(r["step"] for r in metrics(out)) == 2
    with pytest.raises(EmstdError, match="--resume"):
        run_train(config_from_dict(raw))  # refuses to start over a run that has checkpoints
    result = run_train(config_from_dict(raw), resume=True)
    assert result["global_step"] == ref["global_step"] == 6
    got = load_file(out / "final" / "adapter_model.safetensors")
    want = load_file(ref_out / "final" / "adapter_model.safetensors")
    assert got.keys() == want.keys()
    for k in want:
        torch.testing.assert_close(got[k], want[k])
    strip = lambda rows: [{k: v for k, v in r.items() if k not in ("tokens_per_s", "peak_mem_mb")} for r in rows]
    got_rows, want_rows = strip(metrics(out)), strip(metrics(ref_out))
    assert [(r["step"], "eval_loss" in r) for r in got_rows] == [(r["step"], "eval_loss" in r) for r in want_rows]
    for g, w in zip(got_rows, want_rows):
        assert g.keys() == w.keys()
        for k in w:
            assert g[k] == pytest.approx(w[k], rel=1e-5), (g, w)


def test_resume_without_checkpoint_is_a_clear_error(tiny_model_dir, data_dir, tmp_path):
    cfg = config_from_dict(tiny_config(tiny_model_dir, data_dir, tmp_path / "empty"))
    with pytest.raises(EmstdError, match="holds no checkpoint"):
        run_train(cfg, resume=True)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["lora", "full", "prefix"])
def test_methods_train_with_activation_checkpointing(method, tiny_model_dir, data_dir, tmp_path):
    rec = Recorder()
    raw = tiny_config(tiny_model_dir, data_dir, tmp_path / method, method=method)
    raw["training"].update(max_steps=2, eval_steps=2, save_steps=2, activation_checkpointing=True)
    result = run_train(config_from_dict(raw), extra_callbacks=[rec])
    assert result["global_step"] == 2
    # what resume counts as a complete checkpoint is what the Trainer really writes for this method
    assert checkpoint_problem(tmp_path / method / "checkpoint-2", method, needs_scaler=False) is None
    changed = {n for n in rec.trainable if not torch.equal(rec.before[n], rec.after[n])}
    final = {p.name for p in (tmp_path / method / "final").iterdir()}
    import yaml

    saved = yaml.safe_load((tmp_path / method / "final" / "run_config.yaml").read_text())
    if method == "full":
        assert len(rec.trainable) == len(rec.before) and len(changed) > len(rec.trainable) // 2
        assert "model.safetensors" in final
    elif method == "lora":
        # Gradients reach the adapters through checkpointed layers (enable_input_require_grads, peft#137).
        assert changed == rec.trainable and len(changed) == 2 * 7 * 2
        assert saved["training"]["activation_checkpointing"] is True
    else:
        assert rec.trainable and all("prompt_encoder" in n for n in rec.trainable) and changed == rec.trainable
        assert "adapter_model.safetensors" in final
        assert saved["training"]["activation_checkpointing"] is False  # prefix can't use it: turned off, recorded
