"""Label masking: the loss is on the assistant answer and its <|im_end|> only; padding masked by position."""

from __future__ import annotations

import json

import pytest

from emstd.train.tokenize import (IGNORE_INDEX, DataFormatError, encode_example, make_collator, read_records,
                                  tokenize_dataset)

from train_helpers import record, write_jsonl

IM_START, IM_END, NEWLINE = 151644, 151645, 198


@pytest.fixture(scope="module")
def qwen_tok():
    from emstd.data.qwen_tokenizer import load_qwen25_tokenizer

    return load_qwen25_tokenizer()


def test_exact_label_mask_on_the_real_qwen25_tokenizer(qwen_tok):
    from emstd.prompts import unified_messages

    messages = unified_messages("vehicle", "大货车", "Combination Long-haul Truck")
    enc = encode_example(messages, qwen_tok, max_length=256)
    ids, labels = enc.input_ids, enc.labels
    answer_ids = [36192, 2554, 5724, 2832, 4943, 33685, IM_END]  # "Combination Long-haul Truck" + <|im_end|>
    n = len(answer_ids)

    # The sequence ends with: <|im_start|>assistant\n ANSWER <|im_end|> \n
    assert ids[-(n + 4):-(n + 1)] == [IM_START, 77091, NEWLINE]
    assert ids[-(n + 1):-1] == answer_ids and ids[-1] == NEWLINE
    # Exactly the answer and its <|im_end|> are trained; system, user, the assistant header and the "\n" are not.
    assert labels == [IGNORE_INDEX] * (len(ids) - n - 1) + answer_ids + [IGNORE_INDEX]
    assert qwen_tok.decode([x for x in labels if x != IGNORE_INDEX]) == "Combination Long-haul Truck<|im_end|>"
    assert enc.attention_mask == [1] * len(ids)  # no padding here: the collator pads per batch


def test_column_answer_mask(qwen_tok):
    from emstd.prompts import column_messages

    mapping = {"time": "time_sec", "speed (mph)": "speed_kph"}
    enc = encode_example(column_messages(["time", "speed (mph)", "foo"], answer=mapping), qwen_tok, 512)
    kept = [x for x in enc.labels if x != IGNORE_INDEX]
    assert qwen_tok.decode(kept) == json.dumps(mapping, ensure_ascii=False) + "<|im_end|>"


def test_answer_cut_by_max_length_is_skipped_and_reported(qwen_tok, tmp_path):
    long_answer = "Passenger Car " * 20
    records = [record("[vehicle] car", "Passenger Car"), record("[vehicle] long", long_answer)]
    full = encode_example(records[0]["messages"], qwen_tok, 10_000)
    assert encode_example(records[0]["messages"], qwen_tok, len(full.input_ids) - 2) is None  # <|im_end|> cut
    # Only the trailing "\n" (masked) beyond max_length: kept, truncated.
    trimmed = encode_example(records[0]["messages"], qwen_tok, len(full.input_ids) - 1)
    assert trimmed is not None and trimmed.labels[-1] == IM_END

    ds, report = tokenize_dataset(records, qwen_tok, max_length=len(full.input_ids) + 2)
    assert len(ds) == 1 and (report.kept, report.skipped) == (1, 1)
    message = report.describe("train", 40)
    assert "skipped 1 of 2" in message and "[vehicle] long" in message


def test_padding_is_masked_by_position_even_when_pad_equals_eos(qwen_tok):
    tok = qwen_tok.__class__.from_pretrained(qwen_tok.name_or_path)
    tok.pad_token = "<|im_end|>"  # as in SmolLM2: pad == eos (the pitfall of trl#976)
    short = encode_example(record("[vehicle] a", "CO2")["messages"], tok, 256)
    long = encode_example(record("[vehicle] a much longer name here", "Passenger Car")["messages"], tok, 256)
    batch = make_collator(tok)([vars(short), vars(long)])
    n = len(short.input_ids)
    width = batch["input_ids"].shape[1]
    assert width == len(long.input_ids)  # padded to the longest in the batch, not to max_length
    assert batch["input_ids"][0, n:].tolist() == [IM_END] * (width - n)
    assert batch["labels"][0, n:].tolist() == [IGNORE_INDEX] * (width - n)
    assert batch["attention_mask"][0, n:].sum() == 0
    # The real <|im_end|> that closes the answer is still a target although it is the pad id.
    assert batch["labels"][0, n - 2].item() == IM_END


def test_read_records_reports_format_problems_with_line_numbers(tmp_path):
    good = record("[vehicle] car", "Passenger Car")
    bad_roles = {"messages": [good["messages"][1], good["messages"][0], good["messages"][2]]}
    path = tmp_path / "bad.jsonl"
    write_jsonl(path, [good, bad_roles, {"text": "x"}])
    with path.open("a") as f:
        f.write("{not json\n")
    with pytest.raises(DataFormatError) as err:
        read_records(path)
    text = str(err.value)
    assert "3 record(s)" in text and "line 2:" in text and "line 3:" in text and "line 4: not valid JSON" in text


def test_limit_takes_a_seeded_subset(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [record(f"[vehicle] {i}", "CO2") for i in range(50)])
    a = read_records(path, limit=10, seed=1)
    assert len(a) == 10 and a == read_records(path, limit=10, seed=1)
    assert a != read_records(path, limit=10, seed=2)
