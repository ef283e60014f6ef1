"""The service's state: the standardizer (loaded in the background), its single model worker, the table threads,
the batcher, metrics and the log of unexpected errors.

Every standardizer call runs on one worker thread. That is what keeps model calls one at a time per model (and
the standardizer's cache, which is not thread-safe, consistent), while the event loop stays free to read and
answer other clients. Uploaded tables are read and written on their own threads (`table_workers`); only their
standardizer calls go to the model worker.

What is served is said once it is loaded (a log line, and `serves` in /health; emstd.serve.serves).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from emstd.serve import uploads
from emstd.serve.batching import MicroBatcher
from emstd.serve.failures import FailureLog
from emstd.serve.metrics import Metrics
from emstd.serve.serves import describe_serves, with_rules_where_no_model
from emstd.serve.settings import ServeSettings

log = logging.getLogger("emstd.serve")


class Service:
    def __init__(self, standardizer_or_loader: Any, settings: ServeSettings):
        self.settings = settings
        self.started = time.time()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="emstd-model")
        self.table_executor = ThreadPoolExecutor(max_workers=settings.table_workers, thread_name_prefix="emstd-table")
        self.failures = FailureLog()
        self.standardizer, self._loader = None, None
        self.serves: dict[str, str] | None = None
        self.load_error: str | None = None
        self._loading: Future | None = None
        if hasattr(standardizer_or_loader, "standardize"):
            self._install(standardizer_or_loader)
        else:
            self._loader = standardizer_or_loader
        self.metrics = Metrics()
        self.batcher = MicroBatcher(
            lambda values, task: self.standardizer.standardize(values, task), self.run_blocking,
            window_s=settings.batch_window_ms / 1000, max_values=settings.max_batch_values,
            shared_failure=_everyones_failure,
        )

    def startup(self) -> None:
        """When the server starts: remove what a crashed predecessor left in the temp dir, start loading."""
        uploads.remove_stale_workdirs(self.started)
        self.ensure_loading()

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
            self._install(loader())
        except Exception as exc:  # noqa: BLE001 - reported by /health; the process stays up for inspection
            self.load_error = f"{type(exc).__name__}: {exc}"
            log.error("standardizer failed to load: %s", self.load_error)

    def _install(self, standardizer) -> None:
        self.serves = describe_serves(standardizer.backend)
        self.standardizer = with_rules_where_no_model(standardizer)  # set last: it makes the service ready
        log.info("standardizer ready: backend %s; values answered by %s, column maps by %s",
                 self.backend_name, self.serves["values"], self.serves["columns"])

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.table_executor.shutdown(wait=False, cancel_futures=True)

    # --- work -----------------------------------------------------------------------------------------------

    async def run_blocking(self, fn: Callable, *args, **kwargs):
        """Run fn on the model worker (one call at a time) without blocking the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(fn, *args, **kwargs))

    async def run_table_job(self, *args, **kwargs):
        """Run a table job (emstd.serve.table_jobs.run) on a table thread; its standardizer calls go to the model
        worker."""
        from emstd.serve import table_jobs

        standardizer = table_jobs.ModelWorkerStandardizer(
            self.standardizer.map_columns, self.standardizer.standardize, self.executor, self.standardizer.backend)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.table_executor,
                                          functools.partial(table_jobs.run, standardizer, self.settings, *args, **kwargs))

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
        gauges["emstd_batch_fallback_calls_total"] = (
            "counter", "Calls made after a shared call failed (each request alone, then halves).", b.fallback_calls,
            {})
        return self.metrics.render(gauges)


def _everyones_failure(exc: BaseException) -> bool:
    """The model server failing (down, slow, refusing the key) fails every request alike: no retry per request."""
    from emstd.infer.remote import RemoteError

    return isinstance(exc, RemoteError)
