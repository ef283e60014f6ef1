"""Trainer callbacks: metrics.jsonl, loss.png and a progress bar with loss, lr, tokens/s and ETA.

Everything here writes only on the main process (state.is_world_process_zero), so data-parallel runs write each
file once.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from transformers import ProgressCallback, TrainerCallback

from emstd.errors import InputFileError
from emstd.io import atomic_path, write_text_atomic

METRICS = "metrics.jsonl"
PLOT = "loss.png"


def peak_memory_mb() -> float:
    """CUDA max allocated on GPU; the process's peak resident set size on CPU."""
    import resource

    import torch

    if torch.cuda.is_available() and torch.cuda.is_initialized():
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def read_metrics(run_dir: str | Path, note=None) -> list[dict]:
    """The rows of metrics.jsonl. A last line cut short (a kill while it was appended) is left out, and `note` is
    told; any other broken line is an error naming it. Lines end at \n only (str.splitlines would also split a
    row at \f, \x85 or U+2028)."""
    path = Path(run_dir) / METRICS
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").split("\n")
    rows = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            if any(rest.strip() for rest in lines[n:]):
                raise InputFileError(f"{path}, line {n}: not a JSON object; remove the line to use the file") from None
            if note is not None:
                note(f"{path}: its last line was cut short (an interrupted write) and is ignored")
    return rows


def truncate_metrics(run_dir: str | Path, after_step: int, note=None) -> int:
    """On resume, drop the lines logged after the checkpoint we restart from (they will be logged again), and a last
    line cut short (appending after it would glue two rows together)."""
    path = Path(run_dir) / METRICS
    torn = []
    rows = read_metrics(run_dir, note=lambda m: (torn.append(m), note and note(m)))
    kept = [r for r in rows if r.get("step", 0) <= after_step]
    if len(kept) != len(rows) or torn:
        write_text_atomic(path, "".join(json.dumps(r) + "\n" for r in kept))
    return len(rows) - len(kept)


class CadenceFromArgs(TrainerCallback):
    """On resume the Trainer takes logging/eval/save steps from the checkpoint's state and only warns that the config
    says otherwise; changing them on --resume is allowed (docs/training.md), so the config's apply."""

    def on_train_begin(self, args, state, control, **kwargs):
        state.compute_steps(args, state.max_steps)


class TokenRate:
    """Training throughput: non-padding tokens (include_num_input_tokens_seen="non_padding", summed over all
    processes) per second spent in training steps since the last reading. Evaluation and checkpoint time are left
    out, so the number measures training speed, not the schedule."""

    def __init__(self):
        self.tokens0, self.busy, self._t = 0, 0.0, None

    def reset(self, state):
        self.tokens0, self.busy, self._t = state.num_input_tokens_seen, 0.0, None

    def step_begin(self):
        self._t = time.perf_counter()

    def step_end(self):
        if self._t is not None:
            self.busy += time.perf_counter() - self._t
            self._t = None

    def take(self, state) -> float:
        rate = (state.num_input_tokens_seen - self.tokens0) / self.busy if self.busy > 0 else 0.0
        self.tokens0, self.busy = state.num_input_tokens_seen, 0.0
        return rate


class MetricsCallback(TrainerCallback):
    """One JSON object per train log and per evaluation in metrics.jsonl; loss.png redrawn at each evaluation."""

    def __init__(self, run_dir: str | Path):
        self.run_dir = Path(run_dir)
        self.rate = TokenRate()

    def on_train_begin(self, args, state, control, **kwargs):
        self.rate.reset(state)

    def on_step_begin(self, args, state, control, **kwargs):
        self.rate.step_begin()

    def on_step_end(self, args, state, control, **kwargs):
        self.rate.step_end()

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or not logs:
            return
        row = {"step": state.global_step, "epoch": round(state.epoch or 0.0, 4)}
        for key in ("loss", "eval_loss", "learning_rate", "grad_norm"):
            if key in logs:
                row[key] = logs[key]
        if "loss" in logs:
            row["tokens_per_s"] = round(self.rate.take(state), 1)
        if len(row) == 2:  # the end-of-training summary (train_runtime, ...) is not a step metric
            return
        row["peak_mem_mb"] = round(peak_memory_mb(), 1)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with open(self.run_dir / METRICS, "a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")

    def on_evaluate(self, args, state, control, **kwargs):
        if state.is_world_process_zero:
            plot_metrics(self.run_dir)

    def on_train_end(self, args, state, control, **kwargs):
        if state.is_world_process_zero:
            plot_metrics(self.run_dir)


def plot_metrics(run_dir: str | Path) -> Path | None:
    """loss.png: train and eval loss (left axis) and learning rate (right axis) against step; written atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = read_metrics(run_dir)
    if not rows:
        return None
    train = [(r["step"], r["loss"]) for r in rows if "loss" in r]
    evals = [(r["step"], r["eval_loss"]) for r in rows if "eval_loss" in r]
    lrs = [(r["step"], r["learning_rate"]) for r in rows if "learning_rate" in r]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    if train:
        ax.plot(*zip(*train), label="train loss", color="tab:blue")
    if evals:
        ax.plot(*zip(*evals), "o-", label="eval loss", color="tab:orange")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    if lrs:
        ax2 = ax.twinx()
        ax2.plot(*zip(*lrs), "--", label="learning rate", color="tab:gray")
        ax2.set_ylabel("learning rate")
        h2, l2 = ax2.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    ax.legend(handles, labels, loc="upper right")
    fig.tight_layout()
    target = Path(run_dir) / PLOT
    with atomic_path(target) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)
    return target


class ProgressBar(ProgressCallback):
    """Trainer's tqdm bar (which shows ETA) with loss, lr and tokens/s as its postfix instead of printed dicts."""

    def __init__(self):
        super().__init__()
        self.rate = TokenRate()

    def on_train_begin(self, args, state, control, **kwargs):
        super().on_train_begin(args, state, control, **kwargs)
        self.rate.reset(state)

    def on_step_begin(self, args, state, control, **kwargs):
        self.rate.step_begin()

    def on_step_end(self, args, state, control, **kwargs):
        self.rate.step_end()  # before the parent's bar update, so the bar's own timing is unaffected
        super().on_step_end(args, state, control, **kwargs)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or self.training_bar is None or not logs:
            return
        if "loss" in logs:
            tps = self.rate.take(state)
            self.training_bar.set_postfix(loss=f"{logs['loss']:.4f}", lr=f"{logs.get('learning_rate', 0):.2e}",
                                          tok_s=f"{tps:.0f}", refresh=True)
        if "eval_loss" in logs:
            self.training_bar.write(f"step {state.global_step}: eval_loss {logs['eval_loss']:.4f}")
