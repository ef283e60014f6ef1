"""Chat records -> input_ids, attention_mask, labels, with the loss on the assistant answer only.

The seed's preprocess_function trained on the system and user tokens too, and masked padding by token id (with
pad == eos, as for SmolLM2, the model would then never learn to stop). Here:
- labels are -100 everywhere except the assistant answer and its closing end-of-turn token (`<|im_end|>`); the
  "\\n" the template writes after it is masked, since generation stops at `<|im_end|>` and never produces it;
- the answer span is found by character offsets in the rendered chat text, so the mask is exact whatever the
  tokenizer merges at the boundary;
- no padding here: the collator pads each batch to its longest example and masks padding by position
  (DataCollatorForSeq2Seq, label_pad_token_id=-100);
- an example whose answer would be cut by max_length is skipped and reported, never trained on truncated.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from emstd.data.records import iter_jsonl, record_problem
from emstd.errors import InputFileError

IGNORE_INDEX = -100


class DataFormatError(InputFileError):
    """A training file is not the dataset record format (docs/design.md, "Contracts")."""


def read_records(path: str | Path, limit: int | None = None, seed: int = 0) -> list[dict]:
    """Read and check a JSONL dataset file; raise DataFormatError listing the first problems with line numbers."""
    path = Path(path)
    if not path.exists():
        raise DataFormatError(f"{path}: no such file; build the data with `emstd data build`")
    records, problems = [], []
    for n, row, error in iter_jsonl(path):
        problem = error or record_problem(row)
        if problem:
            problems.append(f"line {n}: {problem}")
        else:
            records.append({"messages": row["messages"]})
    if problems:
        shown = "\n".join(f"  - {p}" for p in problems[:10])
        raise DataFormatError(
            f"{path}: {len(problems)} record(s) are not {{\"messages\": [system, user, assistant], \"meta\": ...}}:\n"
            f"{shown}\nRebuild the file with `emstd data build`."
        )
    if not records:
        raise DataFormatError(f"{path}: no records")
    if limit is not None and limit < len(records):
        # A seeded random subset: the files are grouped by label, so the first N would be one label only.
        idx = sorted(random.Random(seed).sample(range(len(records)), limit))
        records = [records[i] for i in idx]
    return records


def end_of_turn_token(tokenizer) -> str:
    """The token that closes an assistant turn: `<|im_end|>` for ChatML templates, else eos."""
    template = tokenizer.chat_template or ""
    if "<|im_end|>" in template and "<|im_end|>" in tokenizer.get_vocab():
        return "<|im_end|>"
    return tokenizer.eos_token


@dataclass
class Encoded:
    input_ids: list[int]
    attention_mask: list[int]
    labels: list[int]


@dataclass
class EncodeReport:
    kept: int = 0
    skipped: int = 0
    examples: list[str] = field(default_factory=list)  # a few skipped ones, for the message

    def describe(self, name: str, max_length: int) -> str | None:
        if not self.skipped:
            return None
        shown = "; ".join(self.examples)
        return (f"{name}: skipped {self.skipped} of {self.kept + self.skipped} examples whose answer would be cut "
                f"by max_length {max_length} (raise data.max_length to keep them), e.g. {shown}")


def encode_example(messages: list[dict], tokenizer, max_length: int, end_token: str | None = None) -> Encoded | None:
    """One chat record -> ids and labels (assistant answer + end-of-turn token), or None if the answer won't fit."""
    end_token = end_token or end_of_turn_token(tokenizer)
    prompt = tokenizer.apply_chat_template(messages[:-1], tokenize=False, add_generation_prompt=True)
    full = tokenizer.apply_chat_template(messages, tokenize=False)
    if not full.startswith(prompt):
        raise DataFormatError("the chat template renders the prompt differently with and without the answer; "
                              "the answer span cannot be located")
    start = len(prompt)
    end_at = full.find(end_token, start)
    if end_at < 0:
        raise DataFormatError(f"the chat template does not close the assistant turn with {end_token!r}")
    end = end_at + len(end_token)

    enc = tokenizer(full, add_special_tokens=False, return_offsets_mapping=True)
    ids = enc["input_ids"]
    labels = [tok if (s >= start and e <= end and e > s) else IGNORE_INDEX
              for tok, (s, e) in zip(ids, enc["offset_mapping"])]
    last = max((i for i, lab in enumerate(labels) if lab != IGNORE_INDEX), default=-1)
    if last < 0 or last >= max_length:
        return None
    ids, labels = ids[:max_length], labels[:max_length]
    return Encoded(ids, [1] * len(ids), labels)


def tokenize_dataset(records: list[dict], tokenizer, max_length: int, name: str = "data"):
    """records -> a datasets.Dataset of input_ids/attention_mask/labels, and the report of skipped examples."""
    from datasets import Dataset

    end_token = end_of_turn_token(tokenizer)

    def encode(row):
        out = encode_example(row["messages"], tokenizer, max_length, end_token)
        if out is None:
            return {"input_ids": [], "attention_mask": [], "labels": [], "keep": False}
        return {"input_ids": out.input_ids, "attention_mask": out.attention_mask, "labels": out.labels,
                "keep": True}

    # An explicit fingerprint: otherwise datasets hashes the closure, i.e. pickles the whole tokenizer (~8 s).
    key = json.dumps([name, len(records), max_length, getattr(tokenizer, "name_or_path", ""), records[:1]])
    fingerprint = hashlib.sha256(key.encode()).hexdigest()[:16]
    ds = Dataset.from_list(records).map(encode, remove_columns=["messages"], desc=f"tokenizing {name}",
                                        new_fingerprint=fingerprint)
    keep = list(ds["keep"])
    report = EncodeReport(kept=sum(keep), skipped=len(keep) - sum(keep))
    report.examples = [repr(records[i]["messages"][1]["content"][:60]) for i, k in enumerate(keep) if not k][:3]
    ds = ds.filter(lambda row: row["keep"], new_fingerprint=fingerprint + "-kept").remove_columns(["keep"])
    return ds, report


def make_collator(tokenizer):
    """Dynamic padding to the longest example in the batch; labels padded with -100 by position."""
    from transformers import DataCollatorForSeq2Seq

    return DataCollatorForSeq2Seq(tokenizer, padding="longest", label_pad_token_id=IGNORE_INDEX,
                                  return_tensors="pt")
