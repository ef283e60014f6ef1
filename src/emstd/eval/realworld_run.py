"""`emstd eval --realworld`: every layer on names and tables the catalog never saw, per source family, in one run.

Systems (each through a Standardizer, as users get them):
  rules            the catalog's rules alone
  retrieval        the nearest catalog entry alone (abstaining below its calibrated threshold)
  rules+retrieval  `auto` without a model: what a new user gets by default
  model            the fine-tuned unified adapter alone (retrieval candidates in its prompt), when given
  auto             rules -> retrieval -> model, when a unified adapter is given
Tables: rules, rules+retrieval, and the column adapter (alone and under auto) when given.
"""

from __future__ import annotations

import copy

import time
from collections import defaultdict
from pathlib import Path

from emstd.eval.metrics import column_metrics, pct
from emstd.eval.realworld import table_items, value_items

VALUE_TASKS = ("vehicle", "pollutant")


class RetrievalOnly:
    """Retrieval as a backend of its own: its answer, or null where it abstains."""

    name = "retrieval"

    def __init__(self, index):
        self.index = index

    def standardize_values(self, values, task):
        from emstd.infer.rules import Answer

        return [Answer(v, self.index.answer(r, task), "retrieval", r.confidence)
                for v, r in zip(values, self.index.search(values, task))]

    def map_columns(self, headers, samples=None, task=None):
        from emstd.infer.auto import retrieve_headers
        from emstd.infer.column_rules import HeaderMatch, default_column_rules

        matches = [HeaderMatch(h, None, "no_match", 0.0) for h in headers]
        retrieve_headers(self.index, matches, task, samples)
        return default_column_rules().finish(matches, samples, task)


def value_systems(index, unified=None, routing: dict | None = None) -> dict:
    """`routing`: the adapter's routing.json (model_threshold, model_floor), or None."""
    from emstd.infer.auto import AutoBackend, routing_options
    from emstd.infer.rules import RulesBackend

    systems = {"rules": RulesBackend(), "retrieval": RetrievalOnly(index),
               "rules+retrieval": AutoBackend(retrieval=index)}
    if unified is not None:
        systems["model"] = unified
        systems["auto"] = AutoBackend(unified, index, **routing_options(routing))
    return systems


def score_values(backend, items) -> dict:
    """Accuracy overall, per family and per split; the wrong answers, for the report."""
    from emstd.infer.standardizer import Standardizer

    t0 = time.perf_counter()
    answers = Standardizer(backend).standardize([i.name for i in items], items[0].task)
    seconds = time.perf_counter() - t0
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    errors = []
    for item, a in zip(items, answers):
        right = item.is_right(a.standard)
        for k in ("all", f"family:{item.family}", f"split:{item.split}", f"cohort:{item.cohort}"):
            tally[k][0] += right
            tally[k][1] += 1
        if not right:
            errors.append({"name": item.name, "gold": list(item.gold), "got": a.standard, "method": a.method,
                           "confidence": a.confidence, "family": item.family, "split": item.split})
    out = {k: {"right": r, "n": n, "accuracy": round(r / n, 4)} for k, (r, n) in tally.items()}
    return {"accuracy": out, "errors": errors, "seconds": round(seconds, 2)}


def score_tables(backend, tables, unseen: set[str]) -> dict:
    """Mapped-header F1 over every header, over the headers the catalog does not hold (`unseen` keys), and per
    cohort (the first rows, which the column rules were fixed against, and the fresh ones collected after)."""
    from emstd.catalog.normalize import key

    records, records_unseen = [], []
    by_cohort: dict[str, list[dict]] = defaultdict(list)
    for t in tables:
        mapping = backend.map_columns(list(t.headers), t.samples, t.task)
        records.append({"headers": list(t.headers), "gold": t.gold, "pred": mapping.mapping,
                        "valid_json": mapping.valid_json})
        by_cohort[t.cohort].append(records[-1])
        new = [h for h in t.headers if key(h) in unseen]
        records_unseen.append({"headers": new, "gold": {h: t.gold[h] for h in new if h in t.gold},
                               "pred": {h: mapping.mapping[h] for h in new}, "valid_json": mapping.valid_json})
    whole, fresh = column_metrics(records), column_metrics(records_unseen)
    return {k: whole[k] for k in ("field_precision", "field_recall", "field_f1", "column_exact_table",
                                  "unmapped_accuracy", "json_valid_rate", "n")} | {
        "unseen_field_f1": fresh["field_f1"],
        "cohorts": {c: {"n": len(r), "field_f1": column_metrics(r)["field_f1"]} for c, r in by_cohort.items()},
        "errors": whole["errors"]}


def run_realworld(out_dir: str | Path, unified_run: str | Path | None = None, column_run: str | Path | None = None,
                  say=print) -> dict:
    from emstd.catalog import load_catalog
    from emstd.catalog.normalize import key
    from emstd.data.retrieval import RetrievalIndex
    from emstd.infer.auto import AutoBackend
    from emstd.infer.rules import RulesBackend

    out_dir = Path(out_dir)
    index = RetrievalIndex(say=say)
    unified, routing, column = _load_models(unified_run, column_run, index, say)
    report: dict = {"unified_run": str(unified_run) if unified_run else None,
                    "column_run": str(column_run) if column_run else None,
                    "calibration": {t: index.calibration[t].__dict__ for t in ("vehicle", "pollutant", "column")},
                    "routing": routing, "values": {}, "tables": {}}
    for task in VALUE_TASKS:
        items = value_items(task)
        report["values"][task] = {}
        for name, backend in value_systems(index, unified, routing).items():
            report["values"][task][name] = score_values(backend, items)
            accuracy = report["values"][task][name]["accuracy"]
            cohorts = ", ".join(f"{k.split(':', 1)[1]} {v['n']} {pct(v['accuracy'])}"
                                for k, v in sorted(accuracy.items()) if k.startswith("cohort:"))
            say(f"[realworld] {task:9s} {name:16s} {pct(accuracy['all']['accuracy'])} ({cohorts})")
    catalog = load_catalog()
    tables = table_items()
    unseen = {key(h) for t in tables for h in t.headers if key(h) not in catalog.index["column"]}
    table_systems = {"rules": RulesBackend(), "rules+retrieval": AutoBackend(retrieval=index)}
    if column is not None:
        column = _Remembered(column)  # auto asks the column model the same tables again: one answer each
        table_systems["model"] = column
        table_systems["auto"] = AutoBackend(column, index)
    for name, backend in table_systems.items():
        report["tables"][name] = score_tables(backend, tables, unseen)
        cohorts = report["tables"][name]["cohorts"]
        say(f"[realworld] tables    {name:16s} F1 {pct(report['tables'][name]['field_f1'])} ("
            + ", ".join(f"{c} {v['n']} rows {pct(v['field_f1'])}" for c, v in cohorts.items()) + ")")
    from emstd.eval.realworld_report import write_realworld_report

    write_realworld_report(report, out_dir)
    report["out_dir"] = str(out_dir)
    return report


class _Remembered:
    """A column backend whose answer per table is computed once (greedy decoding: the same table, the same
    answer), so scoring the model alone and inside auto costs one pass of generation, not two."""

    def __init__(self, backend):
        self.backend, self._answers = backend, {}

    def __getattr__(self, name):
        return getattr(self.backend, name)

    def map_columns(self, headers, samples=None, task=None):
        k = (tuple(headers), repr(sorted((samples or {}).items())), task)
        if k not in self._answers:
            self._answers[k] = self.backend.map_columns(headers, samples, task)
        return copy.deepcopy(self._answers[k])


def realworld_runs(target, column_run) -> tuple:
    """(unified run, column run) for --realworld: TARGET counts as whichever task its run_config says."""
    from emstd.eval.run import resolve_target

    unified = None
    if target is not None:
        if resolve_target(target)["model"] == "column":
            column_run = column_run or target
        else:
            unified = target
    return unified, column_run


def _load_models(unified_run, column_run, index, say):
    """(unified backend or None, its routing.json or None, column backend or None)."""
    from emstd.eval.run import resolve_target
    from emstd.infer.auto import saved_routing
    from emstd.infer.local import LocalBackend

    unified = column = routing = None
    if unified_run is not None:
        info = resolve_target(unified_run)
        unified = LocalBackend(info["base_model"], unified_adapter=str(info["adapter"]), gguf_file=info["gguf_file"],
                               retrieval=index)
        routing = saved_routing(info["adapter"])
        say(f"[realworld] unified adapter {info['adapter']} (routing {routing})")
    if column_run is not None:
        info = resolve_target(column_run)
        column = LocalBackend(info["base_model"], column_adapter=str(info["adapter"]), gguf_file=info["gguf_file"])
        say(f"[realworld] column adapter {info['adapter']}")
    return unified, routing, column
