"""The training config: one typed model, the single source of truth.

YAML loads into `TrainConfig`; `--set key=value` overrides are applied to the raw YAML first, so an override is
validated exactly like the file. Validation collects every problem before raising one `ConfigError`, each naming
the key and the fix. `training:` takes any transformers `TrainingArguments` field; we fill in our defaults so the
resolved config (saved as run_config.yaml) says everything the run used.
"""

from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from emstd.errors import ConfigError
from emstd.hf import BaseModelError, model_source
from emstd.io import read_yaml

LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

# Applied under the user's `training:` keys; the user's value always wins.
TRAINING_DEFAULTS: dict[str, Any] = {
    "report_to": "none",
    "logging_steps": 10,
    "save_strategy": "steps",
    "include_num_input_tokens_seen": "non_padding",  # tokens/s counts real tokens, not padding
    "remove_unused_columns": False,  # our mapped dataset holds only model inputs
    "ddp_find_unused_parameters": False,  # every trainable (adapter) weight is used in each forward
    "seed": 42,
}
# Set by `precision:` (and the device), not by hand: two sources of truth would disagree.
PRECISION_KEYS = {"fp16", "bf16", "half_precision_backend", "fp16_full_eval", "bf16_full_eval"}
# Names that moved in transformers 5 (or that the seed's docs use); a plain did-you-mean would miss these.
RENAMED = {
    "evaluation_strategy": "eval_strategy",
    "warmup_ratio": "warmup_steps (a value below 1 is a fraction of the total steps, e.g. warmup_steps: 0.1)",
    "overwrite_output_dir": "a new training.output_dir, or --resume to continue the old one",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoraSettings(_Strict):
    r: int = Field(16, gt=0)
    lora_alpha: float = Field(32, gt=0)
    target_modules: list[str] = Field(default_factory=lambda: list(LORA_TARGETS), min_length=1)
    lora_dropout: float = Field(0.05, ge=0, lt=1)
    bias: Literal["none", "all", "lora_only"] = "none"
    task_type: Literal["CAUSAL_LM"] = "CAUSAL_LM"


class PrefixSettings(_Strict):
    num_virtual_tokens: int = Field(20, gt=0)


class DataSettings(_Strict):
    train_file: Path
    eval_file: Path | None = None
    max_length: int = Field(256, gt=8)
    # Seeded random subsets (a short CPU schedule evaluates on a few hundred examples, not the whole split).
    train_limit: int | None = Field(None, gt=0)
    eval_limit: int | None = Field(None, gt=0)


class TrainConfig(_Strict):
    task: Literal["unified", "column"] = Field(description="which adapter this run trains (its data and prompts)")
    base_model: str = Field(description="hub id, local directory, or package:NAME (an installed package's dir)")
    gguf_file: str | None = None
    method: Literal["lora", "qlora", "full", "prefix"] = "lora"
    quantization: Literal["none", "4bit"] = "none"
    precision: Literal["fp16", "bf16", "auto", "fp32"] = "auto"
    lora: LoraSettings = Field(default_factory=LoraSettings)
    prefix: PrefixSettings = Field(default_factory=PrefixSettings)
    training: dict[str, Any] = Field(default_factory=dict)
    data: DataSettings

    @property
    def uses_4bit(self) -> bool:
        return self.method == "qlora" or self.quantization == "4bit"

    @property
    def output_dir(self) -> Path:
        return Path(self.training["output_dir"])

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


# --- loading ----------------------------------------------------------------------------------------------------


def load_config(path: str | Path, overrides: list[str] = (), check_files: bool = True) -> TrainConfig:
    """Read a YAML config, apply `key=value` overrides, validate; raise ConfigError listing every problem."""
    path = Path(path)
    raw = read_yaml(path, "give a YAML config such as configs/unified_lora.yaml") or {}
    if not isinstance(raw, dict):
        raise ConfigError(str(path), ["the top level must be a mapping (base_model:, lora:, training:, data:)"])
    return config_from_dict(raw, source=str(path), overrides=overrides, check_files=check_files,
                            default_name=path.stem)


def config_from_dict(raw: dict, source: str = "<config>", overrides: list[str] = (), check_files: bool = True,
                     default_name: str = "run") -> TrainConfig:
    raw = _deepcopy(raw)
    problems: list[str] = []
    for item in overrides:
        problem = apply_override(raw, item)
        if problem:
            problems.append(problem)
    training = raw.get("training") or {}
    if isinstance(training, dict):
        training = {**TRAINING_DEFAULTS, **training}
        training.setdefault("output_dir", str(Path("runs") / default_name))
        data = raw.get("data")
        if isinstance(data, dict) and data.get("eval_file") and "eval_strategy" not in training:
            # Evaluate on the checkpoint schedule when there is eval data: best-model selection needs both.
            training["eval_strategy"] = training.get("save_strategy", "steps")
        raw["training"] = training
        problems += _check_training(training)  # checked even when another section is broken
    cfg = None
    try:
        cfg = TrainConfig.model_validate(raw)
    except ValidationError as exc:
        problems += [_describe(err) for err in exc.errors()]
    if cfg is not None:
        problems += _check_cross(cfg, check_files)
    if problems:
        raise ConfigError(source, problems)
    return cfg


def apply_override(raw: dict, item: str) -> str | None:
    """`training.max_steps=4` -> raw["training"]["max_steps"] = 4 (the value parsed as a YAML scalar)."""
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        return f"--set {item!r}: write KEY=VALUE, e.g. --set training.max_steps=4"
    parts = key.strip().split(".")
    node = raw
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    try:
        node[parts[-1]] = yaml.safe_load(value)
    except yaml.YAMLError:
        node[parts[-1]] = value
    return None


def _deepcopy(obj):
    if isinstance(obj, dict):
        return {k: _deepcopy(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_deepcopy(v) for v in obj]
    return obj


_SECTIONS = {"": TrainConfig, "lora": LoraSettings, "prefix": PrefixSettings, "data": DataSettings}


def _describe(err: dict) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        parent = ".".join(str(p) for p in err["loc"][:-1])
        model = _SECTIONS.get(parent)
        known = list(model.model_fields) if model else []
        return f"{loc}: unknown key{_suggest(str(err['loc'][-1]), known)}"
    if err["type"] == "missing":
        return f"{loc}: required; add it to the config"
    return f"{loc}: {err['msg']} (got {err.get('input')!r})"


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; known keys: {', '.join(known)}" if len(known) <= 12 else ""


def training_argument_fields() -> dict:
    import dataclasses

    from transformers import TrainingArguments

    return {f.name: f for f in dataclasses.fields(TrainingArguments) if f.init}


def _check_training(t: dict) -> list[str]:
    fields = training_argument_fields()
    problems = []
    for key, value in t.items():
        if key in RENAMED:
            problems.append(f"training.{key}: not a TrainingArguments field in transformers 5; use {RENAMED[key]}")
        elif key in PRECISION_KEYS:
            problems.append(f"training.{key}: set by the top-level `precision:` (fp16|bf16|auto|fp32); remove it")
        elif key not in fields:
            problems.append(f"training.{key}: not a transformers TrainingArguments field{_suggest(key, list(fields))}")
        else:
            problem = _check_type(key, value, fields[key]) or _check_range(key, value, fields[key])
            if problem:
                problems.append(problem)
    if problems:
        return problems

    if t.get("load_best_model_at_end"):
        ev, sv = str(t.get("eval_strategy", "no")), str(t.get("save_strategy", "steps"))
        if ev != sv:
            problems.append(
                f"training.load_best_model_at_end needs eval_strategy == save_strategy (got {ev!r} and {sv!r}); "
                f"set training.eval_strategy: {sv}"
            )
        elif sv == "steps":
            es, ss = t.get("eval_steps") or t.get("logging_steps"), t.get("save_steps", 500)
            if es and ss and (ss < 1) == (es < 1) and abs(ss / es - round(ss / es)) > 1e-9:
                problems.append(
                    f"training.save_steps ({ss}) must be a multiple of training.eval_steps ({es}) with "
                    f"load_best_model_at_end, or the best checkpoint may not be saved; e.g. save_steps: {es * max(1, round(ss / es))}"
                )
        mfb = t.get("metric_for_best_model")
        if mfb not in (None, "loss", "eval_loss") and "greater_is_better" not in t:
            problems.append(f"training.metric_for_best_model {mfb!r}: also set training.greater_is_better")
    return problems


# Values a TrainingArguments number cannot take and still mean something: (test, what it must be). Checked with the
# rest of the config, so `learning_rate: 0` or `max_steps: -5` is refused before any model loads.
RANGES: dict[str, tuple[Any, str]] = {
    "learning_rate": (lambda v: v > 0, "above 0, e.g. 2.0e-4"),
    "num_train_epochs": (lambda v: v > 0, "above 0"),
    "max_steps": (lambda v: v > 0 or v == -1, "a number of steps above 0, or -1 to train num_train_epochs"),
    "per_device_train_batch_size": (lambda v: v >= 1, "1 or more"),
    "per_device_eval_batch_size": (lambda v: v >= 1, "1 or more"),
    "gradient_accumulation_steps": (lambda v: v >= 1, "1 or more"),
    "logging_steps": (lambda v: v > 0, "above 0 (below 1: a fraction of the total steps)"),
    "eval_steps": (lambda v: v > 0, "above 0 (below 1: a fraction of the total steps)"),
    "save_steps": (lambda v: v > 0, "above 0 (below 1: a fraction of the total steps)"),
    "warmup_steps": (lambda v: v >= 0, "0 or more (below 1: a fraction of the total steps)"),
    "weight_decay": (lambda v: v >= 0, "0 or more"),
    "max_grad_norm": (lambda v: v >= 0, "0 or more"),
    "adam_beta1": (lambda v: 0 <= v < 1, "from 0 up to (not including) 1"),
    "adam_beta2": (lambda v: 0 <= v < 1, "from 0 up to (not including) 1"),
    "adam_epsilon": (lambda v: v > 0, "above 0"),
    "save_total_limit": (lambda v: v >= 1, "1 or more (leave it out to keep every checkpoint)"),
    "dataloader_num_workers": (lambda v: v >= 0, "0 or more"),
    "eval_delay": (lambda v: v >= 0, "0 or more"),
    "seed": (lambda v: 0 <= v < 2**32, "a whole number from 0 to 4294967295"),
    "data_seed": (lambda v: 0 <= v < 2**32, "a whole number from 0 to 4294967295"),
}


def _check_range(key: str, value, field) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value):
        return f"training.{key}: must be a finite number, got {value!r}"
    if isinstance(value, float) and field.type in (int, "int", int | None, "int | None"):
        return f"training.{key}: expected a whole number, got {value!r}"
    rule = RANGES.get(key)
    if rule and not rule[0](value):
        return f"training.{key}: must be {rule[1]}, got {value!r}"
    return None


def _check_type(key: str, value, field) -> str | None:
    # PyYAML reads `2e-4` (no dot) as a string; catch that and other type slips here, with the key named.
    default = field.default
    if isinstance(default, bool):
        if not isinstance(value, bool):
            return f"training.{key}: expected true or false, got {value!r}"
    elif isinstance(default, (int, float)) and not isinstance(value, bool):
        if isinstance(value, (int, float)):
            return None
        try:
            float(str(value))
        except ValueError:
            return f"training.{key}: expected a number, got {value!r}"
        return f"training.{key}: {value!r} is a string (YAML reads 2e-4 as text); write it with a dot: 2.0e-4"
    return None


def _check_cross(cfg: TrainConfig, check_files: bool) -> list[str]:
    problems = []
    t = cfg.training
    if cfg.quantization == "4bit" and cfg.method in ("full", "prefix"):
        problems.append(f"quantization: 4bit trains LoRA adapters on a frozen 4-bit base; set method: qlora "
                        f"(not {cfg.method}) or quantization: none")
    if str(t.get("eval_strategy", "no")) != "no" and cfg.data.eval_file is None:
        problems.append("data.eval_file: required when training.eval_strategy is not 'no' "
                        "(evaluation and best-checkpoint selection need it)")
    try:  # a package not installed, a local directory missing or holding no model: caught before any loading
        model_source(cfg.base_model, cfg.gguf_file)
    except BaseModelError as exc:
        problems.append(f"base_model: {exc.reason}")
    if check_files:
        for key in ("train_file", "eval_file"):
            p = getattr(cfg.data, key)
            if p is not None and not p.exists():
                problems.append(f"data.{key}: {p} does not exist; build the data with `emstd data build --out {p.parent}`")
    return problems
