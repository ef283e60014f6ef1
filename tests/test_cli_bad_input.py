"""Bad input to every command that takes it: one line `error: ...` naming the problem and the fix, exit code 2, no
traceback, nothing left behind. Every case stops before any model loads.

The cases call the CLI's entry point (`emstd.cli.main`, argv in, exit code and stderr out) in this process: a
subprocess per case would spend most of this file's time importing torch again. An exception that escapes main()
fails the test, as a traceback would. tests/test_cli.py runs a few of these cases as a subprocess too.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from emstd.cli import main
from emstd.quickstart import sample_path

READ_ONLY = Path("/sys/emstd-cannot-write-here/out")  # refused even to root (these tests may run as root)
needs_sys = pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux /sys")
TABLE = sample_path("micro_trajectory.csv")


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def emstd(capsys, monkeypatch):
    def run(*args, env=None):
        monkeypatch.setattr(sys, "argv", ["emstd", *map(str, args)])
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        with pytest.raises(SystemExit) as exited:
            main()
        out, err = capsys.readouterr()
        return Result(exited.value.code, out, err)

    return run


@pytest.fixture(autouse=True)
def no_server(monkeypatch):
    """A `serve` case that got past its checks would listen forever: make that a failure instead."""
    import uvicorn

    def refuse(*args, **kwargs):
        raise AssertionError("serve started a server: the bad input was not caught")

    monkeypatch.setattr(uvicorn, "run", refuse)


def one_line_error(r, *words):
    assert r.returncode == 2, (r.stdout, r.stderr)
    errors = [ln for ln in r.stderr.split("\n") if ln.strip() and not ln.startswith(("[", "#"))]
    assert len(errors) == 1 and errors[0].startswith("error: "), r.stderr
    for w in words:
        ok = w.search(errors[0]) if isinstance(w, re.Pattern) else str(w) in errors[0]
        assert ok, (w, errors[0])
    return errors[0]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """What the commands need before they would load a model: a directory that passes for a base model, a training
    config, a data file, an adapter dir with its run_config.yaml."""
    d = tmp_path_factory.mktemp("inputs")
    model = d / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    record = {"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "[vehicle] x"},
                           {"role": "assistant", "content": "Passenger Car"}]}
    (d / "train.jsonl").write_text(json.dumps(record) + "\n")
    config = {"task": "unified", "base_model": str(model), "training": {"output_dir": str(d / "run"), "max_steps": 2},
              "data": {"train_file": str(d / "train.jsonl")}}
    (d / "train.yaml").write_text(yaml.safe_dump(config))
    adapter = d / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text(json.dumps({"r": 4}))
    (adapter / "run_config.yaml").write_text(yaml.safe_dump(config))
    (d / "binary.yaml").write_bytes(bytes(range(256)) * 4)
    (d / "list.yaml").write_text("- backend\n- rules\n")
    (d / "not_a_model").mkdir()
    return d


# --- output paths -------------------------------------------------------------------------------------------

DIR_OUTPUTS = {
    "data build": lambda i, out: ["data", "build", "--out", out],
    "dev tiny-model": lambda i, out: ["dev", "tiny-model", "--out", out],
    "quickstart": lambda i, out: ["quickstart", "--model", "tiny", "--steps", "2", "--out", out],
    "eval": lambda i, out: ["eval", i / "adapter", "--data", i / "nodata", "--out", out],
    "train": lambda i, out: ["train", i / "train.yaml", "--set", f"training.output_dir={out}"],
    "standardize-table --to moves": lambda i, out: ["standardize-table", TABLE, "--to", "moves", "--out", out],
}


@pytest.mark.parametrize("command", sorted(DIR_OUTPUTS))
def test_an_existing_file_as_output_dir_is_refused_and_kept(emstd, inputs, tmp_path, command):
    out = tmp_path / "precious.txt"
    out.write_text("keep me")
    one_line_error(emstd(*DIR_OUTPUTS[command](inputs, out)), out)
    assert out.read_text() == "keep me" and [p.name for p in tmp_path.iterdir()] == ["precious.txt"]


@pytest.mark.parametrize("command", sorted(DIR_OUTPUTS))
def test_someone_elses_directory_is_refused_and_kept(emstd, inputs, tmp_path, command):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("keep me")
    one_line_error(emstd(*DIR_OUTPUTS[command](inputs, out)), out, "not empty")
    assert [p.name for p in out.iterdir()] == ["thesis.docx"] and [p.name for p in tmp_path.iterdir()] == ["mine"]


@needs_sys
@pytest.mark.parametrize("command", sorted(DIR_OUTPUTS))
def test_an_unwritable_output_dir_is_one_error(emstd, inputs, command):
    one_line_error(emstd(*DIR_OUTPUTS[command](inputs, READ_ONLY)), READ_ONLY, "cannot write")


def test_tiny_model_replaces_its_own_output_only_with_force(emstd, tmp_path):
    out = tmp_path / "tiny"
    assert emstd("dev", "tiny-model", "--out", out).returncode == 0
    (out / "config.json").write_text("{}")  # as if edited by hand
    one_line_error(emstd("dev", "tiny-model", "--out", out), out, "--force")
    assert (out / "config.json").read_text() == "{}"
    assert emstd("dev", "tiny-model", "--out", out, "--force").returncode == 0
    assert json.loads((out / "config.json").read_text())["model_type"] == "qwen2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny"]


FILE_OUTPUTS = {"standardize-table": lambda out: ["standardize-table", TABLE, "--out", out]}


@pytest.mark.parametrize("command", sorted(FILE_OUTPUTS))
def test_a_directory_or_a_path_under_a_file_as_output_file(emstd, tmp_path, command):
    d = tmp_path / "out.csv"
    d.mkdir()
    one_line_error(emstd(*FILE_OUTPUTS[command](d)), d, "is a directory")
    f = tmp_path / "file"
    f.write_text("")
    one_line_error(emstd(*FILE_OUTPUTS[command](f / "out.csv")), f, "not a directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "out.csv"] and not any(d.iterdir())


@needs_sys
@pytest.mark.parametrize("command", sorted(FILE_OUTPUTS))
def test_an_unwritable_output_file_is_one_error(emstd, command):
    one_line_error(emstd(*FILE_OUTPUTS[command](READ_ONLY / "out.csv")), "cannot write")


# --- numbers ------------------------------------------------------------------------------------------------

NUMBERS = [
    (["quickstart", "--model", "tiny", "--steps", "-3"], "--steps"),
    (["quickstart", "--model", "tiny", "--steps", "0"], "--steps"),
    (["quickstart", "--model", "tiny", "--eval-limit", "-1"], "--eval-limit"),
    (["eval", "{adapter}", "--limit", "-3"], "--limit"),
    (["eval", "{adapter}", "--limit", "0"], "--limit"),
    (["vllm-command", "--max-model-len", "0"], "--max-model-len"),
    (["vllm-command", "--port", "70000"], "--port"),
    (["serve", "--port", "-1"], "--port"),
    (["map-columns", TABLE, "--max-xlsx-mb", "0"], "--max-xlsx-mb"),
    (["map-columns", TABLE, "--max-xlsx-cells", "-5"], "--max-xlsx-cells"),
    (["standardize-table", TABLE, "--out", "{tmp}/o.csv", "--max-xlsx-mb", "-1"], "--max-xlsx-mb"),
    (["standardize-table", TABLE, "--out", "{tmp}/o.csv", "--max-xlsx-cells", "0"], "--max-xlsx-cells"),
    (["standardize-table", TABLE, "--to", "moves", "--out", "{tmp}/m", "--road-type", "9"], "--road-type"),
    (["standardize-table", TABLE, "--to", "moves", "--out", "{tmp}/m", "--county", "0"], "--county"),
    (["train", "{config}", "--set", "training.learning_rate=0"], "training.learning_rate"),
    (["train", "{config}", "--set", "training.learning_rate=-1.0e-4"], "training.learning_rate"),
    (["train", "{config}", "--set", "training.learning_rate=.nan"], "training.learning_rate"),
    (["train", "{config}", "--set", "training.max_steps=-5"], "training.max_steps"),
    (["train", "{config}", "--set", "training.per_device_train_batch_size=0"], "training.per_device_train_batch_size"),
    (["train", "{config}", "--set", "training.gradient_accumulation_steps=0"], "training.gradient_accumulation_steps"),
    (["train", "{config}", "--set", "training.num_train_epochs=0"], "training.num_train_epochs"),
    (["train", "{config}", "--set", "data.max_length=0"], "data.max_length"),
    (["train", "{config}", "--set", "lora.r=-4"], "lora.r"),
]


@pytest.mark.parametrize("argv,words", NUMBERS, ids=lambda v: " ".join(map(str, v)) if isinstance(v, list) else v)
def test_numbers_that_make_no_sense_are_refused_before_any_work(emstd, inputs, tmp_path, argv, words):
    fill = {"adapter": inputs / "adapter", "config": inputs / "train.yaml", "tmp": tmp_path}
    r = emstd(*[str(a).format(**fill) for a in argv])
    one_line_error(r, words)
    assert not any(tmp_path.iterdir()) and not (inputs / "run").exists()


# --- input files and directories ----------------------------------------------------------------------------

BACKEND_CONFIG_COMMANDS = {
    "standardize": lambda: ["standardize", "vehicle", "x"],
    "map-columns": lambda: ["map-columns", TABLE],
    "standardize-table": lambda: ["standardize-table", TABLE, "--out", "{tmp}/o.csv"],
    "serve": lambda: ["serve", "--port", "1"],
}


@pytest.mark.parametrize("bad,words", [("binary.yaml", "not UTF-8"), ("list.yaml", "mapping"),
                                       ("not_a_model", "is a directory"), ("missing.yaml", "no such file")])
@pytest.mark.parametrize("command", sorted(BACKEND_CONFIG_COMMANDS))
def test_a_bad_backend_config_file(emstd, inputs, tmp_path, command, bad, words):
    argv = [str(a).format(tmp=tmp_path) for a in BACKEND_CONFIG_COMMANDS[command]()]
    one_line_error(emstd(*argv, "--backend-config", inputs / bad), inputs / bad, words)
    assert not any(tmp_path.iterdir())


def test_values_from_a_directory(emstd, inputs):
    one_line_error(emstd("standardize", "vehicle", "--from", inputs), inputs, "is a directory")


@pytest.mark.parametrize("flag", ["--unified-adapter", "--column-adapter"])
def test_vllm_command_adapters_must_exist(emstd, inputs, tmp_path, flag):
    one_line_error(emstd("vllm-command", flag, tmp_path / "missing", "--unified-adapter" if flag != "--unified-adapter"
                         else "--column-adapter", inputs / "adapter"), tmp_path / "missing", "does not exist")
    one_line_error(emstd("vllm-command", flag, inputs / "not_a_model", "--unified-adapter"
                         if flag != "--unified-adapter" else "--column-adapter", inputs / "adapter"),
                   "adapter_config.json")


# --- base models --------------------------------------------------------------------------------------------

def _eval_of_a_run_on(i: Path, bm: str) -> list:
    """An adapter dir whose run_config.yaml names `bm` as its base model."""
    run = i / f"adapter_on_{abs(hash(bm))}"
    run.mkdir(exist_ok=True)
    (run / "adapter_config.json").write_text(json.dumps({"r": 4}))
    config = {**yaml.safe_load((i / "train.yaml").read_text()), "base_model": bm}
    (run / "run_config.yaml").write_text(yaml.safe_dump(config))
    return ["eval", run, "--data", i / "nodata", "--out", i / "never_eval"]


BASE_MODEL_COMMANDS = {
    "eval": _eval_of_a_run_on,
    "standardize --backend local": lambda i, bm: ["standardize", "vehicle", "x", "--backend", "local",
                                                  "--unified-adapter", i / "adapter", "--base-model", bm],
    "standardize (auto)": lambda i, bm: ["standardize", "vehicle", "qwertyzz", "--unified-adapter", i / "adapter",
                                         "--base-model", bm],
    "map-columns": lambda i, bm: ["map-columns", TABLE, "--column-adapter", i / "adapter", "--base-model", bm],
    "standardize-table": lambda i, bm: ["standardize-table", TABLE, "--out", i / "never.csv", "--unified-adapter",
                                        i / "adapter", "--base-model", bm],
    "serve": lambda i, bm: ["serve", "--port", "1", "--unified-adapter", i / "adapter", "--base-model", bm],
    "train": lambda i, bm: ["train", i / "train.yaml", "--set", f"base_model={bm}"],
}
BASE_MODELS = {"missing dir": ("{tmp}/nope", "no such directory"),
               "not a model": ("{inputs}/not_a_model", "no config.json"),
               "offline hub id": ("nobody-emstd/not-a-cached-model", "HF_HUB_OFFLINE")}


@pytest.mark.parametrize("case", sorted(BASE_MODELS))
@pytest.mark.parametrize("command", sorted(BASE_MODEL_COMMANDS))
def test_a_base_model_that_cannot_load_is_one_error_before_any_work(emstd, inputs, tmp_path, command, case):
    value, words = BASE_MODELS[case]
    bm = value.format(tmp=tmp_path, inputs=inputs)
    r = emstd(*BASE_MODEL_COMMANDS[command](inputs, bm), env={"HF_HUB_OFFLINE": "1"})
    one_line_error(r, re.compile("base[ _]model"), words)
    assert not (inputs / "never.csv").exists() and not (inputs / "run").exists()
    assert not (inputs / "never_eval").exists()


@pytest.mark.parametrize("bad,words", [("binary.yaml", "not UTF-8"), ("list.yaml", "mapping"),
                                       ("not_a_model", "is a directory"), ("missing.yaml", "no such file")])
def test_a_bad_training_config_file(emstd, inputs, bad, words):
    one_line_error(emstd("train", inputs / bad), inputs / bad, words)
