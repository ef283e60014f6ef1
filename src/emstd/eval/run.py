"""`emstd eval RUN_OR_ADAPTER_DIR`: accuracy on names the model never saw, next to the simple alternatives.

One linear function: resolve what to evaluate -> load the split -> fine-tuned answers through the production
path (LocalBackend: same prompts, constrained answers) -> baselines in the same run (rules; base model
zero-shot with the same prompt) -> every checkpoint of a run -> report.{json,md} and plots.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

from emstd.catalog import UNKNOWN
from emstd.data.split import group_key
from emstd.errors import EmstdError, InputFileError
from emstd.eval import metrics as M
from emstd.train.config import load_config
from emstd.train.resume import checkpoint_dirs, weights_problem


OWNER = "eval"


def _is_report_dir(d: Path) -> bool:
    """A report directory written before output markers existed: only report.json, report.md and plots."""
    return all(p.name in ("report.json", "report.md") or p.suffix == ".png" for p in d.iterdir())


def resolve_target(target: str | Path) -> dict:
    """A run dir (final/ + checkpoint-N/) or an adapter dir -> what to load and evaluate."""
    target = Path(target)
    if not target.exists():
        raise EmstdError(f"{target}: no such directory. Give a run dir (with final/) or an adapter dir.")
    if (target / "adapter_config.json").exists():
        adapter, run_dir = target, (target.parent if target.parent.joinpath("metrics.jsonl").exists() else None)
    elif (target / "final" / "adapter_config.json").exists():
        adapter, run_dir = target / "final", target
    else:
        raise EmstdError(f"{target}: neither an adapter dir (adapter_config.json) nor a run dir with final/. "
                         f"Train first (`emstd train CONFIG`) or point at checkpoint-N/.")
    config_file = next((p for p in (adapter / "run_config.yaml", target / "run_config.yaml") if p.exists()), None)
    if config_file is None:
        raise EmstdError(f"{adapter}: no run_config.yaml beside the adapter, so its base model and task are unknown. "
                         f"Evaluate a directory written by `emstd train`.")
    config = load_config(config_file, check_files=False)
    checkpoints, incomplete = [], []
    if run_dir is not None:  # a checkpoint whose save was interrupted is left out, and named
        for p in checkpoint_dirs(run_dir):
            problem = weights_problem(p, config.method)
            if problem is None:
                checkpoints.append(p)
            else:
                incomplete.append(f"{p.name} ({problem})")
    return {
        "adapter": adapter, "run_dir": run_dir, "checkpoints": checkpoints, "incomplete": incomplete,
        "base_model": config.base_model, "gguf_file": config.gguf_file, "model": config.task,
    }


def read_jsonl(path: Path) -> list[dict]:
    """Every record of a dataset file; a broken line is an error naming it (lines end at \n only: str.splitlines
    would also split a record at \f, \x85 or U+2028 inside a value)."""
    from emstd.data.records import iter_jsonl

    rows = []
    for n, row, error in iter_jsonl(path):
        if error:
            raise InputFileError(f"{path}, line {n}: {error}. Rebuild the data with `emstd data build`.")
        rows.append(row)
    return rows


def load_split(data_dir: Path, model: str, split: str, limit: int | None, seed: int = 0) -> list[dict]:
    path = data_dir / f"{model}_{split}.jsonl"
    if not path.is_file():
        raise EmstdError(f"{path}: missing. Build the data with `emstd data build --out {data_dir}`.")
    rows = read_jsonl(path)
    if limit and limit < len(rows):
        rows = random.Random(seed).sample(rows, limit)  # a seeded subset, the same for every model compared
    return rows


def held_out_overlap(data_dir: Path, model: str, rows: list[dict]) -> int:
    """How many evaluated aliases also occur (normalized) in train: must be zero for an honest score."""
    train = data_dir / f"{model}_train.jsonl"
    if model != "unified" or not train.exists():
        return 0
    seen = {(r["meta"]["task"], group_key(r["meta"]["alias"], r["meta"]["task"])) for r in read_jsonl(train)}
    return len({(r["meta"]["task"], r["meta"]["alias"]) for r in rows
                if (r["meta"]["task"], group_key(r["meta"]["alias"], r["meta"]["task"])) in seen})


def record_retrieval(rows: list[dict], task: str, calibration) -> list:
    """Each record's retrieval as it was built (against the train split's index, so a held-out name never meets
    itself): what a model is shown for it in evaluation, exactly as in training."""
    from emstd.data.retrieval import Retrieved

    return [Retrieved.from_record(r["meta"]["candidates"], calibration, r["meta"]["value"], task) for r in rows]


def predict_unified(backend, rows: list[dict], calibration=None) -> list[dict]:
    records = []
    for task in ("vehicle", "pollutant"):
        subset = [r for r in rows if r["meta"]["task"] == task]
        values = [r["meta"]["value"] for r in subset]
        kwargs = {}
        if getattr(backend, "uses_candidates", False) and calibration is not None:
            kwargs["retrieved"] = record_retrieval(subset, task, calibration[task])
        for r, v, a in zip(subset, values, backend.standardize_values(values, task, **kwargs)):
            records.append({"task": task, "input": v, "alias": r["meta"]["alias"], "gold": r["messages"][2]["content"],
                            "pred": a.standard or UNKNOWN, "confidence": a.confidence})
    return records


def predict_column(backend, rows: list[dict]) -> list[dict]:
    records = []
    for r in rows:
        headers, samples = r["meta"]["headers"], r["meta"]["samples"]
        mapping = backend.map_columns(headers, samples, r["meta"]["task"])
        records.append({"headers": headers, "gold": json.loads(r["messages"][2]["content"]), "pred": mapping.mapping,
                        "valid_json": mapping.valid_json})
    return records


def score(model: str, backend, rows: list[dict], calibration=None) -> dict:
    t0 = time.perf_counter()
    if model == "unified":
        result = M.unified_metrics(predict_unified(backend, rows, calibration))
    else:
        result = M.column_metrics(predict_column(backend, rows))
    result["seconds"] = round(time.perf_counter() - t0, 2)
    result["targets"] = M.targets_check(result)
    return result


def run_eval(target, data_dir="data", split: str = "test", limit: int | None = None, out_dir=None,
             baselines: bool = True, checkpoints: bool = True, say=print) -> dict:
    from emstd.eval.report import write_report
    from emstd.infer.local import LocalBackend
    from emstd.infer.rules import RulesBackend

    from emstd.hf import check_reachable
    from emstd.io import check_output_dir, claim_output_dir

    if limit is not None and limit < 1:
        raise EmstdError(f"--limit {limit}: give a number of examples, 1 or more (or leave it out for all).")
    info = resolve_target(target)
    data_dir = Path(data_dir)
    model = info["model"]
    out_dir = Path(out_dir) if out_dir else (info["run_dir"] or info["adapter"]) / f"eval_{split}"
    check_output_dir(out_dir, OWNER, legacy=_is_report_dir)  # before the models load
    check_reachable(info["base_model"], info["gguf_file"])
    rows = load_split(data_dir, model, split, limit)
    report: dict = {
        "target": str(target), "model": model, "split": split, "n": len(rows), "base_model": info["base_model"],
        "held_out_overlap": held_out_overlap(data_dir, model, rows), "results": {}, "checkpoints": [],
    }
    say(f"[eval] {model} adapter {info['adapter']} on {len(rows)} {split} examples")
    if checkpoints and info["incomplete"]:
        say(f"[eval] skipped incomplete checkpoints: {', '.join(info['incomplete'])}")

    adapters = {"unified_adapter": str(info["adapter"])} if model == "unified" else {"column_adapter": str(info["adapter"])}
    backend = LocalBackend(info["base_model"], gguf_file=info["gguf_file"], **adapters)
    calibration = _calibration(model, say)
    report["results"]["fine_tuned"] = score(model, backend, rows, calibration)
    say(f"[eval] fine-tuned: {_headline(model, report['results']['fine_tuned'])}")

    if baselines:
        report["results"]["rules"] = score(model, RulesBackend(), rows)
        say(f"[eval] rules: {_headline(model, report['results']['rules'])}")
        backend.zero_shot = True
        report["results"]["zero_shot"] = score(model, backend, rows, calibration)
        backend.zero_shot = False
        say(f"[eval] zero-shot base: {_headline(model, report['results']['zero_shot'])}")

    if checkpoints and info["checkpoints"]:
        for ckpt in info["checkpoints"]:
            backend.swap_adapter(model, str(ckpt))
            result = score(model, backend, rows, calibration)
            step = int(ckpt.name.split("-")[1])
            report["checkpoints"].append({"step": step, "path": str(ckpt), "headline": _headline_value(model, result),
                                          "metrics": {k: v for k, v in result.items() if k not in ("errors", "confusion")}})
            say(f"[eval] {ckpt.name}: {_headline(model, result)}")
        report["best_checkpoint"] = _best_checkpoints(info["run_dir"], report["checkpoints"])

    if model == "unified":  # where auto should stop trusting retrieval and ask this adapter: the eval split decides
        from emstd.eval.routing import MAX_ROWS, choose_model_threshold, write_routing

        if checkpoints and info["checkpoints"]:
            backend.swap_adapter(model, str(info["adapter"]))  # back to final/ after the checkpoint loop
        report["routing"] = choose_model_threshold(backend, load_split(data_dir, model, "eval", MAX_ROWS), calibration)
        write_routing(info["adapter"], report["routing"])
        routing = report["routing"]
        say(f"[eval] routing (eval split, {routing['n']} names): retrieval answers at confidence >= "
            f"{routing['model_threshold']}, the adapter below where it is >= {routing['model_floor']} sure; "
            f"accuracy {routing['accuracy']}")
    claim_output_dir(out_dir, OWNER, legacy=_is_report_dir)
    write_report(report, out_dir, info["run_dir"])
    report["out_dir"] = str(out_dir)
    say(f"[eval] report: {out_dir}/report.md")
    return report


def _calibration(model: str, say):
    """Retrieval's calibration (unified only: its candidates are part of the prompt)."""
    if model != "unified":
        return None
    from emstd.data.retrieval import RetrievalIndex

    return RetrievalIndex(say=say).calibration


def _headline_value(model: str, result: dict) -> float | None:
    return result["overall_accuracy"] if model == "unified" else result["column_exact_table"]


def _headline(model: str, r: dict) -> str:
    if model == "unified":
        return (f"vehicle {M.pct(r['vehicle_accuracy'])}, pollutant {M.pct(r['pollutant_accuracy'])}, UNKNOWN "
                f"P/R {M.pct(r['unknown_precision'])}/{M.pct(r['unknown_recall'])}, overall {M.pct(r['overall_accuracy'])}")
    return (f"exact table {M.pct(r['column_exact_table'])}, field F1 {M.pct(r['field_f1'])}, "
            f"JSON valid {M.pct(r['json_valid_rate'])}")


def _best_checkpoints(run_dir: Path, evaluated: list[dict]) -> dict:
    """Is the eval_loss-best checkpoint (what final/ holds) also the accuracy-best one?"""
    from emstd.train.callbacks import read_metrics

    losses = {int(r["step"]): r["eval_loss"] for r in read_metrics(run_dir) if r.get("eval_loss") is not None}
    scored = [c for c in evaluated if c["headline"] is not None]
    best_acc = max((c["headline"] for c in scored), default=None)
    by_acc = [c["step"] for c in scored if c["headline"] == best_acc]
    candidates = [c["step"] for c in evaluated if c["step"] in losses]
    by_loss = min(candidates, key=lambda s: losses[s]) if candidates else None
    # ties count as agreement: the eval_loss-best checkpoint is accuracy-best if no checkpoint beats it
    return {"by_eval_loss": by_loss, "by_accuracy": by_acc, "same": (by_loss in by_acc) if by_loss else None}
