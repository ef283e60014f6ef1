"""Load the base model and tokenizer (through emstd.hf, shared with inference), pick the precision, and attach the
training method (LoRA, QLoRA, full, prefix tuning)."""

from __future__ import annotations

from dataclasses import dataclass

from emstd.errors import EmstdError
from emstd.train.config import TrainConfig


class DeviceError(EmstdError):
    """The config asks for something this machine cannot do (e.g. QLoRA without CUDA)."""


@dataclass
class Precision:
    name: str  # fp16 | bf16 | fp32: what actually runs
    notice: str | None = None  # one line for the user when it differs from the config

    @property
    def training_flags(self) -> dict:
        return {"fp16": self.name == "fp16", "bf16": self.name == "bf16"}

    def torch_dtype(self):
        from emstd.hf import torch_dtype

        return torch_dtype(self.name)


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def resolve_precision(cfg: TrainConfig) -> Precision:
    import torch

    wanted = cfg.precision
    if not cuda_available() or cfg.training.get("use_cpu"):
        if wanted == "fp32":
            return Precision("fp32")
        return Precision("fp32", f"precision: {wanted} asked, but there is no CUDA GPU: training in fp32 on CPU")
    if wanted == "auto":
        return Precision("bf16" if torch.cuda.is_bf16_supported() else "fp16")
    if wanted == "bf16" and not torch.cuda.is_bf16_supported():
        raise DeviceError("precision: bf16 needs an Ampere or newer GPU; use precision: fp16 or auto")
    return Precision(wanted)


def load_tokenizer(cfg: TrainConfig):
    """The base model's tokenizer, padding on the right (training; batched generation pads on the left)."""
    from emstd.hf import load_tokenizer as load

    return load(cfg.base_model, cfg.gguf_file, padding_side="right")


def load_base_model(cfg: TrainConfig, precision: Precision):
    from emstd.hf import load_causal_lm

    # Full fine-tuning keeps fp32 master weights (AMP computes in half): fp16 trainable weights break the grad
    # scaler ("Attempting to unscale FP16 gradients", peft#341). Frozen LoRA bases can live in half precision.
    kwargs = {"dtype": precision.torch_dtype() if cfg.method != "full" else "float32"}
    if cfg.uses_4bit:
        kwargs["quantization_config"] = _bnb_config(precision)
        kwargs["device_map"] = {"": _local_rank()}
    return load_causal_lm(cfg.base_model, cfg.gguf_file, **kwargs)


def _local_rank() -> int:
    import os

    return int(os.environ.get("LOCAL_RANK", 0))


def _bnb_config(precision: Precision):
    import importlib.util

    if not cuda_available():
        raise DeviceError("QLoRA (method: qlora / quantization: 4bit) needs a CUDA GPU (bitsandbytes nf4); "
                          "on this machine use method: lora")
    if importlib.util.find_spec("bitsandbytes") is None:
        raise DeviceError("QLoRA needs bitsandbytes: pip install bitsandbytes")
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                              bnb_4bit_compute_dtype=precision.torch_dtype())


def adapt_to_method(cfg: TrainConfig) -> list[str]:
    """Switch off what a method cannot use (in cfg.training, so run_config.yaml records it); say what changed."""
    notes = []
    t = cfg.training
    if cfg.method == "prefix":
        # Prefix tuning feeds its learned keys/values through the KV cache, which checkpointed layers drop.
        for key in ("activation_checkpointing", "gradient_checkpointing"):
            if t.get(key):
                t[key] = False
                notes.append(f"method: prefix cannot use training.{key}: turned off")
        # Re-loading a prompt-learning adapter into the live model fails (peft#2256); final/ is copied from the
        # best checkpoint anyway, which metric_for_best_model alone keeps track of.
        if t.get("load_best_model_at_end"):
            t["load_best_model_at_end"] = False
            t.setdefault("metric_for_best_model", "eval_loss")
            notes.append("method: prefix: final/ is copied from the best checkpoint instead of "
                         "load_best_model_at_end (peft#2256)")
    return notes


def attach_method(model, cfg: TrainConfig):
    """Wrap the base model for the configured method; trainable weights end up fp32 (peft#341)."""
    import warnings

    import torch
    from peft import LoraConfig, PrefixTuningConfig, get_peft_model, prepare_model_for_kbit_training

    if cfg.method == "full":
        model.requires_grad_(True)
        return model
    if cfg.uses_4bit:
        model = prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=bool(cfg.training.get("activation_checkpointing")
                                                   or cfg.training.get("gradient_checkpointing")),
            gradient_checkpointing_kwargs={"use_reentrant": False},
        )
    if cfg.method == "prefix":
        peft_cfg = PrefixTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=cfg.prefix.num_virtual_tokens)
    else:
        peft_cfg = LoraConfig(**cfg.lora.model_dump())
    with warnings.catch_warnings():
        # peft 0.21 still reads the deprecated `is_gradient_checkpointing` of transformers 5: not our warning.
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
        model = get_peft_model(model, peft_cfg, autocast_adapter_dtype=True)
    for p in model.parameters():
        if p.requires_grad and p.dtype != torch.float32:
            p.data = p.data.float()
    return model


def count_parameters(model) -> tuple[int, int]:
    """(trainable, all) over unique parameters (tied embeddings counted once)."""
    trainable = total = 0
    for p in model.parameters():
        n = p.numel()
        total += n
        if p.requires_grad:
            trainable += n
    return trainable, total
