"""The backend options every standardizing command takes, declared once.

`@backend_options` adds the flags to a Typer command and hands them to it as one `backend: BackendFlags` argument,
so `standardize`, `map-columns`, `standardize-table` and `serve` cannot drift apart. `--catalog` (a user overlay) is
one of them, and `CatalogOpt` gives it to the commands without backend flags.
"""

# No `from __future__ import annotations` here: Typer reads the real annotation objects of BackendFlags' fields.
import functools
import inspect
import typing
from dataclasses import dataclass, fields
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer


CATALOG_HELP = ("A catalog overlay YAML: your own aliases, negatives and decisions on top of the built-in catalog "
                "(default: the EMSTD_CATALOG environment variable).")
# For commands without backend flags (data build, eval, train, quickstart): `catalog: Optional[Path] = CatalogOpt`.
CatalogOpt = typer.Option(None, "--catalog", help=CATALOG_HELP)


def use_catalog(path: Optional[Path]) -> None:
    """Make `path` the catalog overlay of this process (EMSTD_CATALOG) before anything loads; check it now."""
    if path is not None:
        from emstd.catalog.overlay import use_overlay

        use_overlay(path)


class Backend(str, Enum):
    rules = "rules"
    local = "local"
    remote = "remote"
    auto = "auto"


@dataclass(frozen=True)
class BackendFlags:
    backend: Annotated[Optional[Backend], typer.Option(
        "--backend", help="auto (default: rules, then retrieval, then a model if one is configured) | rules | "
                          "local | remote")] = None
    base_model: Annotated[Optional[str], typer.Option("--base-model", help="Hub id or local dir of the base model.")] = None
    gguf_file: Annotated[Optional[str], typer.Option("--gguf-file", help="GGUF file name inside --base-model.")] = None
    unified_adapter: Annotated[Optional[str], typer.Option("--unified-adapter", help="Adapter dir for values.")] = None
    column_adapter: Annotated[Optional[str], typer.Option("--column-adapter", help="Adapter dir for column maps.")] = None
    url: Annotated[Optional[str], typer.Option("--url", help="OpenAI-compatible server (vLLM) for a remote model.")] = None
    api_key: Annotated[Optional[str], typer.Option(
        "--api-key", help="API key of the remote server (or EMSTD_REMOTE_API_KEY).")] = None
    dtype: Annotated[Optional[str], typer.Option(
        "--dtype", help="Local model weights: auto (bf16 where the CPU/GPU has it, else fp32) | fp32 | bf16 "
                        "(or EMSTD_INFER_DTYPE).")] = None
    backend_config: Annotated[Optional[Path], typer.Option(
        "--backend-config", help="YAML with the options above.")] = None
    catalog: Annotated[Optional[Path], typer.Option(
        "--catalog", help=CATALOG_HELP)] = None

    def load(self):
        """The validated BackendOptions (flags over the --backend-config YAML); a ConfigError names every problem."""
        from emstd.infer.factory import load_options

        given = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("backend_config", "catalog")}
        given["backend"] = self.backend.value if self.backend else None
        return load_options(str(self.backend_config) if self.backend_config else None, **given)

    def standardizer(self, say=lambda message: None):
        from emstd.infer.factory import make_standardizer

        return make_standardizer(self.load(), say)


def backend_options(command):
    """Give `command` the backend flags; it receives them as `backend: BackendFlags`."""
    signature = inspect.signature(command)
    hints = typing.get_type_hints(command, include_extras=True)  # the command's module may use string annotations
    own = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values()
           if p.name != "backend"]
    added = [inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=f.type)
             for f in fields(BackendFlags)]

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        flags = BackendFlags(**{f.name: kwargs.pop(f.name) for f in fields(BackendFlags)})
        use_catalog(flags.catalog)
        return command(*args, backend=flags, **kwargs)

    wrapper.__signature__ = signature.replace(parameters=own + added)
    wrapper.__annotations__ = {}  # Typer reads the (resolved) annotations from the signature above
    return wrapper
