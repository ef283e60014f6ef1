"""`emstd train`: config -> tokenize + mask -> Trainer + PEFT -> run dir. One linear function, top to bottom.

Run dir (docs/design.md, "Contracts"): checkpoint-N/ (Trainer's), final/ (the best checkpoint's adapter by eval_loss, the
tokenizer and run_config.yaml, written atomically), metrics.jsonl, loss.png, run_config.yaml.
Works unchanged under `accelerate launch -m emstd.cli train ...` (data-parallel): only the main process writes
the files that are not checkpoints.
"""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from pathlib import Path

from emstd.errors import ConfigError, EmstdError
from emstd.train.config import TrainConfig, load_config
from emstd.train.model import adapt_to_method
from emstd.train.resume import OWNER, RUN_CONFIG, STATE_FILES, RunPlan, final_source, plan_run

# What a checkpoint holds besides the weights and tokenizer (and rng_state*.pth): needed to resume, not in final/.
TRAINING_STATE = (*STATE_FILES, "scaler.pt")


class OutOfMemory(EmstdError):
    """CUDA ran out of memory; the message carries the seed's remedy."""


def _main_process() -> bool:
    return os.environ.get("RANK", "0") == "0"


def say(message: str) -> None:
    if _main_process():
        print(f"[train] {message}", file=sys.stderr, flush=True)


def _device_flags(cfg: TrainConfig) -> dict:
    import torch

    if torch.cuda.is_available():
        return {}
    # Without CUDA: use_cpu makes a multi-process launch (accelerate launch --multi_gpu / torchrun) run DDP over
    # gloo instead of N independent runs; pinned memory only helps a GPU (on CPU it only warns).
    flags = {"use_cpu": True, "dataloader_pin_memory": False}
    return {k: v for k, v in flags.items() if k not in cfg.training}


def run_train(config: TrainConfig | str | Path, resume: bool = False, dry_run: bool = False,
              overrides: list[str] = (), extra_callbacks: list = ()) -> dict:
    """Train as the config says (or only report what it would do, with dry_run). `extra_callbacks` are added to
    the Trainer (tests use one to interrupt a run)."""
    # 1. The config: typed, validated, every problem reported at once.
    cfg = config if isinstance(config, TrainConfig) else load_config(config, overrides, check_files=not dry_run)
    if dry_run:
        from emstd.train.dryrun import dry_run as describe

        info = describe(cfg)
        print(info["text"])
        return info

    from emstd.hf import check_reachable

    check_reachable(cfg.base_model, cfg.gguf_file)  # an offline hub id not in the cache: before anything
    import torch
    from transformers import ProgressCallback, TrainingArguments, set_seed

    from emstd.io import claim_output_dir, write_text_atomic
    from emstd.train.callbacks import (METRICS, CadenceFromArgs, MetricsCallback, ProgressBar, read_metrics,
                                       truncate_metrics)
    from emstd.train.loss import AnswerLogitsTrainer  # logits at answer positions only
    from emstd.train.model import attach_method, count_parameters, load_base_model, load_tokenizer, resolve_precision
    from emstd.train.preflight import (check_dataset, check_one_step, check_tokenizer, diagnose, oom_advice)
    from emstd.train.tokenize import make_collator, read_records, tokenize_dataset

    # 2. Precision (fp16/bf16 on CUDA as configured; fp32 on CPU) and what the method rules out (recorded in
    # cfg.training, so a resumed config is compared after the same changes).
    method_notes = adapt_to_method(cfg)
    precision = resolve_precision(cfg)

    # 3. The run dir: a fresh run, a resume from the latest complete checkpoint, or nothing to do. Read only; an
    # error here says how to proceed and leaves everything as it was.
    out = cfg.output_dir
    plan = plan_run(cfg, resume, needs_scaler=precision.name == "fp16")
    if plan.finished or plan.finished_final:
        return _finished(cfg, plan)
    for note in method_notes:
        say(note)
    if precision.notice:
        say(precision.notice)
    checkpoint = str(plan.checkpoint) if plan.checkpoint else None
    try:
        args = TrainingArguments(**cfg.training, **precision.training_flags, **_device_flags(cfg))
    except (ValueError, TypeError) as exc:
        raise ConfigError("training", [str(exc)]) from exc

    # 4. Tokenizer and data: loss on the answer only; over-long examples skipped and reported.
    tokenizer = load_tokenizer(cfg)
    check_tokenizer(tokenizer)
    records = read_records(cfg.data.train_file, cfg.data.train_limit, seed=args.seed)
    train_ds, report = tokenize_dataset(records, tokenizer, cfg.data.max_length, "train")
    check_dataset(train_ds, str(cfg.data.train_file))
    eval_ds, eval_report = None, None
    if cfg.data.eval_file is not None:
        records = read_records(cfg.data.eval_file, cfg.data.eval_limit, seed=args.seed)
        eval_ds, eval_report = tokenize_dataset(records, tokenizer, cfg.data.max_length, "eval")
        check_dataset(eval_ds, str(cfg.data.eval_file))
    for name, rep in (("train", report), ("eval", eval_report)):
        if rep is not None and rep.describe(name, cfg.data.max_length):
            say(rep.describe(name, cfg.data.max_length))
    say(f"data: {len(train_ds)} train, {len(eval_ds) if eval_ds is not None else 0} eval examples")

    # 5. The model, with the training method attached (seeded: LoRA's initialization draws random numbers).
    set_seed(args.seed)
    model = attach_method(load_base_model(cfg, precision), cfg)
    trainable, total = count_parameters(model)
    base = total if cfg.method == "full" else total - trainable  # adapters add parameters; full trains the base
    say(f"{cfg.method}: {trainable:,} trainable of {base:,} base parameters ({100 * trainable / base:.4f}%), "
        f"precision {precision.name}")

    # 6. The Trainer, with our metrics file, plot and progress bar.
    collator = make_collator(tokenizer)
    trainer = AnswerLogitsTrainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                                  data_collator=collator, processing_class=tokenizer,
                                  callbacks=[MetricsCallback(out), CadenceFromArgs(), *extra_callbacks])
    trainer.remove_callback(ProgressCallback)
    trainer.add_callback(ProgressBar())

    # 7. Preflight: one real batch forward and backward before hours of training.
    loss0 = check_one_step(trainer.model, collator, train_ds, args.device)
    say(f"preflight ok: first batch loss {loss0:.4f}")

    # 8. Train, from the latest checkpoint when resuming (metrics logged after it are dropped: no duplicates).
    if trainer.is_world_process_zero():
        claim_output_dir(out, OWNER, legacy=lambda d: (d / RUN_CONFIG).is_file())
        write_text_atomic(out / RUN_CONFIG, cfg.to_yaml())
        if checkpoint is not None:
            _say_resume(out, plan, truncate_metrics(out, plan.checkpoint_step, say))
        elif (out / METRICS).exists():
            (out / METRICS).unlink()  # a fresh run (no checkpoint): start the metrics afresh
    try:
        with warnings.catch_warnings():
            # PEFT looks for the base's config.json to see whether embeddings were resized; a GGUF directory has
            # none, and we never resize them.
            warnings.filterwarnings("ignore", message="Could not find a config file", category=UserWarning)
            trainer.train(resume_from_checkpoint=checkpoint)
    except torch.OutOfMemoryError as exc:
        raise OutOfMemory(oom_advice(cfg)) from exc

    # 9. final/: the best checkpoint's weights (by eval_loss), tokenizer and resolved config, all or nothing.
    best = trainer.state.best_model_checkpoint
    if trainer.is_world_process_zero():
        write_final(out, cfg, Path(best) if best else None, save=lambda tmp: trainer.save_model(str(tmp)),
                    tokenizer=tokenizer)
        say(f"final/ <- {Path(best).name if best else 'last step'}"
            + (f" (eval_loss {trainer.state.best_metric:.4f})" if best else ""))
    trainer.accelerator.wait_for_everyone()

    # 10. The seed's after-training checklist: a short reading of the curves.
    notes = diagnose(read_metrics(out))
    for note in notes:
        say(note)
    return {"run_dir": out, "global_step": trainer.state.global_step, "best_checkpoint": best,
            "best_metric": trainer.state.best_metric, "skipped": report.skipped, "notes": notes}


def write_final(out: Path, cfg: TrainConfig, source: Path | None, save=None, tokenizer=None) -> None:
    """final/: the weights of checkpoint `source` (or, without one, what `save` writes), the tokenizer and the
    resolved config, renamed into place when complete. It replaces only a final/ this command wrote."""
    from emstd.io import atomic_dir

    with atomic_dir(out / "final", OWNER, replace=True) as tmp:
        if source is not None:
            for item in source.iterdir():
                if item.is_file() and item.name not in TRAINING_STATE and not item.name.startswith("rng_state"):
                    shutil.copy2(item, tmp / item.name)
        else:
            save(tmp)  # no evaluation, so no best: the last weights
        if tokenizer is not None:
            tokenizer.save_pretrained(str(tmp))
        (tmp / RUN_CONFIG).write_text(cfg.to_yaml(), encoding="utf-8")


def _finished(cfg: TrainConfig, plan: RunPlan) -> dict:
    """--resume on a run that already ended: nothing is trained. final/ is written from the checkpoints only if a
    kill came between the last checkpoint and final/."""
    out, last = cfg.output_dir, plan.finished
    for change in plan.changes:
        say(f"config change not applied (nothing left to train): {change}")
    if not plan.finished_final and _main_process():
        source = final_source(out, last)
        write_final(out, cfg, source)  # the checkpoint holds the tokenizer too
        say(f"final/ was missing: written from {source.name}")
    step = last.state["global_step"] if last else None
    say(f"{out} already finished" + (f" at step {step} of {last.state['max_steps']}" if last else "")
        + ": nothing to train (start a new run with --set training.output_dir=<new dir> to train again)")
    best = last.state.get("best_model_checkpoint") if last else None
    return {"run_dir": out, "global_step": step, "best_checkpoint": best,
            "best_metric": last.state.get("best_metric") if last else None, "skipped": 0, "notes": [],
            "finished": True}


def _say_resume(out: Path, plan: RunPlan, dropped: int) -> None:
    for ckpt in plan.skipped:
        shutil.rmtree(ckpt.path)  # ours, half-written by a killed save; the resumed run writes it again
        say(f"skipped {ckpt.path.name}: incomplete ({ckpt.problem}; a save was interrupted) - removed, it is "
            f"written again")
    for ckpt in plan.kept_incomplete:
        say(f"skipped {ckpt.path.name}: incomplete ({ckpt.problem})")
    for change in plan.changes:
        say(f"config change applied from here on: {change}")
    say(f"resuming from {plan.checkpoint}" + (f" ({dropped} metrics lines after step {plan.checkpoint_step} dropped)"
                                              if dropped else ""))
