import json
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_tiny_model_command_writes_a_loadable_model(tmp_path):
    out = tmp_path / "tiny"
    r = subprocess.run([sys.executable, "-m", "emstd.cli", "dev", "tiny-model", "--out", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    config = json.loads((out / "config.json").read_text())
    assert config["model_type"] == "qwen2" and config["hidden_size"] == 64 and config["vocab_size"] == 151936
    assert config["tie_word_embeddings"] is True

    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(out)
    model = AutoModelForCausalLM.from_pretrained(out)
    assert tok("你好", add_special_tokens=False)["input_ids"] == [108386]
    assert sum(p.numel() for p in model.parameters()) < 11_000_000
    assert "<|im_start|>system" in tok.apply_chat_template([{"role": "user", "content": "x"}], tokenize=False)
