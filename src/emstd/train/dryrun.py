"""`emstd train CONFIG --dry-run`: what a run would train, and what it would cost, without downloading anything.

The model is built on the meta device (shapes, no memory) from its config: for Qwen/Qwen2.5-3B-Instruct from the
config shipped in this package (qwen2.5-3b-instruct.json, a fact), for a local directory or GGUF file from its own
config. The training method is attached exactly as in a real run, so the parameter counts are the real ones.
The memory formula is explained in docs/training.md ("Memory estimate").
"""

from __future__ import annotations

import json
import math
import os
from importlib import resources
from pathlib import Path

from emstd.errors import EmstdError
from emstd.defaults import DEFAULT_BASE_MODEL
from emstd.hf import resolve_local_dir
from emstd.train.config import TrainConfig

GIB = 2**30
MIB = 2**20


def model_config(cfg: TrainConfig):
    """(config, where it came from), never touching the network."""
    from transformers import AutoConfig

    if cfg.base_model.lower() == DEFAULT_BASE_MODEL.lower():
        data = json.loads(resources.files("emstd.train").joinpath("qwen2.5-3b-instruct.json").read_text())
        return AutoConfig.for_model(**data), f"the shipped {DEFAULT_BASE_MODEL} config"
    local = resolve_local_dir(cfg.base_model)
    kwargs = {"gguf_file": cfg.gguf_file} if cfg.gguf_file else {}
    if local is not None:
        return AutoConfig.from_pretrained(str(local), **kwargs), f"{local / (cfg.gguf_file or 'config.json')}"
    try:
        return AutoConfig.from_pretrained(cfg.base_model, local_files_only=True, **kwargs), "the local HF cache"
    except OSError as exc:
        raise EmstdError(f"--dry-run downloads nothing, and the config of {cfg.base_model!r} is not cached locally; "
                         "run once with network access or point base_model at a local directory") from exc


def dry_run(cfg: TrainConfig) -> dict:
    import torch
    from transformers import AutoModelForCausalLM

    from emstd.train.model import adapt_to_method, attach_method, count_parameters

    notes = adapt_to_method(cfg)  # as the real run would (e.g. no checkpointing for prefix tuning)
    config, origin = model_config(cfg)
    if getattr(config, "quantization_config", None) is not None:
        del config.quantization_config  # a GGUF file is dequantized on load; its config carries a marker only
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
        base_total = count_parameters(model)[1]
        linear_params = sum(m.weight.numel() for n, m in model.named_modules()
                            if isinstance(m, torch.nn.Linear) and "lm_head" not in n)
        model = attach_method(model, cfg)
    trainable, with_adapter = count_parameters(model)
    if cfg.method == "full":
        trainable = base_total

    info = {"trainable": trainable, "base_total": base_total, "with_adapter": with_adapter,
            "percent": 100.0 * trainable / base_total}
    lines = [f"dry run ({cfg.base_model}; model built on the meta device from {origin}; nothing downloaded)"]
    lines.append(
        f"model: {config.model_type}, {config.num_hidden_layers} layers, hidden {config.hidden_size}, "
        f"intermediate {config.intermediate_size}, {config.num_attention_heads} heads / "
        f"{getattr(config, 'num_key_value_heads', config.num_attention_heads)} KV heads, vocab {config.vocab_size:,}, "
        f"tied embeddings: {bool(getattr(config, 'tie_word_embeddings', False))}"
    )
    lines.append(f"method: {_describe_method(cfg)}")
    lines += [f"note: {n}" for n in notes]
    lines.append(f"trainable parameters: {trainable:,} of {base_total:,} ({info['percent']:.4f}%)"
                 + (f"; {with_adapter:,} with the adapter" if with_adapter != base_total else ""))
    if cfg.method != "full":
        lines.append(f"adapter size: {trainable * 4 / MIB:.1f} MiB fp32 (as trained and saved), "
                     f"{trainable * 2 / MIB:.1f} MiB fp16")
    steps = schedule(cfg)
    info.update(steps)
    lines += steps["lines"]
    mem = memory_estimate(cfg, config, base_total, linear_params, trainable)
    info["memory"] = mem
    lines += mem["lines"]
    info["text"] = "\n".join(lines)
    return info


def _describe_method(cfg: TrainConfig) -> str:
    if cfg.method == "full":
        return "full fine-tuning (every weight trained)"
    if cfg.method == "prefix":
        return f"prefix tuning, {cfg.prefix.num_virtual_tokens} virtual tokens"
    q = "QLoRA (4-bit nf4 base), " if cfg.uses_4bit else ""
    lc = cfg.lora
    return (f"{q}LoRA r={lc.r} alpha={lc.lora_alpha:g} dropout={lc.lora_dropout:g} on "
            f"{', '.join(lc.target_modules)}")


def _count_lines(path: Path) -> int:
    with open(path, encoding="utf-8") as f:
        return sum(1 for line in f if line.strip())


def schedule(cfg: TrainConfig) -> dict:
    """Steps per epoch, total and warmup steps, computed as transformers' Trainer computes them."""
    t = cfg.training
    bs = int(t.get("per_device_train_batch_size", 8))
    acc = int(t.get("gradient_accumulation_steps", 1))
    world = int(os.environ.get("WORLD_SIZE", 1))
    epochs = float(t.get("num_train_epochs", 3.0))
    max_steps = int(t.get("max_steps", -1))
    warm = float(t.get("warmup_steps", 0))
    path = cfg.data.train_file
    head = f"schedule: batch {bs} x {acc} accumulation x {world} device(s) = effective batch {bs * acc * world}"
    if not path.exists():
        return {"examples": None, "lines": [head, f"data: {path} does not exist, so steps per epoch are unknown; "
                                            f"build it with `emstd data build --out {path.parent}`"]}
    n = _count_lines(path)
    if cfg.data.train_limit:
        n = min(n, cfg.data.train_limit)
    batches = math.ceil(n / (bs * world))
    per_epoch = max(batches // acc + int(batches % acc > 0), 1)
    total = max_steps if max_steps > 0 else math.ceil(epochs * per_epoch)
    warmup = int(warm) if warm >= 1 else math.ceil(total * warm)
    how = f"max_steps {max_steps}" if max_steps > 0 else f"{epochs:g} epochs"
    lines = [head, f"data: {n:,} training examples in {path} (before dropping any whose answer exceeds "
                   f"max_length {cfg.data.max_length})",
             f"steps per epoch: {per_epoch:,}; total steps: {total:,} ({how}); warmup steps: {warmup:,}"]
    return {"examples": n, "steps_per_epoch": per_epoch, "total_steps": total, "warmup_steps": warmup,
            "lines": lines}


def memory_estimate(cfg: TrainConfig, config, base_total: int, linear_params: int, trainable: int) -> dict:
    """GPU memory for one training step, in bytes, by part (see docs/training.md for the formula)."""
    half = 4 if cfg.precision == "fp32" else 2  # `auto` is bf16 or fp16: 2 bytes either way
    t = cfg.training
    b = int(t.get("per_device_train_batch_size", 8))
    s = cfg.data.max_length  # an upper bound: batches are padded to their longest example only
    h, i, L, V = config.hidden_size, config.intermediate_size, config.num_hidden_layers, config.vocab_size
    heads = config.num_attention_heads
    head_dim = getattr(config, "head_dim", None) or h // heads
    kv = (getattr(config, "num_key_value_heads", None) or heads) * head_dim
    ckpt = bool(t.get("activation_checkpointing") or t.get("gradient_checkpointing"))

    if cfg.method == "full":
        weights = base_total * 4  # fp32 master weights (AMP computes in half)
    elif cfg.uses_4bit:
        # nf4: 4 bits per linear weight plus ~0.127 bits of double-quantized scales; the rest stays in half.
        weights = linear_params * (4 + 0.127) / 8 + (base_total - linear_params) * half
    else:
        weights = base_total * half
    adapter = trainable * 4 if cfg.method != "full" else 0  # trainable weights kept in fp32
    grads = trainable * 4
    optimizer = trainable * 8  # AdamW: exp_avg and exp_avg_sq, fp32

    # Tensors autograd keeps per token in one decoder layer: the norms' inputs and outputs, q and attention output,
    # k and v, the o_proj/residual outputs (~10h), and the MLP's gate, up, act(gate), act(gate)*up (4i). LoRA with
    # dropout keeps one dropped copy of each adapted layer's input.
    per_token = 10 * h + 2 * kv + 4 * i
    if cfg.method in ("lora", "qlora") and cfg.lora.lora_dropout > 0:
        ins = {"q_proj": h, "k_proj": h, "v_proj": h, "o_proj": h, "gate_proj": h, "up_proj": h, "down_proj": i}
        per_token += sum(ins.get(m, h) for m in cfg.lora.target_modules)
    layer = b * s * per_token * half
    acts = (L * b * s * h * half + layer) if ckpt else L * layer  # checkpointing keeps only each layer's input
    logits = b * s * V * (half + 4 + 4)  # logits, their fp32 upcast for the loss, and its gradient
    total = weights + adapter + grads + optimizer + acts + logits
    rows = [("weights", weights, f"{base_total:,} params"), ("adapter", adapter, "fp32"),
            ("gradients", grads, "fp32, trainable only"), ("optimizer", optimizer, "AdamW, 2 fp32 states"),
            ("activations", acts, f"batch {b} x {s} tokens, checkpointing {'on' if ckpt else 'off'}"),
            ("logits+loss", logits, f"{b}x{s}x{V:,} x ({half}+4+4 bytes)")]
    lines = [f"GPU memory estimate per device (precision {cfg.precision}; an upper bound for max-length batches):"]
    lines += [f"  {name:<12} {val / GIB:7.2f} GiB  ({note})" for name, val, note in rows]
    lines.append(f"  {'total':<12} {total / GIB:7.2f} GiB  (+ ~0.5-1 GiB CUDA context and allocator slack)")
    return {"weights": weights, "adapter": adapter, "gradients": grads, "optimizer": optimizer,
            "activations": acts, "logits": logits, "total": total, "lines": lines}
