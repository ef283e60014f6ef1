"""`emstd data check DIR`: everything training relies on, checked before a GPU hour is spent.

Returns a list of problems (empty = fine), each naming the file and line. Checks: JSON format and the record
contract (docs/design.md), the system prompts, answers inside the label set (unified) or parseable JSON whose keys
are input headers and whose values are allowed fields (column), every label in every split, no alias shared
between train and test (by normalized key), no duplicate inputs, and every example within the seed's max_length
in Qwen2.5 tokens.

Leaks are looked for beyond what the metadata labels: the same input (normalized) in train and eval/test under
another alias, a test alias wrapped in a longer train request, an eval or test table (its set of normalized headers)
copied into train.
"""

from __future__ import annotations

import json
from pathlib import Path

from emstd.catalog import load_catalog
from emstd.catalog.normalize import candidate_keys, fold, key
from emstd.defaults import MAX_LENGTH
from emstd.data.records import iter_jsonl, record_problem
from emstd.data.split import SPLITS, group_key
from emstd.prompts import column_system_prompt, column_user_text, unified_system_prompt, unified_user_text

MAX_LISTED = 50  # per kind of problem; the count of the rest is reported


def check_dataset(data_dir: str | Path, tokenizer=None) -> list[str]:
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return [f"{data_dir}: not a directory. Run `emstd data build --out {data_dir}` first."]
    problems: list[str] = []
    catalog = load_catalog()
    loaded: dict[str, dict[str, list[tuple[int, dict]]]] = {"unified": {}, "column": {}}
    for model in ("unified", "column"):
        for split in SPLITS:
            path = data_dir / f"{model}_{split}.jsonl"
            loaded[model][split] = _read_jsonl(path, problems)

    for split in SPLITS:
        for line, row in loaded["unified"][split]:
            _check_unified_row(catalog, f"unified_{split}.jsonl:{line}", row, problems)
        for line, row in loaded["column"][split]:
            _check_column_row(catalog, f"column_{split}.jsonl:{line}", row, problems)

    _check_coverage(catalog, loaded, problems)
    _check_leakage(loaded, problems)
    _check_duplicates(loaded, problems)
    _check_lengths(loaded, problems, tokenizer)
    return _cap(problems)


def _read_jsonl(path: Path, problems: list[str]) -> list[tuple[int, dict]]:
    if not path.exists():
        problems.append(f"{path.name}: missing. Rebuild the dataset with `emstd data build`.")
        return []
    rows = []
    for n, row, error in iter_jsonl(path):
        problem = error or record_problem(row, need_meta=True)
        if problem:
            problems.append(f"{path.name}:{n}: {problem}")
        else:
            rows.append((n, row))
    return rows


def _known_task_and_prompt(where: str, row: dict, tasks: tuple[str, str], system_prompt, problems) -> bool:
    """Whether the record's task is one of `tasks` (else nothing more can be checked); also checks the system
    prompt is the current one."""
    task = row["meta"]["task"]
    if task not in tasks:
        problems.append(f"{where}: meta.task {task!r} is not {' or '.join(tasks)}")
        return False
    if row["messages"][0]["content"] != system_prompt():
        problems.append(f"{where}: the system prompt differs from emstd.prompts.{system_prompt.__name__}(); "
                        f"rebuild the data")
    return True


def _check_unified_row(catalog, where: str, row: dict, problems: list[str]) -> None:
    if not _known_task_and_prompt(where, row, ("vehicle", "pollutant"), unified_system_prompt, problems):
        return
    _, user, answer = (m["content"] for m in row["messages"])
    task = row["meta"]["task"]
    if user != unified_user_text(task, row["meta"]["value"], row["meta"]["candidates"]):
        problems.append(f"{where}: the user text is not the prompt of meta.value {row['meta']['value']!r} "
                        f"and meta.candidates")
    if answer not in catalog.answer_set(task):
        problems.append(f"{where}: answer {answer!r} is not a {task} label or UNKNOWN")
    elif answer != row["meta"]["label"]:
        problems.append(f"{where}: answer {answer!r} differs from meta.label {row['meta']['label']!r}")


def _check_column_row(catalog, where: str, row: dict, problems: list[str]) -> None:
    if not _known_task_and_prompt(where, row, ("micro", "macro"), column_system_prompt, problems):
        return
    _, user, answer = (m["content"] for m in row["messages"])
    task = row["meta"]["task"]
    headers = row["meta"]["headers"]
    try:
        mapping = json.loads(answer)
    except json.JSONDecodeError as exc:
        problems.append(f"{where}: the answer is not valid JSON ({exc.msg})")
        return
    if not isinstance(headers, list) or not isinstance(mapping, dict):
        problems.append(f"{where}: meta.headers must be a list and the answer a JSON object")
        return
    if user != column_user_text(headers, row["meta"]["samples"]):
        problems.append(f"{where}: the user text is not the prompt of meta.headers and meta.samples")
    extra = [k for k in mapping if k not in headers]
    if extra:
        problems.append(f"{where}: answer keys {extra} are not headers of the table")
    allowed = set(catalog.column_targets(task))
    bad = sorted({v for v in mapping.values() if v not in allowed})
    if bad:
        problems.append(f"{where}: answer values {bad} are not {task} fields or fleet-mix types")


def _check_coverage(catalog, loaded, problems: list[str]) -> None:
    for split in SPLITS:
        seen = {(r["meta"]["task"], r["meta"]["label"]) for _, r in loaded["unified"][split]}
        for task in ("vehicle", "pollutant"):
            for label in catalog.answer_set(task):
                if (task, label) not in seen:
                    problems.append(f"unified_{split}.jsonl: no example of {task} {label!r}")
        fields = set()
        for _, r in loaded["column"][split]:
            try:
                fields.update(json.loads(r["messages"][2]["content"]).values())
            except (json.JSONDecodeError, AttributeError):
                pass
        for name in catalog.field_names():
            if name not in fields:
                problems.append(f"column_{split}.jsonl: field {name!r} never appears in an answer")


def _check_leakage(loaded, problems: list[str]) -> None:
    _check_alias_leaks(loaded, problems)
    _check_value_leaks(loaded, problems)
    _check_wrapped_test_aliases(loaded, problems)
    _check_table_leaks(loaded, problems)


def _alias_group(r) -> tuple[str, str]:
    return r["meta"]["task"], group_key(r["meta"]["alias"], r["meta"]["task"])


def _check_alias_leaks(loaded, problems: list[str]) -> None:
    """What the metadata says: an alias (by its most normalized key) in train and in eval or test."""
    train = {_alias_group(r) for _, r in loaded["unified"]["train"]}
    for split in ("eval", "test"):
        for line, r in loaded["unified"][split]:
            if _alias_group(r) in train:
                problems.append(f"unified_{split}.jsonl:{line}: alias {r['meta']['alias']!r} also occurs in train (leak)")
    train_headers = {fold(h) for _, r in loaded["column"]["train"] for h in _headers(r)}
    for line, r in loaded["column"]["test"]:
        leaked = [h for h in _headers(r) if fold(h) in train_headers]
        if leaked:
            problems.append(f"column_test.jsonl:{line}: headers {leaked} also occur in train (leak)")


def _value(r) -> str:
    value = r["meta"]["value"]
    return value if isinstance(value, str) else ""


def _check_value_leaks(loaded, problems: list[str]) -> None:
    """What the records hold, whatever their meta.alias says: the same input (normalized) in train and eval/test."""
    held_out = {}
    for split in ("eval", "test"):
        for line, r in loaded["unified"][split]:
            if key(_value(r)):
                held_out.setdefault((r["meta"]["task"], key(_value(r))), (f"unified_{split}.jsonl:{line}", r))
    for line, r in loaded["unified"]["train"]:
        where, other = held_out.get((r["meta"]["task"], key(_value(r))), (None, None))
        if where and _alias_group(other) != _alias_group(r):  # a shared alias is reported by its alias already
            problems.append(f"unified_train.jsonl:{line}: value {_value(r)!r} is the input of {where} (normalized), "
                            f"under another alias (leak)")


def _check_wrapped_test_aliases(loaded, problems: list[str]) -> None:
    """A train input that holds a test alias inside a longer request: the normalizer peels it out (candidate keys),
    or its key contains the alias's key outside the train example's own alias (a catalog alias that contains a
    shorter test alias, as "refuse trucks" holds "refuse truck", is the catalog's split, not a leak)."""
    by_key: dict[tuple[str, str], tuple[str, str]] = {}  # (task, alias key) -> (alias, where), first occurrence
    for line, r in loaded["unified"]["test"]:
        task, alias = r["meta"]["task"], r["meta"]["alias"]
        if isinstance(alias, str) and key(alias):
            by_key.setdefault((task, key(alias)), (alias, f"unified_test.jsonl:{line}"))
    tests: dict[str, list[tuple[str, str, str]]] = {}  # task -> (alias key, alias, where)
    for (task, k), (alias, where) in by_key.items():
        tests.setdefault(task, []).append((k, alias, where))
    for line, r in loaded["unified"]["train"]:
        task, value, own = r["meta"]["task"], _value(r), r["meta"]["alias"]
        own_key = key(own) if isinstance(own, str) else ""
        found = next((by_key[(task, k)] for k in candidate_keys(value, task) if (task, k) in by_key), None)
        if found is None:
            rest = key(value).replace(own_key, "\0") if own_key else key(value)
            found = next(((alias, where) for k, alias, where in tests.get(task, ())
                          if k in rest and k not in own_key), None)
        if found and (task, group_key(found[0], task)) != _alias_group(r):
            problems.append(f"unified_train.jsonl:{line}: value {value!r} holds test alias {found[0]!r} ({found[1]}) "
                            f"inside a longer request (leak)")


def _check_table_leaks(loaded, problems: list[str]) -> None:
    """A whole eval or test table in train: the same set of normalized headers, in any order."""
    held_out = {}
    for split in ("eval", "test"):
        for line, r in loaded["column"][split]:
            if _headers(r):
                held_out.setdefault(frozenset(key(h) for h in _headers(r)), f"column_{split}.jsonl:{line}")
    for line, r in loaded["column"]["train"]:
        where = held_out.get(frozenset(key(h) for h in _headers(r))) if _headers(r) else None
        if where:
            problems.append(f"column_train.jsonl:{line}: the table of {where} (the same headers, normalized) (leak)")


def _headers(row) -> list[str]:
    headers = row["meta"]["headers"]
    return headers if isinstance(headers, list) else []


def _check_duplicates(loaded, problems: list[str]) -> None:
    for model in loaded:
        for split in SPLITS:
            seen: dict[str, int] = {}
            for line, r in loaded[model][split]:
                k = r["messages"][1]["content"]
                if k in seen:
                    problems.append(f"{model}_{split}.jsonl:{line}: duplicate of line {seen[k]}")
                seen.setdefault(k, line)


def _check_lengths(loaded, problems: list[str], tokenizer) -> None:
    from emstd.data.lengths import token_lengths

    for model in loaded:
        for split in SPLITS:
            rows = loaded[model][split]
            lengths = token_lengths([r["messages"] for _, r in rows], tokenizer)
            for (line, _), n in zip(rows, lengths):
                if n > MAX_LENGTH[model]:
                    problems.append(f"{model}_{split}.jsonl:{line}: {n} tokens, over max_length {MAX_LENGTH[model]}")


def _cap(problems: list[str]) -> list[str]:
    """List at most MAX_LISTED problems of one kind (same file + message shape) and count the rest."""
    out, counts = [], {}
    for p in problems:
        kind = p.split(":")[0] + p.split(": ", 1)[-1][:25]
        counts[kind] = counts.get(kind, 0) + 1
        if counts[kind] <= MAX_LISTED:
            out.append(p)
    hidden = sum(max(0, c - MAX_LISTED) for c in counts.values())
    if hidden:
        out.append(f"... and {hidden} more problems of the kinds above")
    return out
