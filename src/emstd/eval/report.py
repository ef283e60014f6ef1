"""Evaluation reports: report.json (stable keys), report.md (tables a person reads), PNG plots."""

from __future__ import annotations

from pathlib import Path

from emstd.eval.metrics import pct
from emstd.io import atomic_path, write_json_atomic, write_text_atomic

MAX_ERRORS_LISTED = 40
SYSTEMS = ("rules", "zero_shot", "fine_tuned")


def write_report(report: dict, out_dir: Path, run_dir: Path | None) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out_dir / "report.json", report)
    plots = _plots(report, out_dir, run_dir)
    write_text_atomic(out_dir / "report.md", _markdown(report, plots))


def _markdown(report: dict, plots: list[str]) -> str:
    model, results = report["model"], report["results"]
    systems = [s for s in SYSTEMS if s in results]
    lines = [
        f"# emstd evaluation: {model} model",
        "",
        f"- evaluated: `{report['target']}` on the **{report['split']}** split, {report['n']} examples",
        f"- base model: `{report['base_model']}`",
        f"- held-out check: {report['held_out_overlap']} evaluated aliases also occur (normalized) in train "
        f"(must be 0)",
        "",
        "## Results (same examples, same prompts)",
        "",
    ]
    keys = (["vehicle_accuracy", "pollutant_accuracy", "unknown_precision", "unknown_recall", "overall_accuracy"]
            if model == "unified" else
            ["column_exact_table", "field_precision", "field_recall", "field_f1", "unmapped_accuracy", "json_valid_rate"])
    lines.append("| metric | " + " | ".join(systems) + " |")
    lines.append("| --- |" + " --- |" * len(systems))
    for k in keys:
        lines.append(f"| {k} | " + " | ".join(pct(results[s].get(k)) for s in systems) + " |")
    lines.append("| seconds | " + " | ".join(str(results[s]["seconds"]) for s in systems) + " |")
    lines += ["", "Origin project's targets (on its own, leaky split): "]
    for name, t in results["fine_tuned"]["targets"].items():
        lines.append(f"- {name}: {pct(t['value'])} vs target {pct(t['target'])}: **{'PASS' if t['pass'] else 'FAIL'}**")
    if model == "unified":
        lines += ["", "## Calibration (fine-tuned): accuracy by confidence", "", "| confidence | n | accuracy |",
                  "| --- | --- | --- |"]
        for b in results["fine_tuned"]["calibration"]:
            lines.append(f"| {b['from']:.2f}-{b['to']:.2f} | {b['n']} | {pct(b['accuracy'])} |")
        lines += ["", "## Per label (fine-tuned)", "", "| label | n | accuracy |", "| --- | --- | --- |"]
        for label, v in results["fine_tuned"]["per_label"].items():
            lines.append(f"| {label} | {v['n']} | {pct(v['accuracy'])} |")
    if report.get("checkpoints"):
        best = report.get("best_checkpoint", {})
        lines += ["", "## Checkpoints", "", "| step | headline accuracy |", "| --- | --- |"]
        for c in report["checkpoints"]:
            lines.append(f"| {c['step']} | {pct(c['headline'])} |")
        lines += ["", f"eval_loss-best checkpoint: step {best.get('by_eval_loss')}; accuracy-best: step(s) "
                      f"{best.get('by_accuracy')}; same: **{best.get('same')}**"]
    errors = results["fine_tuned"]["errors"]
    lines += ["", f"## Errors (fine-tuned): {len(errors)} total, first {min(len(errors), MAX_ERRORS_LISTED)}", ""]
    if model == "unified":
        lines += ["| task | input | expected | got | confidence |", "| --- | --- | --- | --- | --- |"]
        for e in errors[:MAX_ERRORS_LISTED]:
            lines.append(f"| {e['task']} | {_cell(e['input'])} | {e['gold']} | {e['pred']} | {e['confidence']:.2f} |")
    else:
        lines += ["| header | expected | got |", "| --- | --- | --- |"]
        for e in errors[:MAX_ERRORS_LISTED]:
            lines.append(f"| {_cell(e['header'])} | {e['gold']} | {e['pred']} |")
    if plots:
        lines += ["", "## Plots", ""] + [f"![{p}]({p})" for p in plots]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")[:80]


def _plots(report: dict, out_dir: Path, run_dir: Path | None) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    ft = report["results"]["fine_tuned"]
    if report["model"] == "unified":
        labels = list(ft["per_label"])
        fig, ax = plt.subplots(figsize=(8, max(3, 0.3 * len(labels))))
        ax.barh(labels, [ft["per_label"][k]["accuracy"] or 0 for k in labels])
        ax.set_xlim(0, 1)
        ax.set_xlabel("accuracy")
        ax.set_title("accuracy per label (fine-tuned)")
        written.append(_save(fig, out_dir / "accuracy_per_label.png"))
        written.append(_confusion_plot(plt, ft["confusion"], out_dir / "confusion.png"))
        fig, ax = plt.subplots(figsize=(5, 4))
        buckets = [b for b in ft["calibration"] if b["n"]]
        ax.bar([f"{b['from']:.2f}-{b['to']:.2f}" for b in buckets], [b["accuracy"] for b in buckets])
        ax.set_ylim(0, 1)
        ax.set_ylabel("accuracy")
        ax.set_xlabel("confidence")
        ax.set_title("calibration (fine-tuned)")
        plt.setp(ax.get_xticklabels(), rotation=30)
        written.append(_save(fig, out_dir / "calibration.png"))
    if report.get("checkpoints"):
        written.append(_checkpoint_plot(plt, report, out_dir / "accuracy_and_loss.png", run_dir))
    return [p for p in written if p]


def _confusion_plot(plt, confusion: dict, path: Path) -> str:
    labels = sorted(set(confusion) | {p for row in confusion.values() for p in row})
    grid = [[confusion.get(g, {}).get(p, 0) for p in labels] for g in labels]
    fig, ax = plt.subplots(figsize=(0.45 * len(labels) + 3, 0.45 * len(labels) + 2))
    ax.imshow(grid, cmap="Blues")
    short = [label.split(":", 1)[1][:18] for label in labels]
    ax.set_xticks(range(len(labels)), short, rotation=90, fontsize=7)
    ax.set_yticks(range(len(labels)), short, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("expected")
    ax.set_title("confusion (fine-tuned)")
    return _save(fig, path)


def _checkpoint_plot(plt, report: dict, path: Path, run_dir: Path | None) -> str:
    from emstd.train.callbacks import read_metrics

    fig, ax = plt.subplots(figsize=(7, 4))
    steps = [c["step"] for c in report["checkpoints"]]
    ax.plot(steps, [c["headline"] for c in report["checkpoints"]], "o-", color="tab:green", label="accuracy")
    ax.set_xlabel("step")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1)
    rows = read_metrics(run_dir) if run_dir is not None else []
    if rows:
        ax2 = ax.twinx()
        train = [(r["step"], r["loss"]) for r in rows if r.get("loss") is not None]
        evals = [(r["step"], r["eval_loss"]) for r in rows if r.get("eval_loss") is not None]
        if train:
            ax2.plot(*zip(*train), color="tab:blue", alpha=0.6, label="train loss")
        if evals:
            ax2.plot(*zip(*evals), "s--", color="tab:orange", label="eval loss")
        ax2.set_ylabel("loss")
        ax2.legend(loc="upper center")
    ax.legend(loc="upper left")
    ax.set_title("accuracy and loss against step")
    return _save(fig, path)


def _save(fig, path: Path) -> str:
    import matplotlib.pyplot as plt

    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, bbox_inches="tight", format="png")
    plt.close(fig)
    return path.name
