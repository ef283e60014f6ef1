"""Token lengths of chat examples in Qwen2.5 tokens (the offline tokenizer), for stats and checks."""

from __future__ import annotations

import numpy as np


def token_lengths(conversations: list[list[dict]], tokenizer=None) -> list[int]:
    if tokenizer is None:
        from emstd.data.qwen_tokenizer import load_qwen25_tokenizer

        tokenizer = load_qwen25_tokenizer()
    texts = [tokenizer.apply_chat_template(m, tokenize=False) for m in conversations]
    if not texts:
        return []
    return [len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]]


def percentiles(lengths: list[int]) -> dict[str, float]:
    if not lengths:
        return {}
    arr = np.asarray(lengths)
    return {
        "min": int(arr.min()), "p50": float(np.percentile(arr, 50)), "p90": float(np.percentile(arr, 90)),
        "p99": float(np.percentile(arr, 99)), "max": int(arr.max()), "mean": round(float(arr.mean()), 1),
    }
