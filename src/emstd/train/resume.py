"""What a run dir allows: a fresh run, a resume from its latest complete checkpoint, or nothing (finished).

Read-only: `plan_run` looks at the run dir and decides before the model loads or anything is written, and raises
an EmstdError saying how to proceed when the run cannot go on as asked. docs/training.md, "Resume", has the rules.
- A checkpoint is complete when every file the Trainer writes for this run's method is there and whole (it writes
  trainer_state.json last; weights are checked against their safetensors header, torch files as zip archives). A
  kill during a save leaves an incomplete one, which resume skips.
- A run is finished when final/ exists or its latest checkpoint reached max_steps: resuming it is a no-op.
- Resuming compares the config with the run's run_config.yaml (read back through TrainConfig): keys that change
  what the run learns are refused, each named with both values; the others (RESUME_MAY_CHANGE) are allowed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from emstd.errors import ConfigError, EmstdError, OutputError
from emstd.io import check_writable, marker_owner
from emstd.train.config import TrainConfig, load_config, training_argument_fields

OWNER = "train"  # the run dir's marker names this command
RUN_CONFIG = "run_config.yaml"
TRAINER_STATE = "trainer_state.json"
# What a checkpoint holds besides the weights: needed to resume, not to use the adapter.
STATE_FILES = ("trainer_state.json", "training_args.bin", "optimizer.pt", "scheduler.pt")
WEIGHTS = {"lora": ("adapter_config.json", "adapter_model.safetensors"),
           "qlora": ("adapter_config.json", "adapter_model.safetensors"),
           "prefix": ("adapter_config.json", "adapter_model.safetensors"),
           "full": ("config.json",)}  # plus model.safetensors, or its index and every shard it names
TOKENIZER = "tokenizer_config.json"  # the Trainer saves the tokenizer (processing_class) with the weights

# training: keys that change how a run is watched, evaluated, saved or fed, not what it learns. They may differ on
# --resume (the new values apply from there on). Everything else is refused.
RESUME_MAY_CHANGE = {
    "output_dir", "logging_steps", "logging_strategy", "logging_first_step", "logging_dir", "report_to", "run_name",
    "disable_tqdm", "eval_strategy", "eval_steps", "eval_delay", "save_strategy", "save_steps", "save_total_limit",
    "per_device_eval_batch_size", "eval_accumulation_steps", "dataloader_num_workers", "dataloader_pin_memory",
    "dataloader_persistent_workers", "dataloader_prefetch_factor", "activation_checkpointing",
    "gradient_checkpointing", "gradient_checkpointing_kwargs", "include_num_input_tokens_seen",
}
# May change together when their product (the effective batch) stays: the OOM remedy halves one, doubles the other.
BATCH_KEYS = ("per_device_train_batch_size", "gradient_accumulation_steps")


@dataclass
class Checkpoint:
    path: Path
    step: int
    problem: str | None  # None: complete
    state: dict = field(default_factory=dict)  # trainer_state.json, when complete


@dataclass
class RunPlan:
    checkpoint: Path | None = None  # resume from here; None: train from step 0
    finished: Checkpoint | None = None  # set when the run already ended (or final/ exists: finished_final)
    finished_final: bool = False
    skipped: list[Checkpoint] = field(default_factory=list)  # incomplete, newer than `checkpoint`: rewritten
    kept_incomplete: list[Checkpoint] = field(default_factory=list)  # incomplete, older: left alone
    changes: list[str] = field(default_factory=list)  # allowed config changes, "key: old -> new"

    @property
    def checkpoint_step(self) -> int | None:
        return int(self.checkpoint.name.split("-")[-1]) if self.checkpoint else None


# --- checkpoints ---------------------------------------------------------------------------------------------


def _safetensors_problem(path: Path) -> str | None:
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            n = int.from_bytes(f.read(8), "little")
            if size < 8 or n > size - 8:
                return f"{path.name} is cut short"
            header = json.loads(f.read(n))
    except (OSError, ValueError):
        return f"{path.name} is unreadable"
    end = max((v["data_offsets"][1] for k, v in header.items() if k != "__metadata__"), default=0)
    return None if size == 8 + n + end else f"{path.name} is cut short"


def _torch_file_problem(path: Path) -> str | None:
    return None if zipfile.is_zipfile(path) else f"{path.name} is cut short"


def _weight_files(ckpt: Path, method: str) -> list[str]:
    names = list(WEIGHTS[method])
    if method == "full":
        index = ckpt / "model.safetensors.index.json"
        if index.is_file():
            try:
                shards = sorted(set(json.loads(index.read_text(encoding="utf-8"))["weight_map"].values()))
            except (OSError, ValueError, KeyError):
                shards = ["model.safetensors.index.json (unreadable)"]
            names += shards
        else:
            names.append("model.safetensors")
    return names


def _files_problem(ckpt: Path, names: list[str]) -> str | None:
    missing = [n for n in names if not (ckpt / n).is_file()]
    if missing:
        return "empty" if not any(ckpt.iterdir()) else f"no {', '.join(missing)}"
    for name in names:
        check = _safetensors_problem if name.endswith(".safetensors") else (
            _torch_file_problem if name.endswith((".pt", ".bin")) else None)
        problem = check(ckpt / name) if check else None
        if problem:
            return problem
    return None


def weights_problem(ckpt: Path, method: str) -> str | None:
    """Why the weights in `ckpt` cannot be loaded (missing or cut short), or None."""
    return _files_problem(ckpt, _weight_files(ckpt, method))


def checkpoint_problem(ckpt: Path, method: str, needs_scaler: bool) -> str | None:
    """Why `ckpt` cannot be resumed from (the missing files, or the first broken one), or None when complete."""
    rng = next((n for n in ("rng_state.pth", "rng_state_0.pth") if (ckpt / n).is_file()), "rng_state.pth")
    names = [*_weight_files(ckpt, method), TOKENIZER, *STATE_FILES, rng] + (["scaler.pt"] if needs_scaler else [])
    problem = _files_problem(ckpt, names)
    if problem:
        return problem
    try:
        state = json.loads((ckpt / TRAINER_STATE).read_text(encoding="utf-8"))
        int(state["global_step"]), int(state["max_steps"])
    except (OSError, ValueError, KeyError, TypeError):
        return f"{TRAINER_STATE} is unreadable"
    return None


def checkpoint_dirs(out: Path) -> list[Path]:
    """The checkpoint-N directories of a run dir, by step."""
    found = [p for p in out.glob("checkpoint-*") if p.is_dir() and p.name.split("-", 1)[1].isdigit()]
    return sorted(found, key=lambda p: int(p.name.split("-", 1)[1]))


def scan_checkpoints(out: Path, method: str, needs_scaler: bool) -> list[Checkpoint]:
    found = []
    for path in checkpoint_dirs(out):
        step = path.name.split("-", 1)[1]
        problem = checkpoint_problem(path, method, needs_scaler)
        state = json.loads((path / TRAINER_STATE).read_text(encoding="utf-8")) if problem is None else {}
        found.append(Checkpoint(path, int(step), problem, state))
    return sorted(found, key=lambda c: c.step)


def _describe(ckpts: list[Checkpoint]) -> str:
    return "; ".join(f"{c.path.name}: {c.problem}" for c in ckpts)


# --- the saved config -----------------------------------------------------------------------------------------


def saved_config(out: Path) -> TrainConfig:
    path = out / RUN_CONFIG
    if not path.is_file():
        raise EmstdError(f"--resume: {path} is missing, so the config cannot be checked against the run's. Start a "
                         f"new run with --set training.output_dir=<new dir>.")
    try:
        return load_config(path, check_files=False)
    except ConfigError as exc:
        raise EmstdError(f"--resume: {path} cannot be read back ({exc.problems[0]}). Start a new run with --set "
                         f"training.output_dir=<new dir>.") from None


def _flat(cfg: TrainConfig) -> dict:
    """Dotted keys -> values for everything but training:, with paths normalized ("./a" == "a")."""
    dump = cfg.model_dump(mode="json")
    out = {}
    for key, value in dump.items():
        if key == "training":
            continue
        if key == "lora" and cfg.method in ("full", "prefix") or key == "prefix" and cfg.method != "prefix":
            continue  # settings of a method this run does not use
        if isinstance(value, dict):
            out.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            out[key] = value
    for key in ("base_model", "data.train_file", "data.eval_file"):
        if isinstance(out.get(key), str) and not out[key].startswith("package:"):
            out[key] = os.path.normpath(out[key])
    return out


def _default(name: str, fields: dict):
    f = fields.get(name)
    if f is None:
        return None
    if f.default is not dataclasses.MISSING:
        return f.default
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else None


def config_changes(saved: TrainConfig, new: TrainConfig) -> tuple[list[str], list[str]]:
    """(refused, allowed): the differences between the run's config and the one asked for, "key: old -> new"."""
    refused, allowed = [], []
    a, b = _flat(saved), _flat(new)
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            refused.append(f"{key}: {a.get(key)!r} -> {b.get(key)!r}")
    fields = training_argument_fields()
    ta, tb = saved.training, new.training
    for key in sorted(set(ta) | set(tb)):
        old, now = ta.get(key, _default(key, fields)), tb.get(key, _default(key, fields))
        if old == now or key in BATCH_KEYS:
            continue
        (allowed if key in RESUME_MAY_CHANGE else refused).append(f"training.{key}: {old!r} -> {now!r}")
    olds = [ta.get(k, _default(k, fields)) for k in BATCH_KEYS]
    nows = [tb.get(k, _default(k, fields)) for k in BATCH_KEYS]
    if olds != nows:
        line = (f"training.per_device_train_batch_size x gradient_accumulation_steps: {olds[0]} x {olds[1]} -> "
                f"{nows[0]} x {nows[1]}")
        (allowed if olds[0] * olds[1] == nows[0] * nows[1] else refused).append(line)
    return refused, allowed


# --- the plan -------------------------------------------------------------------------------------------------


def is_run_dir(out: Path) -> bool:
    """Written by emstd train: its marker, or (runs from before markers) its run_config.yaml."""
    return marker_owner(out) == OWNER or (out / RUN_CONFIG).is_file()


def check_run_dir(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise OutputError(f"training.output_dir {out}: exists and is not a directory. Choose a new training."
                          f"output_dir (--set training.output_dir=<new dir>).")
    if out.is_dir() and any(out.iterdir()) and not is_run_dir(out):
        raise OutputError(f"training.output_dir {out}: the directory is not empty and is not a run dir of emstd "
                          f"train; nothing was changed. Choose a new or empty one (--set training.output_dir=<new dir>).")
    check_writable(out)


NEW_DIR = "start a new run with --set training.output_dir=<new dir>"


def plan_run(cfg: TrainConfig, resume: bool, needs_scaler: bool) -> RunPlan:
    """What this run does in its output_dir; an EmstdError saying how to proceed when it cannot."""
    out = cfg.output_dir
    check_run_dir(out)
    ckpts = scan_checkpoints(out, cfg.method, needs_scaler) if out.is_dir() else []
    complete = [c for c in ckpts if c.problem is None]
    incomplete = [c for c in ckpts if c.problem is not None]
    has_final = (out / "final").is_dir()
    if not resume:
        _check_fresh(out, complete, incomplete, has_final)
        return RunPlan()
    return _plan_resume(cfg, complete, incomplete, has_final)


def _names(ckpts: list[Checkpoint]) -> str:
    return ", ".join(c.path.name for c in ckpts)


def _check_fresh(out: Path, complete, incomplete, has_final: bool) -> None:
    if complete or has_final:
        what = complete[-1].path.name if complete else "final/ (a finished run)"
        raise EmstdError(f"{out} already holds {what}: pass --resume to continue that run, or {NEW_DIR}")
    if incomplete:
        raise EmstdError(f"{out} holds only incomplete checkpoints ({_describe(incomplete)}): a save was interrupted "
                         f"before the first one completed, so there is nothing to resume. Delete {_names(incomplete)} "
                         f"to start this run again there, or {NEW_DIR}")


def _plan_resume(cfg: TrainConfig, complete, incomplete, has_final: bool) -> RunPlan:
    out = cfg.output_dir
    if not complete and not has_final:
        if incomplete:
            raise EmstdError(f"--resume: {out} holds no complete checkpoint ({_describe(incomplete)}): there is "
                             f"nothing to resume. Delete {_names(incomplete)} and run without --resume to start "
                             f"again there, or {NEW_DIR}")
        raise EmstdError(f"--resume: {out} holds no checkpoint-N; start the run without --resume")
    refused, allowed = config_changes(saved_config(out), cfg)
    if refused:
        lines = "\n".join(f"  - {r}" for r in refused)
        raise EmstdError(f"--resume: the config differs from the one {out} was trained with ({out / RUN_CONFIG}) "
                         f"in what the run learns:\n{lines}\nResume with the run's config, or {NEW_DIR}")
    if has_final:
        return RunPlan(finished=complete[-1] if complete else None, finished_final=True, changes=allowed)
    latest = complete[-1]
    if latest.state["global_step"] >= latest.state["max_steps"]:  # killed between its last checkpoint and final/
        return RunPlan(finished=latest, changes=allowed)
    return RunPlan(checkpoint=latest.path, changes=allowed, skipped=[c for c in incomplete if c.step > latest.step],
                   kept_incomplete=[c for c in incomplete if c.step < latest.step])


def final_source(out: Path, finished: Checkpoint) -> Path:
    """The checkpoint final/ is copied from: the best by the run's metric, else the last one."""
    best = finished.state.get("best_model_checkpoint")
    if best and (out / Path(best).name).is_dir():
        return out / Path(best).name
    return finished.path
