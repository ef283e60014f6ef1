from emstd.data.qwen_tokenizer import FIRST_SPECIAL_ID, QWEN_DEFAULT_SYSTEM, load_qwen25_tokenizer


def test_ids_match_qwen25():
    tok = load_qwen25_tokenizer()
    assert tok("Hello, world", add_special_tokens=False)["input_ids"] == [9707, 11, 1879]
    assert tok("你好", add_special_tokens=False)["input_ids"] == [108386]


def test_special_tokens():
    tok = load_qwen25_tokenizer()
    ids = tok.convert_tokens_to_ids(["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
    assert ids == [FIRST_SPECIAL_ID, 151644, 151645]
    assert tok.pad_token_id == 151643 and tok.eos_token_id == 151645
    assert len(tok) == 151665
    # special tokens are atomic in text
    assert tok("<|im_start|>user", add_special_tokens=False)["input_ids"][0] == 151644


def test_digits_split_one_by_one():
    tok = load_qwen25_tokenizer()
    assert tok("2024", add_special_tokens=False)["input_ids"] == [17, 15, 17, 19]


def test_chat_template_is_chatml_with_default_system():
    tok = load_qwen25_tokenizer()
    text = tok.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False, add_generation_prompt=True)
    assert text == (
        f"<|im_start|>system\n{QWEN_DEFAULT_SYSTEM}<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
    )
    explicit = tok.apply_chat_template(
        [{"role": "system", "content": "S"}, {"role": "user", "content": "u"}, {"role": "assistant", "content": "a"}],
        tokenize=False,
    )
    assert explicit == "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nu<|im_end|>\n<|im_start|>assistant\na<|im_end|>\n"
