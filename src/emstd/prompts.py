"""The prompts of both models: one place, used by the dataset builder, training, evaluation and inference.

Qwen2.5's chat template injects its own default system prompt when a conversation has none, so every
conversation we build carries one of these system prompts explicitly: training and serving see the same text.
"""

from __future__ import annotations

import json
from functools import lru_cache

from emstd.catalog import UNKNOWN, load_catalog

TASK_TAGS = {"vehicle": "[vehicle]", "pollutant": "[pollutant]"}


@lru_cache(maxsize=1)
def unified_system_prompt() -> str:
    # Short on purpose: it is most of every unified example (the answer is 2-8 tokens). Listing the 20 labels took
    # ~136 Qwen2.5 tokens; this takes ~35, so training and inference do ~4x less work per example. The label set
    # is learned in fine-tuning and enforced at inference by constrained decoding (emstd/infer/constrained.py).
    return (
        "Standardize a traffic-emission name. The input is [vehicle] or [pollutant] and a name. Answer with its "
        f"EPA MOVES standard vehicle type or pollutant, or {UNKNOWN} if it is neither."
    )


@lru_cache(maxsize=1)
def column_system_prompt() -> str:
    cat = load_catalog()
    return (
        "You map the column headers of a traffic-emission table to standard fields. The input is a JSON list of "
        "headers, sometimes followed by sample values. Answer with one JSON object mapping each recognized header "
        "to its field; leave out headers that match no field.\n"
        f"Micro fields: {', '.join(cat.field_names('micro'))}.\n"
        f"Macro fields: {', '.join(cat.field_names('macro'))}; fleet-mix percentage columns map to the vehicle "
        f"type: {'; '.join(cat.labels('vehicle'))}."
    )


def unified_user_text(task: str, value: str) -> str:
    return f"{TASK_TAGS[task]} {value}"


def column_user_text(headers: list[str], samples: dict[str, list] | None = None) -> str:
    text = json.dumps(list(headers), ensure_ascii=False)
    if samples:
        text += "\nsamples: " + json.dumps(samples, ensure_ascii=False)
    return text


def column_answer_text(mapping: dict[str, str]) -> str:
    return json.dumps(mapping, ensure_ascii=False)


def unified_messages(task: str, value: str, answer: str | None = None) -> list[dict]:
    messages = [
        {"role": "system", "content": unified_system_prompt()},
        {"role": "user", "content": unified_user_text(task, value)},
    ]
    if answer is not None:
        messages.append({"role": "assistant", "content": answer})
    return messages


def column_messages(headers: list[str], samples=None, answer: dict | None = None) -> list[dict]:
    messages = [
        {"role": "system", "content": column_system_prompt()},
        {"role": "user", "content": column_user_text(headers, samples)},
    ]
    if answer is not None:
        messages.append({"role": "assistant", "content": column_answer_text(answer)})
    return messages
