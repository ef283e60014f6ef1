"""Review files: what emstd decided and how sure it was, for a person to correct in a spreadsheet.

`review_rows` lists answers (distinct values with their count, and table headers) below a confidence threshold and
every null, with retrieval's nearest standard values as alternatives. `write_review` writes them as CSV (UTF-8 with
a BOM, for Excel) or XLSX (with a drop-down of the allowed answers); the "correct answer" column is left empty.
`read_review` reads a filled file back as corrections (catalog.corrections), naming every bad row at once.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from pathlib import Path

from emstd.catalog import load_catalog
from emstd.catalog.corrections import Correction, allowed_answers, parse_answer
from emstd.catalog.overlay import NOT_STANDARD
from emstd.errors import InputFileError
from emstd.io import atomic_path

REVIEW_BELOW = 0.9  # default threshold: answers under this confidence are listed (and every null)
REVIEW_ALL = math.inf  # list every answer (the review page shows them all)
SUFFIXES = (".csv", ".xlsx")
TASK_ORDER = {"column": 0, "vehicle": 1, "pollutant": 2}
NOT_NAMES = ("empty", "too_long")  # answers for cells that are not names: nothing to correct
COLUMNS = ["task", "column", "value", "count", "emstd answer", "method", "confidence", "alternatives",
           "correct answer", "allowed answers"]
CORRECT = "correct answer"


# --- rows ----------------------------------------------------------------------------------------------------


def listed(answer_standard, method: str, confidence: float, below: float) -> bool:
    """Below the threshold, or a null the user's own catalog did not decide."""
    if method in NOT_NAMES:
        return False
    return confidence < below or (answer_standard is None and method != "user")


def value_rows(task: str, counts: dict[str, int], answers: dict, below: float, column: str = "") -> list[dict]:
    """Rows for distinct values of one task: `counts` value -> occurrences, `answers` value -> Answer."""
    return [{"task": task, "column": column, "value": value, "count": counts.get(value),
             "answer": a.standard, "method": a.method, "confidence": round(float(a.confidence), 4),
             "alternatives": []}
            for value, a in answers.items() if listed(a.standard, a.method, a.confidence, below)]


def header_rows(cmap, below: float, value_columns=()) -> list[dict]:
    """Rows for a table's headers (task "column"); fleet-mix columns (a vehicle type, not a field) and the
    vehicle/pollutant value columns (their values are listed instead) are left out."""
    fields = set(load_catalog().field_names())
    rows = []
    for header, target in cmap.mapping.items():
        method, confidence = cmap.methods.get(header, ""), cmap.confidence.get(header, 0.0)
        if (target is not None and target not in fields) or header in value_columns:
            continue
        if listed(target, method, confidence, below):
            rows.append({"task": "column", "column": header, "value": header, "count": None, "answer": target,
                         "method": method, "confidence": round(float(confidence), 4), "alternatives": []})
    return rows


def rows_for_inputs(inputs: list[str], answers: list, task: str, below: float) -> list[dict]:
    """Rows for `emstd standardize`: each distinct input once, with how often it was given."""
    counts = Counter(inputs)
    return value_rows(task, counts, dict(zip(inputs, answers)), below)


def add_alternatives(rows: list[dict], retrieval) -> list[dict]:
    """Each row's retrieval candidates (best first, one per standard value; None: not a standard value), sorted:
    task, then least confident first, then most frequent."""
    if retrieval is not None:
        for task in dict.fromkeys(r["task"] for r in rows):
            mine = [r for r in rows if r["task"] == task]
            for row, found in zip(mine, retrieval.search([r["value"] for r in mine], task)):
                row["alternatives"] = [{"label": c.label, "similarity": round(float(c.similarity), 4)}
                                       for c in found.candidates]
    rows.sort(key=lambda r: (TASK_ORDER.get(r["task"], 9), r["confidence"], -(r["count"] or 0), r["value"]))
    return rows


def retrieval_for(standardizer):
    """The retrieval index the standardizer's backend already has (built on first use), else one for the active
    catalog (cached on disk by its fingerprint)."""
    backend = getattr(standardizer, "backend", standardizer)
    found = getattr(backend, "retrieval", None)
    if found is not None:
        return found.get() if hasattr(found, "get") else found
    return _default_index(load_catalog())


_indexes: dict[int, object] = {}


def _default_index(catalog):
    from emstd.data.retrieval import RetrievalIndex

    if id(catalog) not in _indexes:
        _indexes.clear()  # one catalog at a time: a changed overlay gets its own index
        _indexes[id(catalog)] = (catalog, RetrievalIndex(catalog))
    return _indexes[id(catalog)][1]


# --- files ---------------------------------------------------------------------------------------------------


def check_review_path(path: Path, *others: Path) -> None:
    """Before any work: a .csv/.xlsx path that is not an input or output of the same command, and not a review
    file someone has started filling in."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise InputFileError(f"--review {path}: give a .csv or .xlsx file name.")
    for other in others:
        if other is not None and Path(other).resolve() == path.resolve():
            raise InputFileError(f"--review {path}: the same file as {other}; give another name.")
    if path.exists():
        filled = _filled_cells(path)
        if filled is None:
            raise InputFileError(f"--review {path}: the file exists and is not a review file; give another name.")
        if filled:
            raise InputFileError(f"--review {path}: the file holds {filled} filled correct answer(s); import "
                                 f"them first (emstd catalog import-review {path} --out OVERLAY.yaml) or give "
                                 f"another --review name.")


def _filled_cells(path: Path) -> int | None:
    """How many correct-answer cells of an existing review file are filled; None if it is not a review file."""
    try:
        header, rows = _read_table(path)
    except InputFileError:
        return None
    names = [str(h or "").strip().lower() for h in header]
    if CORRECT not in names:
        return None
    i = names.index(CORRECT)
    return sum(1 for r in rows if i < len(r) and (r[i] or "").strip())


def write_review(rows: list[dict], path: Path) -> None:
    catalog = load_catalog()
    records = [_record(r, catalog) for r in rows]
    path = Path(path)
    with atomic_path(path) as tmp:
        if path.suffix.lower() == ".xlsx":
            _write_xlsx(records, tmp, catalog)
        else:
            with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
                writer = csv.DictWriter(f, COLUMNS)
                writer.writeheader()
                writer.writerows(records)


def _record(row: dict, catalog) -> dict:
    alts = "; ".join(f"{a['label'] or NOT_STANDARD} ({a['similarity']:.2f})" for a in row.get("alternatives", []))
    return {"task": row["task"], "column": row.get("column", ""), "value": row["value"],
            "count": "" if row.get("count") is None else row["count"],
            "emstd answer": row["answer"] if row["answer"] is not None else NOT_STANDARD, "method": row["method"],
            "confidence": f"{row['confidence']:.2f}", "alternatives": alts, CORRECT: "",
            "allowed answers": "one of: " + " | ".join(allowed_answers(catalog, row["task"]))}


def _write_xlsx(records: list[dict], target: Path, catalog) -> None:
    """A 'review' sheet (text cells, so "21" stays "21") with a drop-down of the allowed answers per task, taken
    from an 'allowed answers' sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    sheet = wb.active
    sheet.title = "review"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r in records:
        sheet.append([str(r[c]) for c in COLUMNS])
    lists = wb.create_sheet("allowed answers")
    tasks = list(dict.fromkeys(r["task"] for r in records)) or ["vehicle"]
    correct_col = chr(ord("A") + COLUMNS.index(CORRECT))
    for i, task in enumerate(tasks):
        col = chr(ord("A") + i)
        choices = allowed_answers(catalog, task)
        lists[f"{col}1"] = task
        for j, choice in enumerate(choices, start=2):
            lists[f"{col}{j}"] = choice
        rows = [n for n, r in enumerate(records, start=2) if r["task"] == task]
        if rows:
            dv = DataValidation(type="list", formula1=f"'allowed answers'!${col}$2:${col}${len(choices) + 1}",
                                allow_blank=True, showErrorMessage=True, errorTitle="not an allowed answer",
                                error=f"Pick a {task} standard value or '{NOT_STANDARD}'.")
            dv.add(f"{correct_col}{min(rows)}:{correct_col}{max(rows)}")
            sheet.add_data_validation(dv)
    for col, width in zip("ABCDEFGHIJ", (9, 18, 28, 7, 28, 10, 10, 60, 28, 40)):
        sheet.column_dimensions[col].width = width
    sheet.freeze_panes = "A2"
    wb.save(target)


def read_review(path: Path, catalog=None, strict: bool = True) -> list[Correction]:
    """The filled rows of a review file as corrections (rows with an empty correct answer are skipped). Every bad
    row is named at once (InputFileError); `strict=False` skips bad rows instead."""
    path = Path(path)
    catalog = catalog or load_catalog()
    header, rows = _read_table(path)
    names = [str(h or "").strip().lower() for h in header]
    missing = [c for c in ("task", "value", CORRECT) if c not in names]
    if missing:
        raise InputFileError(f"{path}: not a review file: no {', '.join(repr(m) for m in missing)} column "
                             f"(write one with --review on standardize or standardize-table).")
    at = {c: names.index(c) for c in ("task", "value", CORRECT, "emstd answer") if c in names}
    corrections, problems = [], []
    for n, row in enumerate(rows, start=2):
        cell = lambda c: "" if at.get(c) is None or at[c] >= len(row) or row[at[c]] is None else str(row[at[c]])  # noqa: E731
        answer = cell(CORRECT).strip()
        if not answer:
            continue
        task = cell("task").strip().lower()
        if task not in ("vehicle", "pollutant", "column"):
            problems.append(f"{path.name} row {n}: task {task!r}: use vehicle, pollutant or column")
            continue
        ok, label, problem = parse_answer(catalog, task, answer)
        if not ok:
            problems.append(f"{path.name} row {n} ({cell('value')!r}): correct answer {problem}")
            continue
        emstd = cell("emstd answer").strip()
        corrections.append(Correction(task, cell("value"), label, f"{path.name} row {n}",
                                      None if emstd in ("", NOT_STANDARD) else emstd))
    if problems and strict:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise InputFileError(f"{path}: {len(problems)} row(s) cannot be imported:\n{lines}")
    return corrections


def _read_table(path: Path) -> tuple[list, list[list]]:
    if not path.is_file():
        raise InputFileError(f"{path}: no such file.")
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same user problem
            raise InputFileError(f"{path}: not a readable .xlsx file ({type(exc).__name__}).") from None
        sheet = wb["review"] if "review" in wb.sheetnames else wb.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        wb.close()
    elif path.suffix.lower() == ".csv":
        text = _decode(path)
        rows = list(csv.reader(io.StringIO(text), _dialect(text)))
    else:
        raise InputFileError(f"{path}: a review file is .csv or .xlsx.")
    if not rows:
        raise InputFileError(f"{path}: the file is empty.")
    return rows[0], [[_text(v) for v in r] for r in rows[1:]]


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV in the ANSI code page
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputFileError(f"{path}: neither UTF-8 nor GB18030 text. Save it as 'CSV UTF-8' in Excel.")


def _dialect(text: str):
    """Excel saves CSV with ';' in some locales."""
    try:
        return csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _text(value) -> str | None:
    """A cell as text: Excel may turn "21" into the number 21.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return None if value is None else str(value)
