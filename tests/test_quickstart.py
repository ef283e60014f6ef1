"""The main job end to end on the tiny model: data, training, evaluation against baselines and on the realworld set,
routing, sample tables."""

import json

import pytest

from emstd.quickstart import run_quickstart


@pytest.mark.slow
def test_quickstart_tiny_end_to_end_and_reuse(tmp_path):
    said = []
    s = run_quickstart(tmp_path, model="tiny", steps=2, eval_limit=12, say=said.append)
    assert (tmp_path / "data" / "unified_train.jsonl").exists()
    assert (tmp_path / "run_tiny" / "final" / "adapter_config.json").exists()
    assert (tmp_path / "run_tiny" / "final" / "routing.json").exists()  # chosen on the eval split
    assert set(s["eval"]) == {"fine_tuned", "rules", "zero_shot"}
    assert s["eval"]["rules"]["overall_accuracy"] >= 0.9
    report = json.loads((tmp_path / "eval" / "report.json").read_text())
    assert report["n"] == 12 and report["held_out_overlap"] == 0
    assert set(s["realworld"]["vehicle"]) == {"rules", "retrieval", "rules+retrieval", "model", "auto"}
    assert set(s["realworld"]["tables"]) == {"rules", "rules+retrieval"}
    assert (tmp_path / "realworld" / "report.md").exists()
    assert {t["input"] for t in s["tables"]} == {"macro_links.xlsx", "micro_trajectory.csv"}
    macro = next(t for t in s["tables"] if t["input"] == "macro_links.xlsx")
    assert macro["task"] == "macro" and macro["mapped"] == "8/12"
    micro = next(t for t in s["tables"] if t["input"] == "micro_trajectory.csv")
    assert micro["values"] and micro["values"][0]["distinct"] == 8
    assert (tmp_path / "macro_links.standard.xlsx").exists()
    steps = [m[:5] for m in said if m[:1] == "[" and m[2:5] == "/5]"]
    assert steps == ["[1/5]", "[2/5]", "[3/5]", "[4/5]", "[5/5]"]  # every step reports progress, in order
    again = []
    run_quickstart(tmp_path, model="tiny", steps=2, eval_limit=12, say=again.append)
    assert any(m.startswith("[1/5] dataset: reusing") for m in again)
    assert any(m.startswith("[2/5] training: reusing") for m in again)
