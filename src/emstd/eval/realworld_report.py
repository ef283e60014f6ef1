"""The realworld report: report.json (every number and every wrong answer) and report.md (the tables a person
reads: accuracy per source family for every system, then per split, then column F1)."""

from __future__ import annotations

from pathlib import Path

from emstd.eval.metrics import pct
from emstd.io import write_json_atomic, write_text_atomic

ERRORS_LISTED = 30


def write_realworld_report(report: dict, out_dir: Path) -> None:
    write_json_atomic(out_dir / "report.json", report)
    write_text_atomic(out_dir / "report.md", _markdown(report))


def _markdown(report: dict) -> str:
    lines = ["# emstd on the realworld set", "",
             "Names and header rows from public sources the catalog was not built from (docs/realworld.md). "
             "Accuracy per source family; `n` items.", ""]
    if report.get("unified_run"):
        routing = report.get("routing") or {}
        lines.append(f"- unified adapter: `{report['unified_run']}` (routing, chosen on the eval split: retrieval "
                     f"answers at confidence >= {routing.get('model_threshold')}, the model below where its own "
                     f"confidence is >= {routing.get('model_floor', 0.0)})")
    if report.get("column_run"):
        lines.append(f"- column adapter: `{report['column_run']}`")
    for task, systems in report["values"].items():
        names = list(systems)
        first = systems[names[0]]["accuracy"]
        rows = [k for prefix in ("family:", "split:", "cohort:") for k in sorted(k for k in first if k.startswith(prefix))]
        lines += ["", f"## {task} names", "", "| family | n | " + " | ".join(names) + " |",
                  "| --- | --- |" + " --- |" * len(names)]
        for k in rows + ["all"]:
            label = k.split(":", 1)[-1] if k != "all" else "**all**"
            if k.startswith("split:"):
                label = f"*{label} half*"
            elif k.startswith("cohort:"):
                label = f"*cohort {label}*"
            lines.append(f"| {label} | {first[k]['n']} | "
                         + " | ".join(pct(systems[s]["accuracy"][k]["accuracy"]) for s in names) + " |")
        last = names[-1]
        errors = systems[last]["errors"]
        lines += ["", f"Wrong answers of `{last}` ({len(errors)}; first {min(len(errors), ERRORS_LISTED)}):", "",
                  "| name | gold | got | method | family |", "| --- | --- | --- | --- | --- |"]
        for e in errors[:ERRORS_LISTED]:
            gold = " / ".join(str(g) for g in e["gold"])
            lines.append(f"| {_cell(e['name'])} | {gold} | {e['got']} | {e['method']} | {e['family']} |")
    tables = report.get("tables") or {}
    if tables:
        names = list(tables)
        lines += ["", "## Table headers", "", "| metric | " + " | ".join(names) + " |", "| --- |" + " --- |" * len(names)]
        for metric in ("field_f1", "unseen_field_f1", "field_precision", "field_recall", "column_exact_table",
                       "json_valid_rate"):
            lines.append(f"| {metric} | " + " | ".join(pct(tables[s].get(metric)) for s in names) + " |")
        for cohort in tables[names[0]].get("cohorts", {}):
            lines.append(f"| field_f1, cohort {cohort} ({tables[names[0]]['cohorts'][cohort]['n']} rows) | "
                         + " | ".join(pct(tables[s]["cohorts"][cohort]["field_f1"]) for s in names) + " |")
        lines += ["", "`unseen_field_f1`: only the headers the catalog does not hold. Cohort `first`: the rows the "
                  "column rules were fixed against (a development number); `fresh`: rows collected after, scored "
                  "as they came (docs/realworld.md)."]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")[:60]
