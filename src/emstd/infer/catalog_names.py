"""How the grammar modules ask the catalog: a name they reduce an input to, and the catalog's answer for it.

The grammars (vehicle_grammar, pollutant_grammar, chemical_names) never hold labels themselves: they reduce an
input to a catalog name ("重型货车", "NO2", "Feinstaub"), and the catalog's documented decisions say what it is.
"""

from __future__ import annotations

from typing import Callable

Lookup = Callable[[str], tuple[bool, str | None]]  # name -> (found, label or None for "not a standard value")
Decision = tuple[str | None, float]  # (label or None, confidence)


def named(name: str, lookup: Lookup, confidence: float) -> Decision:
    """What the catalog says `name` is, at the rule's confidence. A grammar naming something the catalog does not
    hold is a bug in the grammar or the catalog, not a user's input: it raises."""
    found, label = lookup(name)
    if not found:
        raise LookupError(f"a grammar rule refers to {name!r}, which the catalog does not hold")
    return label, confidence
