import pytest


@pytest.fixture(autouse=True)
def _no_user_catalog_overlay(monkeypatch):
    """No test sees the developer's EMSTD_CATALOG, and one that sets it (the CLI's --catalog does, for the
    process) cannot leak it into the next: setenv restores the variable when the test ends."""
    monkeypatch.setenv("EMSTD_CATALOG", "")


@pytest.fixture(autouse=True, scope="session")
def _same_inference_dtype_everywhere():
    """The same weights' dtype on every machine (auto takes bf16 only where the CPU has it), so tests that compare
    numbers are deterministic; session-wide, because module fixtures build backends before function fixtures run.
    tests/infer/test_infer_dtype.py covers auto and bf16."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EMSTD_INFER_DTYPE", "fp32")
        yield


@pytest.fixture(scope="session")
def dataset_dir(tmp_path_factory):
    """One dataset built with the default seed, shared by the tests that only read it."""
    from emstd.data.build import build_dataset

    out = tmp_path_factory.mktemp("dataset")
    build_dataset(out, seed=42, progress=lambda m: None)
    return out


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A tiny random Qwen2 with the real Qwen2.5 tokenizer, built locally (never from a hub)."""
    from emstd.dev.tiny_model import save_tiny_model

    return save_tiny_model(tmp_path_factory.mktemp("tiny") / "model")


@pytest.fixture(scope="session")
def tiny_adapters(tiny_model_dir, tmp_path_factory):
    """Two LoRA adapters (`unified`, `column`) with random non-zero weights on the tiny model."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    out = {}
    for i, name in enumerate(("unified", "column")):
        torch.manual_seed(100 + i)
        base = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
        cfg = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False,
                         task_type="CAUSAL_LM")
        model = get_peft_model(base, cfg)
        path = tmp_path_factory.mktemp(f"adapter_{name}")
        model.save_pretrained(path)
        out[name] = path
    return out
