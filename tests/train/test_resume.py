"""Resume after a kill: incomplete checkpoints skipped, a finished run left alone, a changed config checked first."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from train_helpers import StopAt, tiny_config

from emstd.errors import EmstdError, InputFileError
from emstd.train.callbacks import read_metrics
from emstd.train.config import config_from_dict
from emstd.train.run import run_train


def _raw(tiny_model_dir, data_dir, out, **training):
    raw = tiny_config(tiny_model_dir, data_dir, out)
    raw["training"].update({"max_steps": 4, "logging_steps": 1, **training})
    return raw


@pytest.fixture(scope="module")
def interrupted(tiny_model_dir, data_dir, tmp_path_factory):
    """A run of 4 steps killed at step 3: checkpoint-2 is complete, metrics go up to step 2 (and a bit of 3)."""
    out = tmp_path_factory.mktemp("interrupted") / "run"
    with pytest.raises(KeyboardInterrupt):
        run_train(config_from_dict(_raw(tiny_model_dir, data_dir, out)), extra_callbacks=[StopAt(3)])
    return out


@pytest.fixture(scope="module")
def finished(tiny_model_dir, data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("finished") / "run"
    run_train(config_from_dict(_raw(tiny_model_dir, data_dir, out)))
    return out


def _copy(src, tmp_path):
    dst = tmp_path / "run"
    shutil.copytree(src, dst)
    return dst


def _snapshot(run):
    return {p.relative_to(run).as_posix(): p.read_bytes() for p in sorted(run.rglob("*")) if p.is_file()}


def _half_written(ckpt, keep):
    """What a kill during the Trainer's save of `ckpt` leaves: the files written before it (`keep`), the last one
    of them cut short."""
    for p in ckpt.iterdir():
        if p.name not in keep:
            p.unlink()
    last = ckpt / keep[-1]
    last.write_bytes(last.read_bytes()[: last.stat().st_size // 2])


@pytest.mark.slow  # trains the tiny model
def test_resume_skips_incomplete_checkpoints_and_says_which(interrupted, tiny_model_dir, data_dir, tmp_path, capfd):
    run = _copy(interrupted, tmp_path)
    shutil.copytree(run / "checkpoint-2", run / "checkpoint-3")
    _half_written(run / "checkpoint-3", ADAPTER)
    (run / "checkpoint-4").mkdir()  # killed right after creating it
    cfg = config_from_dict(_raw(tiny_model_dir, data_dir, run))
    with pytest.raises(EmstdError, match="already holds checkpoint-2: pass --resume"):
        run_train(cfg)
    result = run_train(cfg, resume=True)
    err = capfd.readouterr().err
    assert "skipped checkpoint-4: incomplete (empty" in err
    assert "skipped checkpoint-3: incomplete (no tokenizer_config.json, trainer_state.json" in err
    assert f"resuming from {run / 'checkpoint-2'}" in err
    assert result["global_step"] == 4 and (run / "final" / "adapter_model.safetensors").is_file()
    state = json.loads((run / "checkpoint-4" / "trainer_state.json").read_text())
    assert state["global_step"] == 4  # written again, complete
    assert [r["step"] for r in read_metrics(run) if "loss" in r] == [1, 2, 3, 4]


ADAPTER = ["adapter_config.json", "adapter_model.safetensors"]
EVERYTHING_BUT_STATE = ["tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "rng_state.pth",
                        "scheduler.pt", "training_args.bin", "adapter_config.json", "optimizer.pt"]


@pytest.mark.slow  # trains the tiny model
@pytest.mark.parametrize("keep,problem", [
    ([], "empty"),
    (ADAPTER, "no tokenizer_config.json, trainer_state.json"),
    (EVERYTHING_BUT_STATE, "no adapter_model.safetensors, trainer_state.json"),
    (EVERYTHING_BUT_STATE + ["trainer_state.json", "adapter_model.safetensors"], "adapter_model.safetensors is cut short"),
], ids=["empty", "weights only", "no trainer state", "weights cut short"])
def test_only_incomplete_checkpoints_say_how_to_proceed(tiny_model_dir, data_dir, interrupted, tmp_path, keep,
                                                        problem):
    run = _copy(interrupted, tmp_path)
    if keep:
        _half_written(run / "checkpoint-2", keep)
    else:
        shutil.rmtree(run / "checkpoint-2")
        (run / "checkpoint-2").mkdir()
    before = _snapshot(run)
    cfg = config_from_dict(_raw(tiny_model_dir, data_dir, run))
    with pytest.raises(EmstdError, match="holds only incomplete checkpoints .checkpoint-2: .*Delete checkpoint-2") as err:
        run_train(cfg)
    assert problem in str(err.value)
    with pytest.raises(EmstdError, match="--resume: .* holds no complete checkpoint .*Delete checkpoint-2"):
        run_train(cfg, resume=True)
    assert _snapshot(run) == before


@pytest.mark.slow  # trains the tiny model
def test_a_finished_run_resumed_is_a_no_op(finished, tiny_model_dir, data_dir, tmp_path, capfd):
    run = _copy(finished, tmp_path)
    before = _snapshot(run)
    cfg = _raw(tiny_model_dir, data_dir, run)
    result = run_train(config_from_dict(cfg), resume=True)
    assert result["finished"] and result["global_step"] == 4
    assert "already finished at step 4 of 4: nothing to train" in capfd.readouterr().err
    assert _snapshot(run) == before and not (run / "checkpoint-5").exists()
    # killed after its last checkpoint, before final/: final/ is written from the checkpoints, nothing is trained
    shutil.rmtree(run / "final")
    cfg["training"]["logging_steps"] = 2  # allowed, but there is nothing left to apply it to
    result = run_train(config_from_dict(cfg), resume=True)
    best = json.loads((run / "checkpoint-4" / "trainer_state.json").read_text())["best_model_checkpoint"]
    assert result["finished"] and not (run / "checkpoint-5").exists()
    assert (run / "final" / "adapter_model.safetensors").read_bytes() == before[
        f"checkpoint-{best.rsplit('-', 1)[1]}/adapter_model.safetensors"]
    assert {"tokenizer.json", "run_config.yaml", "adapter_config.json"} <= {p.name for p in (run / "final").iterdir()}
    assert "logging_steps" in capfd.readouterr().err


@pytest.mark.slow  # trains the tiny model
@pytest.mark.parametrize("change,words", [
    ({"training": {"learning_rate": 0.01}}, "training.learning_rate: 0.02 -> 0.01"),
    ({"data": {"train_file": "train.jsonl"}}, "data.train_file: "),
    ({"lora": {"r": 8}}, "lora.r: 4 -> 8"),
    ({"training": {"per_device_train_batch_size": 2}}, "4 x 1 -> 2 x 1"),
    ({"training": {"seed": 7, "max_steps": 6}}, "training.max_steps: 4 -> 6"),
])
def test_resume_refuses_a_config_that_changes_the_run(interrupted, tiny_model_dir, data_dir, tmp_path, change, words):
    run = _copy(interrupted, tmp_path)
    before = _snapshot(run)
    raw = _raw(tiny_model_dir, data_dir, run)
    for section, values in change.items():
        raw[section].update({k: (str(data_dir / v) if k == "train_file" else v) for k, v in values.items()})
    with pytest.raises(EmstdError, match="the config differs from the one .* was trained with") as err:
        run_train(config_from_dict(raw), resume=True)
    assert words in str(err.value) and "--set training.output_dir=<new dir>" in str(err.value)
    if "seed" in change.get("training", {}):
        assert "training.seed: 42 -> 7" in str(err.value)  # every change named at once
    assert _snapshot(run) == before  # run_config.yaml and metrics.jsonl untouched


@pytest.mark.slow  # trains the tiny model
def test_resume_accepts_changes_that_do_not_alter_the_run(interrupted, tiny_model_dir, data_dir, tmp_path, capfd):
    run = _copy(interrupted, tmp_path)
    raw = _raw(tiny_model_dir, data_dir, run, logging_steps=2, per_device_train_batch_size=2,
               gradient_accumulation_steps=2, dataloader_num_workers=0, per_device_eval_batch_size=4)
    result = run_train(config_from_dict(raw), resume=True)
    err = capfd.readouterr().err
    assert "config change applied from here on: training.logging_steps: 1 -> 2" in err
    assert "4 x 1 -> 2 x 2" in err
    assert result["global_step"] == 4
    assert [r["step"] for r in read_metrics(run) if "loss" in r] == [1, 2, 4]  # the new cadence applies after 2
    assert yaml.safe_load((run / "run_config.yaml").read_text())["training"]["logging_steps"] == 2


@pytest.mark.slow  # trains the tiny model
def test_a_torn_last_metrics_line_is_ignored_with_a_note(interrupted, tiny_model_dir, data_dir, tmp_path):
    run = _copy(interrupted, tmp_path)
    with open(run / "metrics.jsonl", "a", encoding="utf-8") as f:
        f.write('{"step": 3, "loss": 0.')  # killed while appending
    notes = []
    assert max(r["step"] for r in read_metrics(run, note=notes.append)) == 2
    assert notes and "cut short" in notes[0]
    run_train(config_from_dict(_raw(tiny_model_dir, data_dir, run)), resume=True)
    assert [r["step"] for r in read_metrics(run) if "loss" in r] == [1, 2, 3, 4]
    (run / "metrics.jsonl").write_text('{"step": 1}\n{broken\n{"step": 2}\n', encoding="utf-8")
    with pytest.raises(InputFileError, match="metrics.jsonl, line 2"):
        read_metrics(run)


def test_metrics_lines_split_only_at_newlines(tmp_path):
    row = {"step": 1, "note": "a\u2028b\x85c\fd"}
    (tmp_path / "metrics.jsonl").write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    assert read_metrics(tmp_path) == [row]
