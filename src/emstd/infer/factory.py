"""Backend options (CLI flags or a small YAML) -> a Standardizer. One place that knows every backend."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from emstd.defaults import DEFAULT_BASE_MODEL, INFER_DTYPES, LOCAL_BATCH_SIZE
from emstd.errors import ConfigError
from emstd.io import read_yaml


class BackendOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    backend: Literal["auto", "rules", "local", "remote"] = "auto"
    base_model: str = DEFAULT_BASE_MODEL
    gguf_file: str | None = None
    unified_adapter: str | None = None
    column_adapter: str | None = None
    url: str | None = None
    api_key: str | None = None
    timeout: float = Field(30.0, gt=0)
    # auto: retrieval answers at or above this confidence without asking the model (default: the unified
    # adapter's routing.json, written by `emstd eval`, else retrieval's calibrated threshold)
    model_threshold: float | None = Field(None, ge=0, le=1)
    batch_size: int = Field(LOCAL_BATCH_SIZE, gt=0)
    # local model weights: auto (bf16 where the hardware has it, else fp32) | fp32 | bf16 (None: EMSTD_INFER_DTYPE)
    dtype: Literal[INFER_DTYPES] | None = None

    @property
    def model_kind(self) -> str | None:
        """The model layer: local (adapters given), remote (a URL given), or None."""
        if self.backend in ("local", "remote"):
            return self.backend
        if self.backend == "auto":
            if self.url:
                return "remote"
            if self.unified_adapter or self.column_adapter:
                return "local"
        return None

    def problems(self) -> list[str]:
        out = []
        if self.backend == "remote" and not self.url:
            out.append("backend remote: --url is required (e.g. http://127.0.0.1:8000 for a vLLM server)")
        if self.backend == "local" and not (self.unified_adapter or self.column_adapter):
            out.append("backend local: give --unified-adapter and/or --column-adapter (a run's final/ dir)")
        for name in ("unified_adapter", "column_adapter"):
            p = getattr(self, name)
            if p and not Path(p).is_dir():
                out.append(f"{name}: {p} is not a directory; give a run's final/ (or checkpoint-N/) directory")
        if self.model_kind == "local":  # found now, not when the first value needs the model
            from emstd.hf import BaseModelError, check_reachable

            try:
                check_reachable(self.base_model, self.gguf_file)
            except BaseModelError as exc:
                out.append(f"base model {self.base_model}: {exc.reason}")
        return out


def load_options(config_file: str | None = None, **overrides) -> BackendOptions:
    data: dict = {}
    source = "backend options"
    if config_file:
        source = str(config_file)
        data = read_yaml(config_file, "give --backend-config a YAML file of backend options") or {}
        if not isinstance(data, dict):
            raise ConfigError(source, ["the top level must be a mapping of options (backend:, base_model:, ...)"])
    data.update({k: v for k, v in overrides.items() if v is not None})
    if data.get("api_key") is None and os.environ.get("EMSTD_REMOTE_API_KEY"):
        data["api_key"] = os.environ["EMSTD_REMOTE_API_KEY"]
    try:
        opts = BackendOptions(**data)
    except ValidationError as exc:
        raise ConfigError(source, [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]) from None
    problems = opts.problems()
    if problems:
        raise ConfigError(source, problems)
    return opts


def make_backend(opts: BackendOptions, say=lambda message: None):
    """The backend the options describe. Retrieval and, under `auto`, the model are built on first use."""
    from emstd.infer.auto import AutoBackend, Lazy
    from emstd.infer.rules import RulesBackend

    if opts.backend == "rules":
        return RulesBackend()
    retrieval = Lazy(lambda: _retrieval_index(say))
    if opts.backend == "auto":
        kind = opts.model_kind
        model = Lazy(lambda: _model_backend(opts, kind, retrieval, say)) if kind else None
        roles = ("unified", "column") if kind == "remote" else tuple(
            r for r, path in (("unified", opts.unified_adapter), ("column", opts.column_adapter)) if path)
        return AutoBackend(model, retrieval, model_roles=roles, **_routing(opts))
    return _model_backend(opts, opts.backend, retrieval, say)


def _retrieval_index(say):
    from emstd.data.retrieval import RetrievalIndex

    return RetrievalIndex(say=say)


def _model_backend(opts: BackendOptions, kind: str, retrieval, say):
    say(f"[backend] loading the {kind} model")
    if kind == "remote":
        from emstd.infer.remote import RemoteBackend

        return RemoteBackend(opts.url, api_key=opts.api_key, timeout=opts.timeout, retrieval=retrieval)
    from emstd.infer.local import LocalBackend

    return LocalBackend(opts.base_model, opts.unified_adapter, opts.column_adapter, gguf_file=opts.gguf_file,
                        batch_size=opts.batch_size, retrieval=retrieval, dtype=opts.dtype)


def _routing(opts: BackendOptions) -> dict:
    """AutoBackend's routing: the explicit --model-threshold, else what `emstd eval` measured for this unified
    adapter (routing.json: the threshold and the model's confidence floor), else the defaults."""
    from emstd.infer.auto import routing_options, saved_routing

    if opts.model_threshold is not None or not opts.unified_adapter:
        return {"model_threshold": opts.model_threshold}
    return routing_options(saved_routing(opts.unified_adapter))


def make_standardizer(opts: BackendOptions, say=lambda message: None):
    from emstd.infer.standardizer import Standardizer

    return Standardizer(make_backend(opts, say))
