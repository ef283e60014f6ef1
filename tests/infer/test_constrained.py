from emstd.catalog import load_catalog
from emstd.data.qwen_tokenizer import load_qwen25_tokenizer
from emstd.infer.constrained import AnswerTrie, answer_token_ids
from emstd.prompts import unified_messages


def test_answer_tokens_match_the_training_tokenization():
    """The trie's token ids for an answer are exactly the ids the answer has inside a training conversation."""
    tok = load_qwen25_tokenizer()
    for task in ("vehicle", "pollutant"):
        for answer in load_catalog().answer_set(task):
            prompt = tok.apply_chat_template(unified_messages(task, "x"), tokenize=False, add_generation_prompt=True)
            full = tok.apply_chat_template(unified_messages(task, "x", answer), tokenize=False)
            prompt_ids = tok(prompt, add_special_tokens=False)["input_ids"]
            full_ids = tok(full, add_special_tokens=False)["input_ids"]
            assert full_ids[: len(prompt_ids)] == prompt_ids
            assert full_ids[len(prompt_ids):] == answer_token_ids(tok, answer) + [151645] + tok("\n")["input_ids"]


def test_trie_walk():
    tok = load_qwen25_tokenizer()
    labels = load_catalog().answer_set("vehicle")
    trie = AnswerTrie(tok, labels, 151645)
    ids = answer_token_ids(tok, "Passenger Truck") + [151645]
    first = trie.allowed([])
    assert ids[0] in first and len(first) < len(labels)
    for i in range(len(ids)):
        assert ids[i] in trie.allowed(ids[:i])
    assert trie.answer_of(ids) == "Passenger Truck"
    assert trie.answer_of(answer_token_ids(tok, "Passenger")) is None
    assert trie.allowed([999999]) == [151645]
