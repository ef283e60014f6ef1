"""The service's state: the standardizer (loaded in the background), its single model worker, the batcher, metrics.

Every standardizer call runs on one worker thread. That is what keeps model calls one at a time per model (and
the standardizer's cache, which is not thread-safe, consistent), while the event loop stays free to read and
answer other clients.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from emstd.serve.batching import MicroBatcher
from emstd.serve.metrics import Metrics
from emstd.serve.settings import ServeSettings

log = logging.getLogger("emstd.serve")


class Service:
    def __init__(self, standardizer_or_loader: Any, settings: ServeSettings):
        self.settings = settings
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="emstd-model")
        if hasattr(standardizer_or_loader, "standardize"):
            self.standardizer, self._loader = standardizer_or_loader, None
        else:
            self.standardizer, self._loader = None, standardizer_or_loader
        self.load_error: str | None = None
        self._loading: Future | None = None
        self.metrics = Metrics()
        self.batcher = MicroBatcher(
            lambda values, task: self.standardizer.standardize(values, task), self.run_blocking,
            window_s=settings.batch_window_ms / 1000, max_values=settings.max_batch_values,
        )

    # --- readiness ------------------------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self.standardizer is not None

    def ensure_loading(self) -> None:
        """Start building the standardizer on the worker (once); /health answers 503 until it is done."""
        if self.standardizer is None and self._loading is None and self._loader is not None:
            self._loading = self.executor.submit(self._load)

    def _load(self) -> None:
        loader: Callable[[], Any] = self._loader
        try:
            self.standardizer = loader()
            log.info("standardizer ready: backend %s", self.backend_name)
        except Exception as exc:  # noqa: BLE001 - reported by /health; the process stays up for inspection
            self.load_error = f"{type(exc).__name__}: {exc}"
            log.error("standardizer failed to load: %s", self.load_error)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)

    # --- work -----------------------------------------------------------------------------------------------

    async def run_blocking(self, fn: Callable, *args, **kwargs):
        """Run fn on the model worker (one call at a time) without blocking the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(fn, *args, **kwargs))

    # --- introspection --------------------------------------------------------------------------------------

    @property
    def backend_name(self) -> str | None:
        return self.standardizer.backend.name if self.standardizer is not None else None

    def model_calls(self) -> int | None:
        """Model calls of the backend (or of the model inside `auto`); None for a backend without a model."""
        backend = getattr(self.standardizer, "backend", None)
        for candidate in (backend, getattr(backend, "model", None)):
            calls = getattr(candidate, "model_calls", None)
            if isinstance(calls, int):
                return calls
        return None

    def metrics_text(self) -> str:
        gauges = {"emstd_ready": ("gauge", "1 when the standardizer is loaded.", 1 if self.ready else 0, {})}
        if self.ready:
            stats = self.standardizer.stats
            labels = {"backend": self.backend_name}
            gauges["emstd_cache_hits_total"] = (
                "counter", "Values answered from the standardizer's cache.", stats["cache_hits"], labels)
            gauges["emstd_model_answers_total"] = (
                "counter", "Values answered by the backend (rules or model), i.e. not from the cache.",
                stats["backend_answers"], labels)
            calls = self.model_calls()
            if calls is not None:
                gauges["emstd_model_calls_total"] = (
                    "counter", "Batched model calls made by the backend.", calls, labels)
        b = self.batcher.stats
        gauges["emstd_batches_total"] = ("counter", "Standardizer calls made by the micro-batcher.", b.batches, {})
        gauges["emstd_batched_requests_total"] = (
            "counter", "Standardize requests answered by the batcher.", b.requests, {})
        gauges["emstd_batched_values_total"] = ("counter", "Values sent through the micro-batcher.", b.values, {})
        return self.metrics.render(gauges)
