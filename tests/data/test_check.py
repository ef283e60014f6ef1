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
