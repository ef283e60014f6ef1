"""The user catalog overlay: loading, validation errors, precedence over the built-in catalog, method `user`,
caches keyed by the overlay, and the retrieval index rebuilt for it."""

import textwrap

import numpy as np
import pytest

from emstd.catalog import builtin_catalog, load_catalog
from emstd.catalog.normalize import key
from emstd.errors import CatalogError
from emstd.infer.column_rules import default_column_rules
from emstd.infer.rules import default_engine

OVERLAY = """
source_types:
  - label: "Passenger Car"
    aliases:
      fleet: ["PC-01", "小车A"]
pollutants:
  - label: "NOx"
    aliases: {lab: ["氮氧"]}
fields:
  - name: "speed_kph"
    aliases: {user: ["车速值"]}
negatives:
  vehicle: ["巡逻摩托(不计)"]
decisions:
  - task: "vehicle"
    alias: "小型客车"
    label: "Passenger Truck"
    reason: "our fleet's 小型客车 are SUVs"
  - task: "vehicle"
    alias: "电动车"
    label: "Passenger Car"
    reason: "in our survey 电动车 are electric cars"
"""


def write(tmp_path, text, name="overlay.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def overlay(tmp_path, monkeypatch):
    path = write(tmp_path, OVERLAY)
    monkeypatch.setenv("EMSTD_CATALOG", str(path))
    return path


def answer(value, task="vehicle"):
    a = default_engine().standardize(value, task)
    return a.standard, a.method, a.confidence


def test_without_an_overlay_the_builtin_catalog_is_served():
    assert load_catalog() is builtin_catalog()
    assert answer("PC-01")[1] != "user"


def test_overlay_aliases_answer_with_method_user(overlay):
    assert answer("PC-01") == ("Passenger Car", "user", 1.0)
    assert answer("pc 01") == ("Passenger Car", "user", 1.0)  # same key: case and separators do not matter
    assert answer("新能源 PC-01")[:2] == ("Passenger Car", "user")  # wrappers and modifiers stripped as usual
    assert answer("氮氧", "pollutant")[:2] == ("NOx", "user")
    assert answer("巡逻摩托(不计)") == (None, "user", 1.0)  # the user's negative: not a standard value
    header = default_column_rules().match_header("车速值")
    assert (header.target, header.method, header.unit) == ("speed_kph", "user", "km/h")


def test_overlay_decisions_beat_the_builtin_catalog(overlay):
    assert answer("小型客车")[:2] == ("Passenger Truck", "user")
    assert answer("电动车")[:2] == ("Passenger Car", "user")  # a built-in negative re-pointed to a label
    cat = load_catalog()
    assert "小型客车" not in cat.aliases("vehicle")["Passenger Car"]
    assert "电动车" not in cat.negative_names("vehicle")
    decided = {d.alias: d.label for d in cat.decisions}
    assert decided["小型客车"] == "Passenger Truck"  # the documented decision is replaced, not duplicated
    assert sum(d.alias == "小型客车" for d in cat.decisions) == 1
    assert answer("大货车") == ("Single Unit Short-haul Truck", "exact", 1.0)  # the rest is untouched
    assert builtin_catalog().lookup("vehicle", key("小型客车")) == (True, "Passenger Car")  # base not mutated


def test_caches_follow_the_overlay(tmp_path, monkeypatch, overlay):
    assert answer("PC-01")[0] == "Passenger Car"
    rules_before = default_column_rules()
    overlay.write_text(OVERLAY.replace('"PC-01", ', ""), encoding="utf-8")  # edited in place
    assert answer("PC-01")[1] != "user"
    assert default_column_rules() is not rules_before
    monkeypatch.setenv("EMSTD_CATALOG", "")
    assert load_catalog() is builtin_catalog()
    assert default_engine().catalog is builtin_catalog()


def test_unchanged_overlay_is_loaded_once(overlay):
    assert load_catalog() is load_catalog()
    assert default_engine() is default_engine()


def test_fingerprint_changes_with_the_overlay(overlay, monkeypatch):
    with_overlay = load_catalog().fingerprint()
    monkeypatch.setenv("EMSTD_CATALOG", "")
    assert with_overlay != load_catalog().fingerprint()


class CountingEncoder:
    """A deterministic stand-in for USE: hashed character trigrams, and a count of what it embedded."""

    name = "counting"

    def __init__(self):
        self.texts = 0

    def encode(self, texts):
        self.texts += len(texts)
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, t in enumerate(texts):
            for j in range(max(1, len(t) - 2)):
                out[i, hash(t[j:j + 3]) % 64] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_retrieval_index_is_rebuilt_for_an_overlay(tmp_path, monkeypatch, overlay):
    from emstd.data.retrieval import RetrievalIndex

    monkeypatch.setenv("EMSTD_CATALOG", "")
    encoder = CountingEncoder()
    RetrievalIndex(encoder=encoder, cache_dir=tmp_path / "cache")
    built = encoder.texts
    RetrievalIndex(encoder=encoder, cache_dir=tmp_path / "cache")
    assert encoder.texts == built  # same catalog: loaded from the cache
    monkeypatch.setenv("EMSTD_CATALOG", str(overlay))
    index = RetrievalIndex(encoder=encoder, cache_dir=tmp_path / "cache")
    assert encoder.texts > built  # the overlay's catalog has its own index
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 2
    assert "PC-01" in index.tables["vehicle"].texts and "PC-01" not in builtin_index_texts(tmp_path, encoder)


def builtin_index_texts(tmp_path, encoder):
    from emstd.data.retrieval import RetrievalIndex

    return RetrievalIndex(catalog=builtin_catalog(), encoder=encoder, cache_dir=tmp_path / "cache").tables["vehicle"].texts


# --- validation ---------------------------------------------------------------------------------------------


def problems_of(tmp_path, monkeypatch, text):
    monkeypatch.setenv("EMSTD_CATALOG", str(write(tmp_path, text, "bad.yaml")))
    with pytest.raises(CatalogError) as info:
        load_catalog()
    return str(info.value)


def test_every_problem_is_reported_at_once_with_file_and_entry(tmp_path, monkeypatch):
    message = problems_of(tmp_path, monkeypatch, """
        source_types:
          - label: "Pasenger Car"
            aliases: {fleet: ["PC-01"]}
          - label: "Passenger Car"
            aliases: {fleet: ["SUV", "自行车", "PC-02"]}
          - label: "Motorcycle"
            aliases: {fleet: ["pc 02"]}
          - label: "Transit Bus"
            zh: "公交"
        negatives:
          vehicle: ["大货车"]
        decisions:
          - {task: "pollutant", alias: "VOC", label: "thc", reason: "x"}
        colour: "red"
    """)
    assert "bad.yaml: catalog overlay has 8 problem(s)" in message
    assert "source_types[0] (Pasenger Car): 'Pasenger Car' is not a MOVES source type; did you mean 'Passenger Car'?" in message
    # a collision names both labels and says how to override on purpose
    assert ("source_types[1] (Passenger Car).aliases.fleet[0]: 'SUV' is an alias of 'Passenger Car' here but an "
            "alias of 'Passenger Truck' in the built-in catalog; if you mean to override it, add a decision "
            "(task: vehicle, alias: 'SUV', label: 'Passenger Car'") in message
    assert "'自行车' is an alias of 'Passenger Car' here but a negative (not a standard value)" in message
    assert "'pc 02' (an alias of 'Motorcycle') has the same key as 'PC-02'" in message
    assert "source_types[3] (Transit Bus).zh: unknown key 'zh'" in message
    assert "negatives.vehicle[0]: '大货车' is a negative (not a standard value) here but an alias of " \
           "'Single Unit Short-haul Truck'" in message and "label: null" in message
    assert "decisions[0] (VOC): 'thc' is not a standard pollutant; did you mean 'THC'?" in message
    assert "colour: unknown section" in message


def test_a_decision_may_not_repoint_a_standard_name(tmp_path, monkeypatch):
    message = problems_of(tmp_path, monkeypatch, """
        decisions:
          - {task: "vehicle", alias: "passenger car", label: "Motorcycle", reason: "x"}
    """)
    assert "'passenger car' is the standard name of 'Passenger Car'; it cannot be re-pointed" in message


def test_bad_yaml_and_missing_file_are_named(tmp_path, monkeypatch):
    assert "bad.yaml: not valid YAML at line 3, column 1" in problems_of(tmp_path, monkeypatch, "a: [\nb: c\n")
    monkeypatch.setenv("EMSTD_CATALOG", str(tmp_path / "missing.yaml"))
    with pytest.raises(CatalogError, match="missing.yaml: no such file.*unset EMSTD_CATALOG"):
        load_catalog()


def test_an_empty_overlay_changes_nothing_but_is_valid(tmp_path, monkeypatch):
    monkeypatch.setenv("EMSTD_CATALOG", str(write(tmp_path, "# nothing yet\n")))
    cat = load_catalog()
    assert cat.fingerprint() == builtin_catalog().fingerprint() and cat.base is builtin_catalog()


def test_quickstart_rebuilds_its_dataset_for_another_catalog(overlay, monkeypatch):
    from emstd.quickstart import _same_dataset

    stamp = {"fingerprint": load_catalog().fingerprint(), "overlay": str(overlay)}
    assert _same_dataset({"seed": 42, "catalog": stamp}, 42)
    assert not _same_dataset({"seed": 42, "catalog": stamp}, 7)
    assert not _same_dataset({"seed": 42}, 42)  # built before overlays existed: only the built-in catalog matches
    monkeypatch.setenv("EMSTD_CATALOG", "")
    assert not _same_dataset({"seed": 42, "catalog": stamp}, 42)
    assert _same_dataset({"seed": 42}, 42)


def test_the_cli_refuses_a_bad_overlay_before_doing_anything(tmp_path):
    import subprocess
    import sys

    bad = write(tmp_path, 'source_types:\n  - label: "Pasenger Car"\n    aliases: {x: ["PC-01"]}\n', "bad.yaml")
    for args in (["standardize", "vehicle", "PC-01"], ["serve", "--port", "1"], ["data", "build", "--out", str(tmp_path / "d")],
                 ["eval", str(tmp_path)], ["quickstart", "--out", str(tmp_path / "q")]):
        r = subprocess.run([sys.executable, "-m", "emstd.cli", *args, "--catalog", str(bad)], capture_output=True,
                           text=True, timeout=120)
        assert r.returncode == 2, (args, r.stderr)
        assert "bad.yaml: catalog overlay has 1 problem(s)" in r.stderr and "did you mean 'Passenger Car'" in r.stderr
    assert not (tmp_path / "d").exists() and not (tmp_path / "q").exists()
    r = subprocess.run([sys.executable, "-m", "emstd.cli", "standardize", "vehicle", "x", "--catalog",
                        str(tmp_path / "none.yaml")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "none.yaml: no such file" in r.stderr
