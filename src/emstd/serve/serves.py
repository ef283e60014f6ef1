"""What a server answers with, said at start-up and in /health: `{"values": ..., "columns": ...}`.

A model backend (local, remote) without an adapter for values or for columns answers that part from the rules
instead of refusing every such request with a message about CLI flags (RulesWhereNoModel); auto and rules answer
every part themselves.
"""

from __future__ import annotations

NO_COLUMN_MODEL = "no column model is configured on this server: the headers were mapped by the rules"


def describe_serves(backend) -> dict[str, str]:
    """What answers values and column maps: the layers of `auto` (rules, retrieval, model), `model` or `rules` for
    a model backend (rules where it has no adapter), or the backend's name for any other backend."""
    from emstd.infer.auto import AutoBackend
    from emstd.infer.rules import RulesBackend

    if isinstance(backend, RulesBackend):
        return {"values": "rules", "columns": "rules"}
    if isinstance(backend, AutoBackend):
        layers = "rules+retrieval" if backend.retrieval is not None else "rules"
        return {"values": layers + ("+model" if backend.can("unified") else ""),
                "columns": layers + ("+model" if backend.can("column") else "")}
    can = getattr(backend, "can", None)
    if can is None:
        return {"values": backend.name, "columns": backend.name}
    # a model backend without an adapter for a role: the rules answer it (RulesWhereNoModel)
    return {"values": "model" if can("unified") else "rules", "columns": "model" if can("column") else "rules"}


def _model_backend(backend) -> bool:
    """local or remote: a model and nothing else (auto and rules answer every role themselves)."""
    from emstd.infer.auto import AutoBackend

    return hasattr(backend, "can") and not isinstance(backend, AutoBackend)


def with_rules_where_no_model(standardizer):
    """The standardizer, its backend wrapped in RulesWhereNoModel when it is a model backend missing a role."""
    serves = describe_serves(standardizer.backend)
    if _model_backend(standardizer.backend) and "rules" in serves.values():
        standardizer.backend = RulesWhereNoModel(standardizer.backend, values=serves["values"] == "rules",
                                                 columns=serves["columns"] == "rules")
    return standardizer


class RulesWhereNoModel:
    """A model backend without an adapter for values or for columns: that part is answered by the rules (a local
    backend would refuse every such request with a message about CLI flags). Everything else is the backend's."""

    def __init__(self, backend, values: bool, columns: bool):
        from emstd.infer.rules import RulesBackend

        self._backend, self._values, self._columns = backend, values, columns
        self._rules = RulesBackend()
        self.name = backend.name

    def __getattr__(self, attr):
        return getattr(self._backend, attr)

    def standardize_values(self, values, task, **kw):
        if self._values:
            return self._rules.standardize_values(values, task)
        return self._backend.standardize_values(values, task, **kw)

    def map_columns(self, headers, samples=None, task=None):
        if not self._columns:
            return self._backend.map_columns(headers, samples, task)
        mapping = self._rules.map_columns(headers, samples, task)
        mapping.notes.append(NO_COLUMN_MODEL)
        return mapping
