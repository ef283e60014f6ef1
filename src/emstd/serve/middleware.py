"""Pure ASGI middleware (no BaseHTTPMiddleware: it buffers and breaks streaming): metrics, errors, API key, body
limits.

Order, outermost first: metrics (so 401, 413 and 500 answers are counted), errors (an exception nothing else
answered becomes a JSON 500 with an error id, and the connection stays open), API key (before any body is read),
body limit (a declared Content-Length over the limit is refused without parsing; a chunked body is counted as it
arrives). A body over the limit is still read and dropped, up to DRAIN_BYTES, before the 413 is sent: a server
that answers and then closes with unread bytes makes the client's TCP stack report a reset instead of the 413.
A client that announces more than that gets its 413 at once, with `Connection: close`.
"""

from __future__ import annotations

import hmac
import json
import time

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emstd.serve.failures import FailureLog, internal_error_body
from emstd.serve.metrics import Metrics
from emstd.serve.review import PUBLIC_PATHS
from emstd.serve.settings import ServeSettings

ENDPOINTS = {"/v1/standardize", "/v1/map-columns", "/v1/tables", "/health", "/metrics", "/docs", "/openapi.json",
             "/v1/review/options", "/v1/review/overlay", *PUBLIC_PATHS}
OPEN_PATHS = {"/health", *PUBLIC_PATHS}  # load balancers probe /health; the review page asks for the key itself
UPLOAD_PATH = "/v1/tables"
MULTIPART_OVERHEAD = 64 * 1024  # boundaries, part headers and the small form fields around the uploaded file
DRAIN_BYTES = 64 * 1024 * 1024  # at most this much of a body over the limit is read (and dropped) before the 413


def json_bytes(body) -> bytes:
    """UTF-8 JSON that cannot fail: text the client sent (a lone surrogate) is written as an escape."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "backslashreplace")


async def send_json(send: Send, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
    data = json_bytes(body)
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, status = time.perf_counter(), 500

        async def send_recording(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_recording)
        finally:
            # Known paths only: a label per arbitrary path would let any client grow the metrics without bound.
            endpoint = scope["path"] if scope["path"] in ENDPOINTS else "other"
            self.metrics.observe_request(endpoint, scope["method"], status, time.perf_counter() - start)


class ErrorMiddleware:
    """Starlette's last-resort handler answers 500 and then re-raises, and uvicorn closes the connection after an
    exception (clients reusing it get ReadError). Here the exception ends with an ordinary JSON 500."""

    def __init__(self, app: ASGIApp, failures: FailureLog):
        self.app, self.failures = app, failures

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception as exc:  # noqa: BLE001 - the last resort: logged with an id, answered as JSON
            error_id = self.failures.report(exc, f"{scope['method']} {scope['path']}")
            if started:
                raise  # half an answer is out: only closing the connection can tell the client
            await send_json(send, 500, internal_error_body(error_id))


class ApiKeyMiddleware:
    """When a key is set, every path but /health needs `Authorization: Bearer KEY` or `X-API-Key: KEY`."""

    def __init__(self, app: ASGIApp, settings: ServeSettings):
        self.app = app
        self.key = settings.api_key.get_secret_value().encode() if settings.api_key else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.key is None or scope["path"] in OPEN_PATHS:
            return await self.app(scope, receive, send)
        presented = presented_key(Headers(scope=scope))
        # compare_digest: the time taken does not reveal how much of a wrong key matched
        if presented is None or not hmac.compare_digest(presented.encode(), self.key):
            message = ("missing API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'" if presented is None
                       else "wrong API key")
            return await send_json(send, 401, {"detail": message}, {"WWW-Authenticate": "Bearer"})
        await self.app(scope, receive, send)


def presented_key(headers: Headers) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return headers.get("x-api-key") or None


class BodyLimitMiddleware:
    """Request bodies over the limit are answered 413 with the limit's name, value and flag."""

    def __init__(self, app: ASGIApp, settings: ServeSettings):
        self.app, self.settings = app, settings

    def _limit(self, path: str) -> tuple[int, str]:
        if path == UPLOAD_PATH:
            return (self.settings.max_upload_bytes + MULTIPART_OVERHEAD,
                    f"upload too large: the limit is {self.settings.describe_limit('max_upload_bytes')}")
        return (self.settings.max_json_bytes,
                f"request body too large: the limit is {self.settings.describe_limit('max_json_bytes')}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit, message = self._limit(scope["path"])
        declared = Headers(scope=scope).get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            drained = int(declared) <= DRAIN_BYTES and await _drain(receive, DRAIN_BYTES)
            return await send_json(send, 413, {"detail": message}, None if drained else CLOSE)
        received = 0

        async def receive_counted() -> Message:
            nonlocal received
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > limit:
                    drained = not msg.get("more_body") or await _drain(receive, DRAIN_BYTES - received)
                    # FastAPI re-raises an HTTPException from body reading; the exception handler answers it.
                    raise HTTPException(413, detail=message, headers=None if drained else CLOSE)
            return msg

        await self.app(scope, receive_counted, send)


CLOSE = {"Connection": "close"}


async def _drain(receive: Receive, budget: int) -> bool:
    """Read and drop the rest of the body; False when it is longer than `budget` (or the client left)."""
    while budget >= 0:
        msg = await receive()
        if msg["type"] != "http.request":
            return False
        budget -= len(msg.get("body", b""))
        if not msg.get("more_body"):
            return budget >= 0
    return False
