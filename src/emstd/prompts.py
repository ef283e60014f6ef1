"""The prompts of both models: one place, used by the dataset builder, training, evaluation and inference.

Qwen2.5's chat template injects its own default system prompt when a conversation has none, so every
conversation we build carries one of these system prompts explicitly: training and serving see the same text.
"""

from __future__ import annotations

import json
from functools import lru_cache

from emstd.catalog import UNKNOWN, load_catalog

TASK_TAGS = {"vehicle": "[vehicle]", "pollutant": "[pollutant]"}
CANDIDATE_ALIAS_CHARS = 32  # a long catalog entry (a description) is shown by its start


@lru_cache(maxsize=1)
def unified_system_prompt() -> str:
    # Short on purpose: it is most of every unified example (the answer is 2-8 tokens). Listing the 20 labels took
    # ~136 Qwen2.5 tokens; this takes ~35, so training and inference do ~4x less work per example. The label set
    # is learned in fine-tuning and enforced at inference by constrained decoding (emstd/infer/constrained.py).
    # The candidates are the retrieval layer's nearest standard values (each with the catalog name that matched):
    # a 135M model cannot learn 20 labels' worth of world knowledge from a catalog, but it can learn to judge
    # which of three candidates a name really is, or that it is none of them.
    return (
        "Standardize a traffic-emission name. The input is [vehicle] or [pollutant], a name, and candidates: "
        "standard values whose catalog names are nearest to it. Answer with its EPA MOVES standard vehicle type "
        f"or pollutant (usually, not always, a candidate), or {UNKNOWN} if it is not one."
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


def unified_user_text(task: str, value: str, candidates: list | None = None) -> str:
    """`candidates`: (label or None, matched catalog name) pairs, best first; None stands for UNKNOWN."""
    text = f"{TASK_TAGS[task]} {value}"
    if candidates:
        shown = [f"{label or UNKNOWN} = {alias[:CANDIDATE_ALIAS_CHARS]}" for label, alias, *_ in candidates]
        text += "\ncandidates: " + "; ".join(shown)
    return text


def column_user_text(headers: list[str], samples: dict[str, list] | None = None) -> str:
    text = json.dumps(list(headers), ensure_ascii=False)
    if samples:
        text += "\nsamples: " + json.dumps(samples, ensure_ascii=False)
    return text


def column_answer_text(mapping: dict[str, str]) -> str:
    return json.dumps(mapping, ensure_ascii=False)


def unified_messages(task: str, value: str, answer: str | None = None, candidates: list | None = None) -> list[dict]:
    messages = [
        {"role": "system", "content": unified_system_prompt()},
        {"role": "user", "content": unified_user_text(task, value, candidates)},
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


def unified_candidates(retrieval, values: list[str], task: str, retrieved: list | None) -> list[list | None]:
    """The (label, matched name) pairs each unified prompt shows: from `retrieved`, else searched now (through a
    RetrievalIndex or a Lazy of one), else none (a backend built without retrieval)."""
    if retrieved is None and retrieval is not None:
        index = retrieval.get() if hasattr(retrieval, "get") else retrieval
        retrieved = index.search(values, task)
    if retrieved is None:
        return [None] * len(values)
    return [[(c.label, c.alias) for c in r.candidates] for r in retrieved]
