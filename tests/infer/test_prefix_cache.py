"""The shared-prefix KV cache (emstd.infer.prefix_cache): the same answers and confidences as whole prompts."""

import pytest

from emstd.data.retrieval import Candidate, Retrieved
from emstd.infer.local import LocalBackend
from emstd.infer.prefix_cache import common_prefix_ids
from emstd.prompts import unified_messages

# Names of very different lengths (left padding inside a batch), scripts and first characters.
VALUES = ["NOx", "重型柴油货车（国六，半挂牵引）", "x", "Passenger car, gasoline, Euro 6d-TEMP, 1.4-2.0 l", "PM2.5",
          "(bus)", "12t truck", " leading space", "二氧化碳", "motorcycle > 50 cm3, 4-stroke"]
CANDIDATES = [("Passenger Car", "passenger car"), (None, "total hydrocarbons"), ("Transit Bus", "城市公交车")]


def retrieved(n):
    return [Retrieved(tuple(Candidate(label, alias, 0.5) for label, alias in CANDIDATES[: 1 + i % 3]), 0.5)
            for i in range(n)]


def make_backend(tiny_model_dir, tiny_adapters):
    b = LocalBackend(str(tiny_model_dir), str(tiny_adapters["unified"]), str(tiny_adapters["column"]), batch_size=4)
    b.column_max_new_tokens = 12
    return b


@pytest.fixture(scope="module")
def backend(tiny_model_dir, tiny_adapters):
    return make_backend(tiny_model_dir, tiny_adapters)


def answers(backend, task, share: bool):
    backend.share_prefix = share
    try:
        return [(a.standard, a.confidence) for a in backend.standardize_values(VALUES, task, retrieved(len(VALUES)))]
    finally:
        backend.share_prefix = True


def assert_same(cached, whole):
    assert [a for a, _ in cached] == [a for a, _ in whole]
    for (_, c), (_, w) in zip(cached, whole):
        assert c == pytest.approx(w, abs=1.1e-4)  # rounded to 4 decimals on both sides


def test_cached_prefix_answers_equal_whole_prompts(backend):
    for task in ("vehicle", "pollutant"):
        cached, whole = answers(backend, task, True), answers(backend, task, False)
        assert_same(cached, whole)
        assert len(set(cached)) > 1  # a random model still spreads its answers: the comparison means something
    assert {k for _, k in backend.prefixes._prefixes} >= {"unified:vehicle", "unified:pollutant"}


def test_prefix_is_recomputed_after_an_adapter_switch(tiny_model_dir, tiny_adapters):
    backend = make_backend(tiny_model_dir, tiny_adapters)  # its own: the test swaps adapters
    before = answers(backend, "vehicle", True)
    backend.map_columns(["time", "speed"])  # switches to the column adapter and back
    assert_same(answers(backend, "vehicle", True), before)
    backend.swap_adapter("unified", str(tiny_adapters["column"]))  # other weights play the unified role now
    after, whole = answers(backend, "vehicle", True), answers(backend, "vehicle", False)
    assert_same(after, whole)
    assert after != before
    assert "unified" not in {adapter for adapter, _ in backend.prefixes._prefixes}  # the old one is forgotten
    backend.zero_shot = True  # adapters disabled: the base model's own prefix
    assert_same(answers(backend, "vehicle", True), answers(backend, "vehicle", False))
    assert None in {adapter for adapter, _ in backend.prefixes._prefixes}


def test_prompts_that_do_not_start_with_the_prefix_run_whole(backend, monkeypatch):
    """A prompt whose tokens merge with the prefix is answered from its whole prompt, in the same call."""
    tok = backend.tokenizer
    whole = answers(backend, "vehicle", False)
    real = common_prefix_ids(tok, lambda v: backend._render(unified_messages("vehicle", v)))
    longer = real + tok(" x", add_special_tokens=False)["input_ids"][:1]  # only the value "x" starts like this
    monkeypatch.setitem(backend.prefixes._ids, "unified:vehicle", longer)
    monkeypatch.setattr(backend.prefixes, "_prefixes", {})
    calls = []
    import emstd.infer.local as local

    original = local.constrained_generate
    monkeypatch.setattr(local, "constrained_generate", lambda m, t, prompts, *a: calls.append(len(prompts))
                        or original(m, t, prompts, *a))
    assert_same(answers(backend, "vehicle", True), whole)
    assert calls == [len(VALUES) - 1]


def test_column_answer_equals_the_whole_prompt(backend, monkeypatch):
    headers = ["time (s)", "速度 km/h", "a", "veh_type"]
    cached = backend._generate_column(headers, {"a": [1, 2]})
    monkeypatch.setattr(backend, "share_prefix", False)
    whole = backend._generate_column(headers, {"a": [1, 2]})
    assert cached[0] == whole[0] and cached[0]
    assert cached[1] == pytest.approx(whole[1], abs=1.1e-4)
    assert ("column", "column") in backend.prefixes._prefixes


def test_common_prefix_ends_before_the_input(tiny_model_dir):
    from emstd.hf import load_tokenizer

    tok = load_tokenizer(str(tiny_model_dir))
    render = lambda v: tok.apply_chat_template(unified_messages("pollutant", v), tokenize=False,
                                               add_generation_prompt=True)
    ids = common_prefix_ids(tok, render)
    assert tok.decode(ids).endswith("<|im_start|>user\n[pollutant]")
    for value in VALUES:
        assert tok(render(value), add_special_tokens=False)["input_ids"][: len(ids)] == ids


def test_model_calls_run_on_the_backend_threads(backend, monkeypatch):
    import torch

    before = torch.get_num_threads()
    monkeypatch.setattr(backend, "threads", before + 1)
    seen = []
    original = backend._constrained
    monkeypatch.setattr(backend, "_constrained", lambda p, t: seen.append(torch.get_num_threads()) or original(p, t))
    backend.standardize_values(["NOx"], "pollutant")
    assert seen == [before + 1] and torch.get_num_threads() == before


def test_threads_from_the_environment(monkeypatch):
    from emstd.defaults import LOCAL_CPU_THREADS
    from emstd.errors import EmstdError
    from emstd.infer.local import cpu_threads

    monkeypatch.setenv("EMSTD_TORCH_THREADS", "3")
    assert cpu_threads() == 3
    monkeypatch.setenv("EMSTD_TORCH_THREADS", "0")
    assert cpu_threads() is None  # torch's default
    monkeypatch.setenv("EMSTD_TORCH_THREADS", "two")
    with pytest.raises(EmstdError, match="EMSTD_TORCH_THREADS='two': give a whole number"):
        cpu_threads()
    monkeypatch.delenv("EMSTD_TORCH_THREADS")
    assert cpu_threads() == LOCAL_CPU_THREADS
