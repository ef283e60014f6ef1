import json
import shutil

import pytest

from emstd.data.check import check_dataset


@pytest.mark.slow
def test_clean_dataset_passes(dataset_dir):
    assert check_dataset(dataset_dir) == []


def _corrupt(src, dst, name, edit):
    shutil.copytree(src, dst)
    path = dst / name
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = edit(lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dst


@pytest.mark.slow
def test_bad_json_and_wrong_labels_are_reported(dataset_dir, tmp_path):
    def edit(lines):
        row = json.loads(lines[1])
        row["messages"][2]["content"] = "Flying Car"
        return [lines[0][:-5], json.dumps(row, ensure_ascii=False)] + lines[2:]

    d = _corrupt(dataset_dir, tmp_path / "bad", "unified_train.jsonl", edit)
    problems = check_dataset(d)
    assert any("unified_train.jsonl:1: not valid JSON" in p for p in problems)
    assert any("unified_train.jsonl:2: answer 'Flying Car'" in p for p in problems)


@pytest.mark.slow
def test_leak_is_reported(dataset_dir, tmp_path):
    train_first = (dataset_dir / "unified_train.jsonl").read_text(encoding="utf-8").splitlines()[0]
    d = _corrupt(dataset_dir, tmp_path / "leak", "unified_test.jsonl", lambda lines: lines + [train_first])
    assert any("also occurs in train (leak)" in p for p in check_dataset(d))


@pytest.mark.slow
def test_column_answer_problems(dataset_dir, tmp_path):
    def edit(lines):
        row = json.loads(lines[0])
        row["messages"][2]["content"] = json.dumps({"not a header": "speed_kph", **json.loads(row["messages"][2]["content"])})
        row2 = json.loads(lines[1])
        row2["messages"][2]["content"] = "{broken"
        return [json.dumps(row, ensure_ascii=False), json.dumps(row2, ensure_ascii=False)] + lines[2:]

    d = _corrupt(dataset_dir, tmp_path / "col", "column_train.jsonl", edit)
    problems = check_dataset(d)
    assert any("column_train.jsonl:1: answer keys ['not a header']" in p for p in problems)
    assert any("column_train.jsonl:2: the answer is not valid JSON" in p for p in problems)


@pytest.mark.slow
def test_too_long_and_missing_files(dataset_dir, tmp_path):
    def edit(lines):
        row = json.loads(lines[0])
        row["messages"][1]["content"] = "[vehicle] " + "大货车" * 300
        return [json.dumps(row, ensure_ascii=False)] + lines[1:]

    d = _corrupt(dataset_dir, tmp_path / "long", "unified_eval.jsonl", edit)
    (d / "column_test.jsonl").unlink()
    problems = check_dataset(d)
    assert any("unified_eval.jsonl:1:" in p and "over max_length 256" in p for p in problems)
    assert any("column_test.jsonl: missing" in p for p in problems)
    assert check_dataset(tmp_path / "nope")[0].endswith("Run `emstd data build --out " + str(tmp_path / "nope") + "` first.")


def _rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def _append(path, rows):
    with open(path, "a", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def _unified_row(task, value, label, alias):
    from emstd.prompts import unified_messages

    return {"messages": unified_messages(task, value, label), "meta": {"task": task, "label": label, "alias": alias,
                                                                        "aug": "none", "value": value, "candidates": []}}


@pytest.mark.slow  # copies and checks a built dataset several times
def test_leaks_that_metadata_does_not_label(dataset_dir, tmp_path):
    """The same prompt under another alias, a test alias wrapped in a longer train request, a test or eval table
    copied into train (headers reordered, case changed): none is labelled as the test alias or table in meta."""
    d = tmp_path / "leaky"
    shutil.copytree(dataset_dir, d)
    test = _rows(d / "unified_test.jsonl")
    vehicles = [r for r in test if r["meta"]["task"] == "vehicle" and len(r["meta"]["alias"]) >= 3]
    same, wrapped, known = vehicles[0], vehicles[1], vehicles[2]
    train_alias = next(r["meta"]["alias"] for r in _rows(d / "unified_train.jsonl") if r["meta"]["task"] == "vehicle")
    _append(d / "unified_train.jsonl", [
        _unified_row("vehicle", "  " + same["meta"]["value"].upper() + " ", same["meta"]["label"], train_alias),
        _unified_row("vehicle", f"帮我看看这种{wrapped['meta']['alias']}一年要排多少", wrapped["meta"]["label"], train_alias),
        _unified_row("vehicle", f"查询{known['meta']['alias']}的排放", known["meta"]["label"], train_alias),
    ])
    n_train = len(_rows(d / "unified_train.jsonl"))
    eval_table = _rows(d / "column_eval.jsonl")[0]
    test_table = _rows(d / "column_test.jsonl")[0]
    copies = []
    for row in (eval_table, test_table):
        headers = [h.upper() for h in reversed(row["meta"]["headers"])]
        copies.append({**row, "meta": {**row["meta"], "headers": headers, "alias": "renamed"}})
    _append(d / "column_train.jsonl", copies)
    n_col = len(_rows(d / "column_train.jsonl"))

    problems = check_dataset(d)
    assert any(p.startswith(f"unified_train.jsonl:{n_train - 2}: value ") and "unified_test.jsonl:" in p
               and "(leak)" in p for p in problems), problems
    assert any(p.startswith(f"unified_train.jsonl:{n_train - 1}: value ")
               and f"test alias {wrapped['meta']['alias']!r}" in p for p in problems), problems
    assert any(p.startswith(f"unified_train.jsonl:{n_train}: value ")
               and f"test alias {known['meta']['alias']!r}" in p for p in problems), problems
    assert any(p.startswith(f"column_train.jsonl:{n_col - 1}: the table of column_eval.jsonl:1") for p in problems)
    assert any(p.startswith(f"column_train.jsonl:{n_col}: the table of column_test.jsonl:1") for p in problems)
