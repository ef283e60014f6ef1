"""Shared pieces of the service tests: an in-process client (httpx's ASGI transport) and a recording backend."""

from __future__ import annotations

import contextlib
import threading
import time

import httpx

from tests.live_server import live_server  # noqa: F401 - re-exported for the service tests

from emstd.infer.rules import Answer
from emstd.infer.rules import RulesBackend
from emstd.serve.settings import ServeSettings

KEY = "test-key-0123456789"


@contextlib.asynccontextmanager
async def client_for(app, headers: dict | None = None):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emstd.test",
                                 headers=headers or {}, timeout=60) as client:
        yield client


def settings(**overrides) -> ServeSettings:
    """Test settings: no API key unless given (whatever the environment says)."""
    return ServeSettings(**{"api_key": None, **overrides})


class RecordingBackend:
    """A backend double: records each call (and the thread it ran on), answers `standard = VALUE.upper()` (so a
    mixed-up split shows), and tracks how many calls ever ran at the same time. A call whose values include
    `poison` fails the way a tokenizer fails on text it cannot encode."""

    name = "recording"

    def __init__(self, delay_s: float = 0.0, poison: str | None = None):
        self.delay_s = delay_s
        self.poison = poison
        self.calls: list[tuple[str, list[str]]] = []
        self.threads: list[str] = []
        self.model_calls = 0
        self.active = 0
        self.max_active = 0
        self._guard = threading.Lock()
        self.rules = RulesBackend()

    def _enter(self):
        with self._guard:
            self.threads.append(threading.current_thread().name)
            self.active += 1
            self.max_active = max(self.max_active, self.active)

    def _leave(self):
        with self._guard:
            self.active -= 1

    def standardize_values(self, values, task):
        self._enter()
        try:
            time.sleep(self.delay_s)
            self.calls.append((task, list(values)))
            self.model_calls += 1
            if self.poison is not None and self.poison in values:
                raise TypeError("TextEncodeInput must be Union[TextInputSequence, Tuple[InputSequence, InputSequence]]")
            return [Answer(v, v.upper(), "model", 0.5) for v in values]
        finally:
            self._leave()

    def map_columns(self, headers, samples=None, task=None):
        self._enter()
        try:
            time.sleep(self.delay_s)
            self.model_calls += 1
            return self.rules.map_columns(headers, samples, task)
        finally:
            self._leave()
