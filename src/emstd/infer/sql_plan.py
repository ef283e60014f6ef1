"""The standardization as one portable SQL SELECT (renames, unit conversions, CASE maps of value columns).

The text runs unchanged in DuckDB and in Spark SQL (3.4+): identifiers in backticks (both accept them; Spark reads
double quotes as strings), TRY_CAST(... AS DOUBLE) (NULL for text that is not a number in both), TAN/RADIANS/ROUND,
searched CASE, and string literals without quotes or backslashes inside (Spark escapes with backslashes, DuckDB
does not: such characters are spliced in with CHR()). The source relation is called `source`: a DuckDB view over
read_csv/read_parquet, or a Spark temporary view.
"""

from __future__ import annotations

from emstd.infer import units as U
from emstd.infer.table_plan import MappedColumn, TablePlan

SOURCE = "source"
_SPLICED = {"'": 39, "\\": 92, "\n": 10, "\r": 13}


def plan_sql(plan: TablePlan, value_maps: dict[str, dict[str, str | None]] | None = None) -> str:
    """value_maps: per value column, distinct value -> standard label (default: the answers seen so far)."""
    lines = []
    by_target: dict[str, list[MappedColumn]] = {}
    for m in plan.mapped:
        by_target.setdefault(m.target, []).append(m)
    for target, columns in by_target.items():
        if len(columns) == 1:
            lines.append(f"{_converted(columns[0], plan.round_digits)} AS {ident(target)}")
        else:  # fleet-mix columns of one source type add up (null only where all are)
            numbers = [f"TRY_CAST({_converted(m, plan.round_digits)} AS DOUBLE)" for m in columns]
            total = " + ".join(f"COALESCE({n}, 0)" for n in numbers)
            lines.append(f"CASE WHEN {' AND '.join(f'{n} IS NULL' for n in numbers)} THEN NULL ELSE {total} END "
                         f"AS {ident(target)}")
    for v in plan.values:
        answers = (value_maps or {}).get(v.source) or {k: a.standard for k, a in v.answers.items()}
        lines.append(f"{_case(v.source, answers)} AS {ident(v.output)}")
    for source, name in plan.kept:
        lines.append(f"{ident(source)} AS {ident(name)}")
    return "SELECT\n  " + ",\n  ".join(lines) + f"\nFROM {SOURCE}"


def ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def literal(text: str) -> str:
    """A string literal both dialects read the same way."""
    parts, plain = [], ""
    for ch in text:
        if ch in _SPLICED:
            if plain:
                parts.append(f"'{plain}'")
            parts.append(f"CHR({_SPLICED[ch]})")
            plain = ""
        else:
            plain += ch
    if plain or not parts:
        parts.append(f"'{plain}'")
    return " || ".join(parts) if len(parts) > 1 else parts[0]


def _converted(m: MappedColumn, digits: int | None) -> str:
    col = ident(m.source)
    if m.conversion is None:
        return col
    number = f"TRY_CAST({col} AS DOUBLE)"
    if m.unit == "deg":
        expr = f"TAN(RADIANS({number})) * 100.0"
    elif m.unit in U.EPOCH_PER_SECOND:
        origin = repr(float(m.origin)) if m.origin is not None else f"MIN({number}) OVER ()"
        scale = U.EPOCH_PER_SECOND[m.unit]
        expr = f"({number} - {origin})" + (f" / {scale!r}" if scale != 1 else "")
    else:
        expr = f"{number} * {U.FACTORS[m.unit][1]!r}"
    return f"ROUND({expr}, {digits})" if digits is not None else expr


def _case(source: str, answers: dict[str, str | None]) -> str:
    whens = [f"WHEN {literal(value)} THEN {literal(label)}" for value, label in answers.items() if label is not None]
    if not whens:
        return "CAST(NULL AS STRING)"
    return f"CASE {ident(source)} " + " ".join(whens) + " ELSE NULL END"
