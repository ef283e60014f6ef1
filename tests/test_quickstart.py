from emstd.quickstart import run_quickstart


def test_quickstart_builds_checks_and_standardizes(tmp_path):
    said = []
    summary = run_quickstart(tmp_path, say=said.append)
    assert (tmp_path / "data" / "unified_train.jsonl").exists()
    assert {t["input"] for t in summary["tables"]} == {"macro_links.xlsx", "micro_trajectory.csv"}
    macro = next(t for t in summary["tables"] if t["input"] == "macro_links.xlsx")
    assert macro["task"] == "macro" and macro["mapped"] == "8/12"
    assert (tmp_path / "macro_links.standard.xlsx").exists()
    assert any(m.startswith("[1/3] dataset: building") for m in said)
    again = []
    run_quickstart(tmp_path, say=again.append)
    assert any(m.startswith("[1/3] dataset: reusing") for m in again)
