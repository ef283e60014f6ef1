"""Layers import only downward: catalog -> data -> train -> infer -> eval -> serve -> cli (docs/design.md)."""

import re
from pathlib import Path

import pytest

import emstd

ORDER = ["catalog", "data", "train", "infer", "eval", "serve"]
TOP = {"cli", "cli_options", "quickstart"}  # the edge: may import any layer
SRC = Path(emstd.__file__).parent
IMPORT = re.compile(r"^\s*(?:from|import)\s+emstd\.(\w+)", re.M)


def imported_layers(layer: str) -> set[str]:
    found = set()
    for path in (SRC / layer).rglob("*.py"):
        found |= set(IMPORT.findall(path.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize("layer", ORDER)
def test_a_layer_imports_only_layers_below_it(layer):
    above = set(ORDER[ORDER.index(layer) + 1:]) | TOP
    assert imported_layers(layer) & above == set()


@pytest.mark.parametrize("module, allowed", [("defaults", set()), ("errors", set()), ("io", {"errors"}),
                                             ("hf", {"errors"}), ("prompts", {"catalog"})])
def test_the_shared_modules_stay_below_the_layers(module, allowed):
    text = (SRC / f"{module}.py").read_text(encoding="utf-8")
    assert set(IMPORT.findall(text)) <= allowed


def test_the_pattern_sees_imports_inside_functions():
    assert "infer" in imported_layers("eval") and "catalog" in imported_layers("data")
