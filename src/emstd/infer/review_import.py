"""`emstd catalog import-review`: a filled review file -> entries of a catalog overlay, with a diff.

Nothing is overwritten silently: an existing overlay is extended only with `merge=True` (its entries are kept, and
a correction that contradicts one of them is refused), and the diff shows every line the file gains.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from emstd.catalog import builtin_catalog
from emstd.catalog.corrections import HEADER, add_corrections, check_overlay, dump_overlay
from emstd.catalog.overlay import apply_overlay, parse_overlay
from emstd.errors import InputFileError
from emstd.infer.review import read_review
from emstd.io import write_text_atomic

OVERLAY_SUFFIXES = (".yaml", ".yml")


def import_review(review: str | Path, out: str | Path, merge: bool = False, dry_run: bool = False) -> dict:
    """{"added", "unchanged", "diff", "written", "notes"}; InputFileError names every row that cannot be imported."""
    review, out = Path(review), Path(out)
    _check_paths(review, out, merge)
    base = builtin_catalog()
    old_text, existing, catalog = "", None, base
    if out.exists():
        old_text = out.read_text(encoding="utf-8-sig")
        existing = parse_overlay(old_text, str(out))
        catalog = apply_overlay(base, existing, str(out))
    additions = add_corrections(catalog, read_review(review, catalog), existing)
    if additions.problems:
        lines = "\n".join(f"  - {p}" for p in additions.problems)
        raise InputFileError(f"{review}: {len(additions.problems)} correction(s) cannot be imported (nothing was "
                             f"written):\n{lines}")
    new_text = dump_overlay(additions.overlay)
    check_overlay(base, additions.overlay, str(out))  # what is written loads
    diff = "".join(difflib.unified_diff(old_text.splitlines(keepends=True), new_text.splitlines(keepends=True),
                                        fromfile=f"{out} (before)" if old_text else "/dev/null", tofile=str(out)))
    written = bool(additions.added) and not dry_run
    if written:
        write_text_atomic(out, new_text)
    return {"added": additions.added, "unchanged": additions.unchanged, "diff": diff if additions.added else "",
            "written": written, "notes": _notes(old_text) if written else []}


def _check_paths(review: Path, out: Path, merge: bool) -> None:
    if out.suffix.lower() not in OVERLAY_SUFFIXES:
        raise InputFileError(f"--out {out}: a catalog overlay is a .yaml file.")
    if out.exists() and review.exists() and out.resolve() == review.resolve():
        raise InputFileError(f"--out {out}: the same file as the review file; give another name.")
    if out.exists() and not merge:
        raise InputFileError(f"--out {out} exists: add --merge to extend it with these corrections, or give "
                             f"another --out. Nothing was written.")


def _notes(old_text: str) -> list[str]:
    ours = set(HEADER.splitlines())
    comments = [line for line in old_text.splitlines() if line.lstrip().startswith("#") and line not in ours]
    return [f"{len(comments)} comment line(s) of the previous file were not kept"] if comments else []
