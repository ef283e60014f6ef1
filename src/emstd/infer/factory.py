"""Backend options (CLI flags or a small YAML) -> a Standardizer. One place that knows every backend."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from emstd.defaults import DEFAULT_BASE_MODEL
from emstd.errors import ConfigError


class BackendOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    backend: Literal["rules", "local", "remote", "auto"] = "rules"
    base_model: str = DEFAULT_BASE_MODEL
    gguf_file: str | None = None
    unified_adapter: str | None = None
    column_adapter: str | None = None
    url: str | None = None
    api_key: str | None = None
    timeout: float = 30.0
    auto_model: Literal["local", "remote"] | None = None  # what `auto` falls back to; default: remote if url else local
    threshold: float = 0.9
    batch_size: int = 16

    def problems(self) -> list[str]:
        out = []
        model = self.backend if self.backend != "auto" else (self.auto_model or ("remote" if self.url else "local"))
        if model == "remote" and not self.url:
            out.append("backend remote: --url is required (e.g. http://127.0.0.1:8000 for a vLLM server)")
        if model == "local":
            if not (self.unified_adapter or self.column_adapter):
                out.append("backend local: give --unified-adapter and/or --column-adapter (a run's final/ dir)")
            for name in ("unified_adapter", "column_adapter"):
                p = getattr(self, name)
                if p and not Path(p).is_dir():
                    out.append(f"{name}: {p} is not a directory")
        return out


def load_options(config_file: str | None = None, **overrides) -> BackendOptions:
    data: dict = {}
    source = "backend options"
    if config_file:
        source = str(config_file)
        try:
            data = yaml.safe_load(Path(config_file).read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            raise ConfigError(source, ["the file does not exist"]) from None
        except yaml.YAMLError as exc:
            raise ConfigError(source, [f"not valid YAML: {exc}"]) from None
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


def make_backend(opts: BackendOptions):
    from emstd.infer.rules import RulesBackend

    if opts.backend == "rules":
        return RulesBackend()
    if opts.backend == "auto":
        from emstd.infer.auto import AutoBackend

        inner = opts.model_copy(update={"backend": opts.auto_model or ("remote" if opts.url else "local")})
        return AutoBackend(make_backend(inner), threshold=opts.threshold)
    if opts.backend == "remote":
        from emstd.infer.remote import RemoteBackend

        return RemoteBackend(opts.url, api_key=opts.api_key, timeout=opts.timeout)
    from emstd.infer.local import LocalBackend

    return LocalBackend(opts.base_model, opts.unified_adapter, opts.column_adapter, gguf_file=opts.gguf_file,
                        batch_size=opts.batch_size)


def make_standardizer(opts: BackendOptions):
    from emstd.infer.standardizer import Standardizer

    return Standardizer(make_backend(opts))
