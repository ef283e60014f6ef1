"""A prompt prefix every prompt of one kind shares, run through the model once per adapter and reused.

Every unified prompt starts with the same tokens: the system turn and the user header with the task tag
(`<|im_start|>user\\n[vehicle]`); every column prompt with the system turn and the user header. Their keys and
values depend only on those tokens and on the weights, so they are computed once per (adapter, prompt kind) and
copied into each batch's cache: only the per-input suffix runs through the model.

The prefix is found, not written down: the longest common token prefix of prompts rendered around probe inputs
that start with different kinds of character, so the cut falls where the tokenizer always splits. A prompt whose
tokens do not start with the prefix anyway (an input that merges with it) is simply run without the cache.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable

# Inputs that begin with a letter, a digit, punctuation, a space, a CJK character and a newline: the common
# prefix of their prompts ends before anything an input's first character could merge with.
PROBES = ("a", "1", "(", " x", "中", "\nx")


def causal_lm(model):
    """The transformers model under a PEFT wrapper (its LoRA layers included), or the model itself."""
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def decoder_of(model):
    """The decoder stack under the language-model head (Qwen2Model under Qwen2ForCausalLM), LoRA layers included."""
    lm = causal_lm(model)
    return lm.base_model if lm.base_model is not lm else None


def cache_kwarg(module) -> str:
    """The name a forward takes its KV cache by: `cache` in newer transformers 5.x, else `past_key_values`."""
    return "cache" if "cache" in inspect.signature(causal_lm(module).forward).parameters else "past_key_values"


def can_share_prefix(model) -> bool:
    """False for prompt-learning adapters (prefix tuning: their virtual tokens sit in the cache already) and for
    models without a separate decoder stack."""
    config = getattr(model, "active_peft_config", None)
    return not getattr(config, "is_prompt_learning", False) and decoder_of(model) is not None


def common_prefix_ids(tokenizer, render: Callable[[str], str], probes=PROBES) -> list[int]:
    """The token ids every prompt `render(input)` starts with."""
    rendered = [tokenizer(render(p), add_special_tokens=False)["input_ids"] for p in probes]
    n = 0
    while all(n < len(r) for r in rendered) and len({r[n] for r in rendered}) == 1:
        n += 1
    return rendered[0][:n]


@dataclass
class Prefix:
    ids: list[int]
    kv: list[tuple]  # per layer: (keys, values) of the prefix, batch 1

    def suffix(self, ids: list[int]) -> list[int] | None:
        """The tokens after the prefix, or None when `ids` does not start with it."""
        n = len(self.ids)
        return ids[n:] if len(ids) > n and ids[:n] == self.ids else None

    def cache(self, model, batch: int):
        """A fresh DynamicCache holding the prefix for `batch` rows (each batch gets its own copy)."""
        from transformers import DynamicCache

        cache = DynamicCache(config=causal_lm(model).config)
        for layer, (k, v) in enumerate(self.kv):
            cache.update(k.expand(batch, -1, -1, -1), v.expand(batch, -1, -1, -1), layer)
        return cache


def compute_prefix(model, ids: list[int]) -> Prefix:
    """Run `ids` through the model as it is now (active adapter, or adapters disabled) and keep the keys/values."""
    import torch

    with torch.no_grad():
        out = decoder_of(model)(input_ids=torch.tensor([ids], device=model.device), use_cache=True)
    cache = getattr(out, "cache", None) or out.past_key_values
    kv = [(layer.keys.detach(), layer.values.detach()) for layer in cache.layers]
    return Prefix(list(ids), kv)


class PrefixStore:
    """Prefixes by (adapter key, prompt kind). The adapter key names the weights the prefix was computed with:
    the PEFT adapter's name, or None for the base model alone (zero-shot)."""

    def __init__(self):
        self._prefixes: dict[tuple, Prefix] = {}
        self._ids: dict[str, list[int]] = {}

    def get(self, model, adapter: str | None, kind: str, make_ids: Callable[[], list[int]]) -> Prefix:
        if kind not in self._ids:
            self._ids[kind] = make_ids()
        key = (adapter, kind)
        if key not in self._prefixes:
            self._prefixes[key] = compute_prefix(model, self._ids[kind])
        return self._prefixes[key]

    def forget(self, adapter: str | None) -> None:
        """Drop the prefixes computed with `adapter` (it was replaced or deleted)."""
        for key in [k for k in self._prefixes if k[0] == adapter]:
            del self._prefixes[key]
