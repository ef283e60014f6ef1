"""Micro-batching: standardize requests that arrive together are answered by one standardizer call per task.

A request waits at most `window_s` for others to join it (or less, once `max_values` values are waiting). While a
batch is running, new requests keep collecting; when it finishes they go out together at once (they have already
waited longer than the window). The call itself runs through `run_blocking` (the service's single model worker), so
the event loop stays free for other clients.

A shared call that fails is not the failure of every request in it: each request is then answered on its own,
so only the ones that fail alone fail. A request that fails alone while others succeed is searched (by halves)
for the value that fails by itself, and refused naming it (ValueRejected). A RemoteError (the model server is
down or slow) is everyone's, and is handed to every request at once rather than retried per request.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Awaitable, Callable

from emstd.errors import EmstdError

RunBlocking = Callable[..., Awaitable]


class ValueRejected(Exception):
    """values[index] of a request fails the standardizer on its own while other values succeed."""

    def __init__(self, index: int, cause: BaseException):
        super().__init__(f"values[{index}]: {type(cause).__name__}")
        self.index, self.cause = index, cause


@dataclass
class _Pending:
    task: str
    values: list
    future: asyncio.Future


@dataclass
class BatchStats:
    batches: int = 0  # standardizer calls made by the batcher
    requests: int = 0
    values: int = 0
    sizes: list[int] = field(default_factory=list)  # values per call, most recent last (bounded)
    fallback_calls: int = 0  # calls made after a shared call failed (one per request, then halves)


class MicroBatcher:
    def __init__(self, standardize: Callable[[list, str], list], run_blocking: RunBlocking, window_s: float,
                 max_values: int, shared_failure: Callable[[BaseException], bool] = lambda exc: False):
        """`shared_failure(exc)`: True when exc is everyone's (no point answering each request on its own)."""
        self._standardize = standardize
        self._shared_failure = shared_failure
        self._run_blocking = run_blocking
        self.window_s = window_s
        self.max_values = max_values
        self._pending: list[_Pending] = []
        self._timer: asyncio.TimerHandle | None = None
        self._running = False
        self._tasks: set[asyncio.Task] = set()  # strong references: the loop keeps only weak ones
        self.stats = BatchStats()

    async def submit(self, values: list, task: str) -> list:
        """The answers for `values`, in order (an exception of the shared call is raised in every request)."""
        if not values:
            return []
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._pending.append(_Pending(task, values, future))
        if self._waiting_values() >= self.max_values:
            self._flush()
        elif self._timer is None and not self._running:
            self._timer = loop.call_later(self.window_s, self._flush)
        return await future

    def _waiting_values(self) -> int:
        return sum(len(p.values) for p in self._pending)

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._running or not self._pending:
            return  # the running batch flushes again when it ends
        batch = self._take_batch()
        self._running = True
        task = asyncio.get_running_loop().create_task(self._run(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _take_batch(self) -> list[_Pending]:
        """Requests in arrival order up to max_values values (always at least one, however large)."""
        taken, count = [], 0
        while self._pending and (not taken or count + len(self._pending[0].values) <= self.max_values):
            item = self._pending.pop(0)
            taken.append(item)
            count += len(item.values)
        return taken

    async def _run(self, batch: list[_Pending]) -> None:
        try:
            for task in dict.fromkeys(p.task for p in batch):
                await self._answer_task([p for p in batch if p.task == task], task)
        except BaseException as exc:  # cancelled at shutdown: no request may wait forever
            _fail(batch, exc if isinstance(exc, Exception) else RuntimeError("the server is shutting down"))
            raise
        finally:
            self._running = False
            if self._pending:
                self._flush()

    async def _answer_task(self, group: list[_Pending], task: str) -> None:
        live = [p for p in group if not p.future.done()]  # a client that went away needs no answer
        if not live:
            return
        merged = [v for p in live for v in p.values]
        self._record(len(live), len(merged))
        try:
            answers = await self._run_blocking(self._standardize, merged, task)
        except Exception as exc:  # noqa: BLE001 - handed to the requests, which turn it into a status
            if len(live) == 1:
                await self._settle_alone(live[0], task, exc, others_succeeded=False)
            elif self._shared_failure(exc):
                _fail(live, exc)
            else:
                await self._answer_each(live, task)
            return
        start = 0
        for p in live:
            if not p.future.done():
                p.future.set_result(answers[start:start + len(p.values)])
            start += len(p.values)

    async def _answer_each(self, live: list[_Pending], task: str) -> None:
        """After a shared call failed: each request on its own, so that only the ones that fail alone fail."""
        failed = []
        for p in live:
            if p.future.done():
                continue
            outcome = await self._try(p.values, task)
            if isinstance(outcome, BaseException):
                failed.append((p, outcome))
            elif not p.future.done():
                p.future.set_result(outcome)
        succeeded = len(failed) < len(live)
        for p, exc in failed:
            await self._settle_alone(p, task, exc, others_succeeded=succeeded)

    async def _settle_alone(self, p: _Pending, task: str, exc: BaseException, others_succeeded: bool) -> None:
        """`p` failed on its own with `exc`. When the standardizer works for other input, find the value that
        fails by itself and name it; otherwise the failure is the server's and `exc` is handed on as it is."""
        if not isinstance(exc, EmstdError) and not self._shared_failure(exc):
            index = await self._culprit(p.values, task, known_good=others_succeeded)
            if index is not None:
                exc = ValueRejected(index, exc)
        if not p.future.done():
            p.future.set_exception(exc)

    async def _culprit(self, values: list, task: str, known_good: bool) -> int | None:
        """The index of a value that fails alone, by halves (about 2*log2(n) calls); None when the failure is not
        one value's: only a combination fails, or nothing at all succeeds (the backend is broken)."""
        lo, hi = 0, len(values)  # values[lo:hi] fails
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if isinstance(await self._try(values[lo:mid], task), BaseException):
                hi = mid
            elif isinstance(await self._try(values[mid:hi], task), BaseException):
                lo, known_good = mid, True  # the left half succeeded: the standardizer works
            else:
                return None
        return lo if known_good else None

    async def _try(self, values: list, task: str):
        self.stats.fallback_calls += 1
        try:
            return await self._run_blocking(self._standardize, values, task)
        except Exception as exc:  # noqa: BLE001 - an outcome to compare, not an error to raise here
            return exc

    def _record(self, requests: int, values: int) -> None:
        self.stats.batches += 1
        self.stats.requests += requests
        self.stats.values += values
        self.stats.sizes = (self.stats.sizes + [values])[-1000:]


def _fail(pending: list[_Pending], exc: BaseException) -> None:
    for p in pending:
        if not p.future.done():
            p.future.set_exception(exc)
