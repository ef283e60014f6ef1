"""The local backend's weights dtype: auto takes bf16 only where the hardware multiplies in it; a bad name is a
one-line error that names the choices."""

import pytest
import torch

from emstd.errors import ConfigError, EmstdError
from emstd.infer import local
from emstd.infer.factory import load_options
from emstd.infer.local import LocalBackend, infer_dtype

from tests.infer.test_prefix_cache import VALUES, retrieved


@pytest.mark.parametrize("hardware,expected", [(True, "bf16"), (False, "fp32")])
def test_auto_takes_bf16_only_on_a_cpu_that_has_it(monkeypatch, hardware, expected):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(local, "cpu_has_bf16", lambda: hardware)
    assert infer_dtype("auto") == expected
    monkeypatch.setenv("EMSTD_INFER_DTYPE", "")
    assert infer_dtype(None) == expected  # the default is auto


def test_the_environment_variable_and_the_argument(monkeypatch):
    monkeypatch.setenv("EMSTD_INFER_DTYPE", "bf16")
    assert infer_dtype(None) == "bf16"
    assert infer_dtype("fp32") == "fp32"  # an explicit choice beats the environment


def test_a_bad_name_says_which_are_allowed(monkeypatch):
    with pytest.raises(EmstdError, match=r"'fp16'.*auto, fp32, bf16"):
        infer_dtype("fp16")
    monkeypatch.setenv("EMSTD_INFER_DTYPE", "half")
    with pytest.raises(EmstdError, match="EMSTD_INFER_DTYPE"):
        infer_dtype(None)
    with pytest.raises(ConfigError, match="dtype"):
        load_options(backend="rules", dtype="fp16")


def test_bf16_weights_answer_within_the_label_set(tiny_model_dir, tiny_adapters):
    backend = LocalBackend(str(tiny_model_dir), str(tiny_adapters["unified"]), batch_size=4, dtype="bf16")
    assert {p.dtype for n, p in backend.model.named_parameters() if "lora_" not in n} == {torch.bfloat16}
    answers = backend.standardize_values(VALUES, "vehicle", retrieved(len(VALUES)))
    labels = set(backend.catalog.labels("vehicle")) | {None}
    assert [a.standard in labels for a in answers] == [True] * len(VALUES)
    assert all(0.0 <= a.confidence <= 1.0 for a in answers)
    backend.share_prefix = False  # the shared-prefix cache gives the same labels in bf16 too
    whole = backend.standardize_values(VALUES, "vehicle", retrieved(len(VALUES)))
    assert [a.standard for a in whole] == [a.standard for a in answers]
