"""Micro-batching: standardize requests that arrive together are answered by one standardizer call per task.

A request waits at most `window_s` for others to join it (or less, once `max_values` values are waiting). While a
batch is running, new requests keep collecting; when it finishes they go out together at once (they have already
waited longer than the window). The call itself runs through `run_blocking` (the service's single model worker), so
the event loop stays free for other clients.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Awaitable, Callable

RunBlocking = Callable[..., Awaitable]


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


class MicroBatcher:
    def __init__(self, standardize: Callable[[list, str], list], run_blocking: RunBlocking, window_s: float,
                 max_values: int):
        self._standardize = standardize
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
        except Exception as exc:  # noqa: BLE001 - handed to every waiting request, which turns it into a status
            for p in live:
                if not p.future.done():
                    p.future.set_exception(exc)
            return
        start = 0
        for p in live:
            if not p.future.done():
                p.future.set_result(answers[start:start + len(p.values)])
            start += len(p.values)

    def _record(self, requests: int, values: int) -> None:
        self.stats.batches += 1
        self.stats.requests += requests
        self.stats.values += values
        self.stats.sizes = (self.stats.sizes + [values])[-1000:]
