"""Corrections teach the model: `emstd data build --catalog OVERLAY` puts the overlay's names into the records,
split by alias group (never in both train and test) without moving the built-in split, and `emstd train` on them
gives an adapter that answers the corrected names (the tiny model, offline)."""

import json
import subprocess
import sys

import pytest

from emstd.data.split import SPLITS, group_key

TRUCKS = [f"TRK-{i:02d}" for i in range(1, 17)]  # a fleet's internal codes for its tractor-trailers
OVERLAY = ('source_types:\n  - label: "Combination Long-haul Truck"\n    aliases:\n      fleet: ['
           + ", ".join(f'"{t}"' for t in TRUCKS) + "]\n")


def rows(d, name):
    return [json.loads(line) for line in (d / name).read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def overlay_data(tmp_path_factory):
    d = tmp_path_factory.mktemp("overlay_data")
    (d / "fleet.yaml").write_text(OVERLAY, encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "emstd.cli", "data", "build", "--out", str(d / "data"),
                        "--catalog", str(d / "fleet.yaml")], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return d


@pytest.mark.slow  # builds the datasets with an overlay
def test_overlay_aliases_are_training_data_split_by_group(overlay_data, dataset_dir):
    data = overlay_data / "data"
    by_split = {s: rows(data, f"unified_{s}.jsonl") for s in SPLITS}
    fleet = {s: {r["meta"]["alias"] for r in by_split[s] if r["meta"]["alias"] in TRUCKS} for s in SPLITS}
    assert set().union(*fleet.values()) == set(TRUCKS)  # every correction became examples
    assert len(fleet["train"]) >= 12 and fleet["test"]  # 16 groups: split 85/10/5 like the rest
    assert all(r["meta"]["label"] == "Combination Long-haul Truck" for s in SPLITS for r in by_split[s]
               if r["meta"]["alias"] in TRUCKS)
    groups = {s: {(r["meta"]["task"], group_key(r["meta"]["alias"], r["meta"]["task"])) for r in by_split[s]}
              for s in SPLITS}
    assert not groups["train"] & groups["test"] and not groups["train"] & groups["eval"]
    # the built-in names are held out exactly as without the overlay: evaluations stay comparable
    builtin_test = {r["meta"]["alias"] for r in rows(dataset_dir, "unified_test.jsonl")}
    assert {r["meta"]["alias"] for r in by_split["test"]} - set(TRUCKS) == builtin_test
    stats = json.loads((data / "stats.json").read_text(encoding="utf-8"))
    assert stats["catalog"]["overlay"].endswith("fleet.yaml")
    assert stats["catalog"]["fingerprint"] != json.loads((dataset_dir / "stats.json").read_text())["catalog"]["fingerprint"]


@pytest.mark.slow
def test_an_adapter_trained_on_the_overlay_data_answers_the_corrected_names(overlay_data, tiny_model_dir, tmp_path):
    """`emstd train` on the overlay's records (the tiny random model: it learns the corrected label on a short
    schedule, not yet the distinctions a real model learns on the whole dataset; configs/ hold that recipe)."""
    import yaml

    from emstd.infer.local import LocalBackend

    data = overlay_data / "data"
    train = [r for r in rows(data, "unified_train.jsonl") if r["meta"]["alias"] in TRUCKS]
    for name, part in (("train", train), ("eval", train[:8])):
        (tmp_path / f"{name}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part),
                                                encoding="utf-8")
    config = {
        "task": "unified", "base_model": str(tiny_model_dir), "method": "lora", "precision": "fp32",
        "lora": {"r": 8, "lora_alpha": 16, "lora_dropout": 0.0},
        "training": {"output_dir": str(tmp_path / "run"), "max_steps": 30, "per_device_train_batch_size": 8,
                     "per_device_eval_batch_size": 8, "learning_rate": 0.02, "lr_scheduler_type": "constant",
                     "logging_steps": 10, "eval_strategy": "steps", "eval_steps": 30, "save_strategy": "steps",
                     "save_steps": 30, "optim": "adamw_torch", "seed": 42, "activation_checkpointing": False},
        "data": {"train_file": str(tmp_path / "train.jsonl"), "eval_file": str(tmp_path / "eval.jsonl"),
                 "max_length": 256},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "emstd.cli", "train", str(tmp_path / "config.yaml"),
                        "--catalog", str(overlay_data / "fleet.yaml")], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    names = sorted({row["meta"]["alias"] for row in train})
    base = LocalBackend(str(tiny_model_dir))
    base.zero_shot = True
    before = [a.standard for a in base.standardize_values(names, "vehicle")]
    tuned = LocalBackend(str(tiny_model_dir), str(tmp_path / "run" / "final"))
    after = [a.standard for a in tuned.standardize_values(names, "vehicle")]
    assert before != ["Combination Long-haul Truck"] * len(names)  # the random base model does not know them
    assert after == ["Combination Long-haul Truck"] * len(names)  # the adapter answers the corrected names
