"""A tiny random Qwen2 model with the real Qwen2.5 tokenizer, built offline (docs/design.md, "Working offline"), for tests."""

from __future__ import annotations

from pathlib import Path

TINY_CONFIG = dict(
    vocab_size=151936, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
    intermediate_size=128, tie_word_embeddings=True, max_position_embeddings=2048,
    bos_token_id=151643, eos_token_id=151645, pad_token_id=151643,
)


def build_tiny_model(seed: int = 0):
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(seed)
    return Qwen2ForCausalLM(Qwen2Config(**TINY_CONFIG))


OWNER = "dev tiny-model"


def save_tiny_model(out: str | Path, seed: int = 0, force: bool = False) -> Path:
    """Write the model and tokenizer into `out`: a new or empty directory, or (with force) one this wrote before."""
    from emstd.data.qwen_tokenizer import load_qwen25_tokenizer
    from emstd.io import atomic_dir, check_output_dir

    out = Path(out)
    check_output_dir(out, OWNER, replace=force)  # before building anything
    model = build_tiny_model(seed)
    model.generation_config.eos_token_id = [151645, 151643]
    model.generation_config.pad_token_id = 151643
    tokenizer = load_qwen25_tokenizer()
    with atomic_dir(out, OWNER, replace=force) as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
    return out
