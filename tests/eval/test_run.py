import json
import shutil

import pytest
import yaml

from emstd.eval.run import resolve_target, run_eval


@pytest.fixture(scope="module")
def fake_run(tmp_path_factory, tiny_model_dir, tiny_adapters):
    """A run dir as `emstd train` writes it: two checkpoints, final/ (= checkpoint-4), metrics.jsonl."""
    run = tmp_path_factory.mktemp("run")
    config = {"task": "unified", "base_model": str(tiny_model_dir), "data": {"train_file": "data/unified_train.jsonl"}}
    for name, src in (("checkpoint-2", "column"), ("checkpoint-4", "unified"), ("final", "unified")):
        shutil.copytree(tiny_adapters[src], run / name)
        (run / name / "run_config.yaml").write_text(yaml.safe_dump(config))
    (run / "run_config.yaml").write_text(yaml.safe_dump(config))
    rows = [{"step": 2, "eval_loss": 2.0}, {"step": 2, "loss": 3.0}, {"step": 4, "eval_loss": 1.5}, {"step": 4, "loss": 2.5}]
    (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return run


def test_resolve_target(fake_run, tiny_adapters, tmp_path):
    info = resolve_target(fake_run)
    assert info["adapter"] == fake_run / "final" and info["model"] == "unified"
    assert [p.name for p in info["checkpoints"]] == ["checkpoint-2", "checkpoint-4"]
    assert resolve_target(fake_run / "checkpoint-2")["run_dir"] == fake_run
    with pytest.raises(Exception, match="neither an adapter dir"):
        resolve_target(tmp_path)


@pytest.mark.slow
def test_eval_report_and_checkpoint_loop(fake_run, dataset_dir, tmp_path):
    out = tmp_path / "report"
    said = []
    report = run_eval(fake_run, dataset_dir, "test", limit=12, out_dir=out, say=said.append)
    saved = json.loads((out / "report.json").read_text())
    assert set(saved) >= {"target", "model", "split", "n", "base_model", "held_out_overlap", "results", "checkpoints",
                          "best_checkpoint"}
    assert saved["n"] == 12 and saved["held_out_overlap"] == 0
    assert set(saved["results"]) == {"fine_tuned", "rules", "zero_shot"}
    for system in saved["results"].values():
        assert {"vehicle_accuracy", "pollutant_accuracy", "unknown_precision", "unknown_recall", "per_label",
                "confusion", "calibration", "errors", "targets", "seconds"} <= set(system)
    assert saved["results"]["rules"]["overall_accuracy"] >= 0.9  # the rules know every catalog alias
    assert [c["step"] for c in saved["checkpoints"]] == [2, 4]
    assert saved["best_checkpoint"]["by_eval_loss"] == 4
    # final/ is checkpoint-4's adapter: identical answers
    assert saved["checkpoints"][1]["headline"] == saved["results"]["fine_tuned"]["overall_accuracy"]
    for name in ("report.md", "accuracy_per_label.png", "confusion.png", "calibration.png", "accuracy_and_loss.png"):
        assert (out / name).stat().st_size > 0
    md = (out / "report.md").read_text()
    assert "| vehicle_accuracy |" in md and "held-out check: 0" in md
    assert report["out_dir"] == str(out)


def test_eval_needs_the_split(fake_run, tmp_path):
    with pytest.raises(Exception, match="emstd data build"):
        run_eval(fake_run, tmp_path, "test", limit=3, out_dir=tmp_path / "r", say=lambda m: None)
