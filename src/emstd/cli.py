"""The `emstd` command line: thin commands over the library. Heavy imports live inside commands so that
`emstd --help` is instant. Domain errors (EmstdError) become one clear line on stderr and exit code 2.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from emstd.cli_options import BackendFlags, CatalogOpt, backend_options, use_catalog
from emstd.errors import EmstdError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Standardize traffic-emission data (MOVES).")
data_app = typer.Typer(no_args_is_help=True, help="Build and check the training datasets.")
dev_app = typer.Typer(no_args_is_help=True, help="Developer tools (offline tiny model, tokenizer).")
catalog_app = typer.Typer(no_args_is_help=True, help="Your own names: catalog overlays from reviewed answers.")
app.add_typer(data_app, name="data")
app.add_typer(catalog_app, name="catalog")
app.add_typer(dev_app, name="dev")


class ValueTask(str, Enum):
    vehicle = "vehicle"
    pollutant = "pollutant"


class TableTaskOpt(str, Enum):
    micro = "micro"
    macro = "macro"
    auto = "auto"


# Caps on XLSX input, checked before the workbook is parsed (emstd.infer.xlsx_limits); defaults fit real tables.
XlsxMbOpt = typer.Option(200.0, "--max-xlsx-mb", help="Cap on an .xlsx file's uncompressed size, in MB.")
XlsxCellsOpt = typer.Option(20_000_000, "--max-xlsx-cells", min=1, help="Cap on the cells of an .xlsx sheet.")


def _xlsx_limits(max_mb: float, max_cells: int):
    from emstd.infer.xlsx_limits import XlsxLimits

    if not max_mb > 0:  # also NaN
        raise EmstdError(f"--max-xlsx-mb {max_mb}: give a size in MB above 0.")
    return XlsxLimits(max_mb, max_cells)


# Review files (emstd.infer.review): what a person should look at, written for a spreadsheet.
ReviewOpt = typer.Option(None, "--review", help="Also write the answers to check (below --review-below, and every "
                                                "null) to this .csv or .xlsx, with an empty 'correct answer' column "
                                                "for `emstd catalog import-review`.")
ReviewBelowOpt = typer.Option(0.9, "--review-below", min=0.0, max=1.0,
                              help="With --review: list answers whose confidence is under this.")


def _say(message: str) -> None:
    typer.echo(message, err=True)


# --- data ---------------------------------------------------------------------------------------------------


@data_app.command("build")
def data_build(
    out: Path = typer.Option(Path("data"), "--out", help="Directory for the JSONL files and stats.json."),
    seed: int = typer.Option(42, "--seed", help="Random seed; the same seed gives the same files."),
    catalog: Optional[Path] = CatalogOpt,
):
    """Build unified_{train,eval,test}.jsonl, column_{...}.jsonl and stats.json (with --catalog: your overlay's
    names too, split by alias group like the rest)."""
    import time

    from emstd.data.build import build_dataset

    use_catalog(catalog)
    start = time.perf_counter()
    stats = build_dataset(out, seed=seed, progress=lambda m: _say(f"[data] {m}"))
    for model in ("unified", "column"):
        sizes = stats[model]["sizes"]
        tokens = stats[model]["tokens"]["train"]
        typer.echo(
            f"{model}: train {sizes['train']}, eval {sizes['eval']}, test {sizes['test']} examples; "
            f"train tokens p50 {tokens['p50']:.0f}, p99 {tokens['p99']:.0f}, max {tokens['max']}"
        )
    typer.echo(f"wrote {out}/ in {time.perf_counter() - start:.1f} s")


@data_app.command("check")
def data_check(data_dir: Path = typer.Argument(..., help="A directory written by `emstd data build`."),
               catalog: Optional[Path] = CatalogOpt):
    """Check a dataset directory; exit 1 with the list of problems, or exit 0."""
    from emstd.data.check import check_dataset

    use_catalog(catalog)
    problems = check_dataset(data_dir)
    if problems:
        typer.echo(f"{data_dir}: {len(problems)} problem(s):")
        for p in problems:
            typer.echo(f"  - {p}")
        raise typer.Exit(1)
    typer.echo(f"{data_dir}: ok")


# --- standardize ----------------------------------------------------------------------------------------------


def _read_values(path: Path) -> list[str]:
    from emstd.errors import InputFileError

    if not path.exists():
        raise InputFileError(f"{path}: no such file. Give a UTF-8 text file with one value per line.")
    if path.is_dir():
        raise InputFileError(f"{path}: is a directory. Give a UTF-8 text file with one value per line.")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputFileError(f"{path}, line {line}: not UTF-8 text. Re-save the file as UTF-8.") from exc
    # split on line ends only: str.splitlines() would also split a value at \f, \x1c-\x1e, \x85, \u2028, \u2029
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


@app.command()
@backend_options
def standardize(
    task: ValueTask = typer.Argument(..., help="vehicle or pollutant"),
    values: Optional[list[str]] = typer.Argument(None, help="Values to standardize."),
    from_file: Optional[Path] = typer.Option(None, "--from", help="A UTF-8 file, one value per line."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per input, one per line."),
    review: Optional[Path] = ReviewOpt,
    review_below: float = ReviewBelowOpt,
    backend: BackendFlags = None,
):
    """Standardize vehicle-type or pollutant names onto the catalog's labels (or null)."""
    inputs = list(values or [])
    if from_file is not None:
        inputs += _read_values(from_file)
    if not inputs:
        raise EmstdError("no values given. Pass values as arguments or --from FILE.")
    if review is not None:
        from emstd.infer.review import check_review_path

        check_review_path(review, from_file)
    standardizer = backend.standardizer(_say)
    answers = standardizer.standardize(inputs, task.value)
    for value, answer in zip(inputs, answers):
        if as_json:
            typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False))
        else:
            typer.echo(f"{value}\t{answer.standard or '-'}\t{answer.method}\t{answer.confidence:.2f}")
    if review is not None:
        from emstd.infer.review import add_alternatives, retrieval_for, rows_for_inputs, write_review

        rows = rows_for_inputs(inputs, answers, task.value, review_below)
        write_review(add_alternatives(rows, retrieval_for(standardizer) if rows else None), review)
        _say(f"[review] {len(rows)} answer(s) to check written to {review}")


@app.command("map-columns")
@backend_options
def map_columns(
    file: Path = typer.Argument(..., help="A CSV, XLSX or Parquet table."),
    task: TableTaskOpt = typer.Option(TableTaskOpt.auto, "--task"),
    sheet: Optional[str] = typer.Option(None, "--sheet", help="Excel sheet name (default: the first)."),
    as_json: bool = typer.Option(False, "--json"),
    emit: Optional[str] = typer.Option(None, "--emit", help="sql: print the standardization as one SQL SELECT "
                                                             "(runs in DuckDB and Spark SQL)."),
    convert_units: bool = typer.Option(True, "--convert-units/--no-convert-units",
                                       help="With --emit sql: convert units in the SQL (default yes)."),
    max_xlsx_mb: float = XlsxMbOpt, max_xlsx_cells: int = XlsxCellsOpt,
    backend: BackendFlags = None,
):
    """Map a table's headers onto the standard micro or macro fields (a known native table by its profile)."""
    from emstd.infer.table_plan import build_plan
    from emstd.infer.tables import open_table, samples_of

    if emit not in (None, "sql"):
        raise EmstdError(f"--emit {emit!r}: the only plan format is sql.")
    limits = _xlsx_limits(max_xlsx_mb, max_xlsx_cells)
    backend.load()  # the backend options, checked before the table is read
    source = open_table(file, sheet=sheet, xlsx_limits=limits)
    head = source.head()  # only the first rows: a table of any size maps in the same time
    standardizer = backend.standardizer(_say)
    result = standardizer.map_columns(source.headers, samples_of(head), None if task == TableTaskOpt.auto else task.value)
    if emit == "sql":
        from emstd.infer.sql_plan import plan_sql
        from emstd.infer.table_plan import apply_plan

        plan = build_plan(source.headers, result, head, convert_units, raw=set(result.raw_columns))
        apply_plan(plan, head, standardizer)  # the value columns' CASE maps: the distinct values of these rows
        typer.echo(plan_sql(plan))
        return
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    typer.echo(f"task: {result.task}" + (f" (profile {result.profile})" if result.profile else ""))
    for h in source.headers:
        typer.echo(f"{h}\t{result.mapping[h] or '-'}\t{result.units[h] or ''}\t{result.confidence[h]:.2f}")
    for note in source.notes + result.notes:
        typer.echo(f"note: {note}")


@app.command("standardize-table")
@backend_options
def standardize_table(
    file: Path = typer.Argument(..., help="A CSV, XLSX or Parquet table (never modified)."),
    out: Path = typer.Option(..., "--out", help="Output table (.csv, .xlsx or .parquet; OUT.report.json beside it), "
                                                "or with --to moves a new directory of MOVES tables."),
    task: TableTaskOpt = typer.Option(TableTaskOpt.auto, "--task"),
    sheet: Optional[str] = typer.Option(None, "--sheet", help="Excel sheet name (default: the first)."),
    convert_units: bool = typer.Option(False, "--convert-units", help="Convert values into the standard units."),
    to: Optional[str] = typer.Option(None, "--to", help="moves: write MOVES project-scale input tables into --out DIR."),
    road_type: Optional[int] = typer.Option(None, "--road-type", min=1, max=5, help="--to moves: MOVES roadTypeID "
                                            "(1-5) of every link, when the table has no roadTypeID column."),
    county: Optional[int] = typer.Option(None, "--county", min=1, help="--to moves: MOVES countyID, when the table "
                                                                        "has none."),
    link_id: Optional[str] = typer.Option(None, "--link-id", help="--to moves: linkID of a drive schedule without a "
                                                                   "link column."),
    engine: str = typer.Option("python", "--engine", help="python (default, streams) | duckdb (larger-than-memory "
                                                           "CSV/Parquet, via the plan's SQL)."),
    max_xlsx_mb: float = XlsxMbOpt, max_xlsx_cells: int = XlsxCellsOpt,
    review: Optional[Path] = ReviewOpt,
    review_below: float = ReviewBelowOpt,
    backend: BackendFlags = None,
):
    """Standardize a whole table: rename mapped columns, standardize vehicle/pollutant values, write a report."""
    from emstd.infer.table_job import check_request, standardize_table as run

    limits = _xlsx_limits(max_xlsx_mb, max_xlsx_cells)
    check_request(file, out, to, engine)  # the output path, before a model loads
    if review is not None:
        from emstd.infer.review import check_review_path

        check_review_path(review, file, out)
    standardizer = backend.standardizer(_say)
    report = run(
        standardizer, file, out, task=None if task == TableTaskOpt.auto else task.value,
        convert_units=convert_units, sheet=sheet, progress=lambda m: _say(f"[table] {m}"), to=to,
        road_type=road_type, county=county, link_id=link_id, engine=engine,
        xlsx_limits=limits, review_below=review_below if review else None,
    )
    if review is not None:
        from emstd.infer.review import write_review

        write_review(report["review"]["rows"], review)
        _say(f"[review] {len(report['review']['rows'])} answer(s) to check written to {review}")
    mapped = sum(1 for c in report["columns"] if c["field"])
    profile = f" ({report['profile']})" if report.get("profile") else ""
    typer.echo(f"{report['task']} table{profile}, {report['rows']} rows: {mapped}/{len(report['columns'])} columns mapped")
    for c in report["columns"]:
        conv = f" ({c['conversion']['from']} -> {c['conversion']['to']})" if c.get("conversion") else ""
        typer.echo(f"  {c['source']} -> {c['field'] or '-'}{conv}")
    for v in report["value_columns"]:
        typer.echo(f"  {v['source']} -> {v['output']}: {v['resolved']}/{v['distinct']} distinct values standardized")
    if to == "moves":
        tables = ", ".join(f"{name} ({n} rows)" for name, n in report["moves"]["tables"].items())
        typer.echo(f"wrote {out}/: {tables}; report.json")
    else:
        typer.echo(f"wrote {out} and {out}.report.json")


@app.command()
def quickstart(
    out: Path = typer.Option(Path("out/quickstart"), "--out", help="Where the data, run, report and tables go."),
    seed: int = typer.Option(42, "--seed"),
    model: str = typer.Option("smollm2", "--model", help="smollm2 (real weights, ~20 min) | tiny (random, seconds)"),
    steps: Optional[int] = typer.Option(None, "--steps", help="Training steps (default: the CPU config's)."),
    eval_limit: int = typer.Option(200, "--eval-limit", help="Test examples to evaluate (0 = all)."),
    with_column: bool = typer.Option(False, "--with-column", help="Also train the column adapter (~45 min on CPU)."),
    column_steps: Optional[int] = typer.Option(None, "--column-steps", help="Column training steps (default: the "
                                                                             "CPU config's)."),
    catalog: Optional[Path] = CatalogOpt,
):
    """The main job: data, a real adapter trained on CPU, evaluation against baselines and on the realworld set,
    the sample tables."""
    from emstd.eval.metrics import pct as _pct
    from emstd.quickstart import run_quickstart

    use_catalog(catalog)
    if model not in ("smollm2", "tiny"):
        raise EmstdError(f"--model {model!r}: use smollm2 or tiny.")
    s = run_quickstart(out, seed=seed, model=model, steps=steps, eval_limit=eval_limit or None,
                       with_column=with_column, column_steps=column_steps, say=_say)
    typer.echo("")
    typer.echo(f"emstd quickstart summary ({s['model']}, {s['seconds']} s in all)")
    for name, sizes in s["dataset"].items():
        typer.echo(f"  {name} dataset: train {sizes['train']}, eval {sizes['eval']}, test {sizes['test']}")
    t = s["train"]
    typer.echo(f"  training: eval loss {t['eval_loss']}, median {t['tokens_per_s_median']} tokens/s; "
               f"curve {t['loss_plot']}")
    typer.echo("  test split (names never seen in training):")
    for system, r in s["eval"].items():
        typer.echo(f"    {system:10s} vehicle {_pct(r['vehicle_accuracy'])}  pollutant {_pct(r['pollutant_accuracy'])}  "
                   f"UNKNOWN recall {_pct(r['unknown_recall'])}  overall {_pct(r['overall_accuracy'])}")
    typer.echo(f"  report: {s['report']} (plots beside it)")
    routing = s.get("routing") or {}
    if routing.get("model_threshold") is not None:
        typer.echo(f"  routing (eval split): retrieval answers at confidence >= {routing['model_threshold']}, the "
                   f"adapter below where it is >= {routing.get('model_floor', 0.0)} sure; {routing['accuracy']}")
    typer.echo("  realworld set (sources the catalog never saw), accuracy / header F1:")
    for task, systems in s["realworld"].items():
        typer.echo(f"    {task:9s} " + "  ".join(f"{name} {_pct(v)}" for name, v in systems.items()))
    typer.echo(f"  realworld report: {s['realworld_report']} (per source family)")
    for tb in s["tables"]:
        values = "; ".join(f"{v['source']}: {v['resolved']}/{v['distinct']} values" for v in tb["values"])
        typer.echo(f"  {tb['input']} ({tb['task']}): {tb['mapped']} columns mapped{'; ' + values if values else ''}"
                   f" -> {tb['output']}")


@app.command("eval")
def evaluate(
    target: Optional[Path] = typer.Argument(None, help="A run dir (final/ and checkpoint-N/) or an adapter dir "
                                                        "(optional with --realworld)."),
    realworld: bool = typer.Option(False, "--realworld", help="Score rules, retrieval, rules+retrieval and, given a "
                                                              "run, its model and auto on the realworld set, per source "
                                                              "family."),
    column_run: Optional[Path] = typer.Option(None, "--column-run", help="--realworld: a column run to score on the "
                                                                          "realworld tables."),
    data: Path = typer.Option(Path("data"), "--data", help="Dataset dir from `emstd data build`."),
    split: str = typer.Option("test", "--split", help="train | eval | test"),
    limit: Optional[int] = typer.Option(None, "--limit", help="Evaluate a seeded random subset of N examples."),
    out: Optional[Path] = typer.Option(None, "--out", help="Report dir (default: RUN/eval_SPLIT)."),
    baselines: bool = typer.Option(True, "--baselines/--no-baselines", help="Also score rules and the zero-shot base."),
    checkpoints: bool = typer.Option(True, "--checkpoints/--no-checkpoints", help="Also score every checkpoint-N."),
    catalog: Optional[Path] = CatalogOpt,
):
    """Accuracy on the held-out split (with the rules and zero-shot baselines, per checkpoint, and the routing
    threshold for auto), or with --realworld on names and tables from sources the catalog never saw."""
    if realworld:
        from emstd.eval.realworld_run import realworld_runs, run_realworld

        unified, column = realworld_runs(target, column_run)
        report = run_realworld(out or Path("out/realworld"), unified, column, say=_say)
        typer.echo(f"wrote {report['out_dir']}/report.md and report.json")
        return
    if target is None:
        raise EmstdError("give a run dir or adapter dir to evaluate, or --realworld.")
    from emstd.eval.run import run_eval

    use_catalog(catalog)
    if split not in ("train", "eval", "test"):
        raise EmstdError(f"--split {split!r}: use train, eval or test.")
    report = run_eval(target, data, split, limit, out, baselines=baselines, checkpoints=checkpoints, say=_say)
    typer.echo(f"wrote {report['out_dir']}/report.md, report.json and plots")


# --- catalog --------------------------------------------------------------------------------------------------


@catalog_app.command("import-review")
def catalog_import_review(
    review: Path = typer.Argument(..., help="A filled review file (.csv or .xlsx) from --review."),
    out: Path = typer.Option(..., "--out", help="The catalog overlay YAML to write (use it with --catalog)."),
    merge: bool = typer.Option(False, "--merge", help="Extend --out when it exists (its entries are kept; YAML "
                                                      "comments are not)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be added; write nothing."),
):
    """Turn the filled 'correct answer' cells of a review file into catalog overlay entries, and show the diff."""
    from emstd.infer.review_import import import_review

    result = import_review(review, out, merge=merge, dry_run=dry_run)
    for line in result["unchanged"]:
        _say(f"[import] {line}")
    if result["diff"]:
        typer.echo(result["diff"], nl=False)
    typer.echo(f"{len(result['added'])} entr{'y' if len(result['added']) == 1 else 'ies'} added, "
               f"{len(result['unchanged'])} already known" + ("; nothing written (--dry-run)" if dry_run else
                                                              f"; wrote {out}" if result["written"] else ""))
    for note in result["notes"]:
        _say(f"[import] note: {note}")


# --- train ----------------------------------------------------------------------------------------------------


@app.command()
def train(
    config: Path = typer.Argument(..., help="A training config, e.g. configs/unified_lora.yaml."),
    overrides: Optional[list[str]] = typer.Option(
        None, "--set", help="Override a config key, e.g. --set training.max_steps=4 (value read as YAML)."
    ),
    resume: bool = typer.Option(False, "--resume", help="Continue from the run dir's latest checkpoint-N."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Download nothing; print parameter counts, steps and a GPU memory estimate."
    ),
    catalog: Optional[Path] = CatalogOpt,
):
    """Train an adapter as the config says (works under `accelerate launch -m emstd.cli train ...`)."""
    from emstd.train.run import run_train

    use_catalog(catalog)
    run_train(config, resume=resume, dry_run=dry_run, overrides=list(overrides or []))


# --- serve ----------------------------------------------------------------------------------------------------


@app.command()
@backend_options
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (loopback by default)."),
    port: int = typer.Option(8000, "--port", help="TCP port (0: any free one; checked with the other flags)."),
    backend: BackendFlags = None,
    max_values: Optional[int] = typer.Option(None, "--max-values", help="Values per /v1/standardize request."),
    max_value_chars: Optional[int] = typer.Option(None, "--max-value-chars", help="Characters per value or header."),
    max_headers: Optional[int] = typer.Option(None, "--max-headers", help="Headers per /v1/map-columns request."),
    max_upload_bytes: Optional[int] = typer.Option(None, "--max-upload-bytes", help="Bytes of an uploaded table."),
    max_json_bytes: Optional[int] = typer.Option(None, "--max-json-bytes", help="Bytes of a JSON request body."),
    max_xlsx_mb: Optional[float] = typer.Option(None, "--max-xlsx-mb", help="MB an uploaded .xlsx may unpack to."),
    max_xlsx_cells: Optional[int] = typer.Option(None, "--max-xlsx-cells", help="Cells of an uploaded .xlsx sheet."),
    batch_window_ms: Optional[float] = typer.Option(
        None, "--batch-window-ms", help="How long a request waits for others to share its model call."),
    max_batch_values: Optional[int] = typer.Option(None, "--max-batch-values", help="Values per batched model call."),
    table_workers: Optional[int] = typer.Option(
        None, "--table-workers", help="Uploaded tables read and written at once (their model calls still queue)."),
):
    """Serve the standardizer over HTTP (docs at /docs). With EMSTD_API_KEY set, every endpoint but /health needs it."""
    from emstd.errors import ConfigError
    from emstd.serve import launch
    from emstd.serve.app import create_app

    given = dict(max_values=max_values, max_value_chars=max_value_chars, max_headers=max_headers,
                 max_upload_bytes=max_upload_bytes, max_json_bytes=max_json_bytes, max_xlsx_mb=max_xlsx_mb,
                 max_xlsx_cells=max_xlsx_cells, batch_window_ms=batch_window_ms, max_batch_values=max_batch_values,
                 table_workers=table_workers)
    settings = launch.settings_from_flags(given, port)
    # Check the backend options now (exit 2 on a mistake); the models themselves load after the server is up.
    try:
        backend.load()
    except ConfigError as exc:
        raise launch.one_line(exc) from None
    from emstd.catalog import load_catalog

    load_catalog()  # and the catalog overlay (--catalog or EMSTD_CATALOG): refused now, not after start-up
    sock = launch.listen(host, port)
    if host not in ("127.0.0.1", "localhost", "::1") and settings.api_key is None:
        _say(f"[serve] warning: listening on {host} without an API key; set EMSTD_API_KEY to require one")
    launch.serve(create_app(lambda: backend.standardizer(_say), settings), sock, host)


@app.command("vllm-command")
def vllm_command(
    base_model: Optional[str] = typer.Option(None, "--base-model", help="Hub id or dir (default: the production base model)."),
    unified_adapter: Optional[str] = typer.Option(None, "--unified-adapter", help="Default runs/unified_lora/final."),
    column_adapter: Optional[str] = typer.Option(None, "--column-adapter", help="Default runs/column_lora/final."),
    max_model_len: Optional[int] = typer.Option(None, "--max-model-len", min=1,
                                                help="Default: fits the longest prompt and answer."),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8001, "--port", min=1, max=65535),
):
    """Print the `vllm serve` line for the base model and both adapters (for --backend remote --url)."""
    from emstd.serve import vllm

    given = dict(base_model=base_model, unified_adapter=unified_adapter, column_adapter=column_adapter,
                 max_model_len=max_model_len)
    typer.echo(vllm.vllm_command(**{k: v for k, v in given.items() if v is not None}, host=host, port=port))
    if max_model_len is None:
        _say(f"# --max-model-len {vllm.default_max_model_len()}: column prompts are up to "
             f"{vllm.COLUMN_PROMPT_MAX_TOKENS} tokens plus up to {vllm.COLUMN_ANSWER_MAX_TOKENS} generated "
             f"(the local backend stops at {vllm.COLUMN_MAX_NEW_TOKENS}): {vllm.needed_model_len()}, "
             f"x{vllm.HEADROOM} for tables wider than the training ones")
    _say(f"# --max-lora-rank {vllm.MAX_LORA_RANK} --max-loras {vllm.MAX_LORAS}: the column adapter is r=32 and both "
         f"adapters are used in one batch (vLLM defaults: 16 and 1)")


# --- dev ------------------------------------------------------------------------------------------------------


@dev_app.command("tiny-model")
def dev_tiny_model(
    out: Path = typer.Option(..., "--out", help="A new or empty directory for the model and tokenizer."),
    force: bool = typer.Option(False, "--force", help="Replace a directory this command wrote before."),
):
    """A tiny random Qwen2 model with the real Qwen2.5 tokenizer, saved offline (for tests)."""
    from emstd.dev.tiny_model import save_tiny_model

    save_tiny_model(out, force=force)
    typer.echo(f"wrote {out}/")


def _click_errors():
    try:  # typer 0.2x vendors its own click
        from typer._click import exceptions
    except ImportError:
        from click import exceptions
    return exceptions


def main() -> None:
    click = _click_errors()
    try:
        code = app(standalone_mode=False)
    except EmstdError as exc:
        _say(f"error: {exc}")
        sys.exit(2)
    except click.NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.UsageError as exc:  # a bad option value, a missing argument: one line, like our own errors
        where = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx is not None else ""
        _say(f"error: {exc.format_message()}{where}")
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        _say(f"error: {exc.format_message()}")
        sys.exit(exc.exit_code)
    except typer.Abort:
        _say("aborted")
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
