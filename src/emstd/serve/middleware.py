"""Pure ASGI middleware (no BaseHTTPMiddleware: it buffers and breaks streaming): metrics, API key, body limits.

Order, outermost first: metrics (so 401 and 413 answers are counted), API key (before any body is read), body
limit (a declared Content-Length over the limit is refused before reading; a chunked body is counted as it
arrives).
"""

from __future__ import annotations

import hmac
import json
import time

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emstd.serve.metrics import Metrics
from emstd.serve.review import PUBLIC_PATHS
from emstd.serve.settings import ServeSettings

ENDPOINTS = {"/v1/standardize", "/v1/map-columns", "/v1/tables", "/health", "/metrics", "/docs", "/openapi.json",
             "/v1/review/options", "/v1/review/overlay", *PUBLIC_PATHS}
OPEN_PATHS = {"/health", *PUBLIC_PATHS}  # load balancers probe /health; the review page asks for the key itself
UPLOAD_PATH = "/v1/tables"
MULTIPART_OVERHEAD = 64 * 1024  # boundaries, part headers and the small form fields around the uploaded file


async def send_json(send: Send, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
    data = json.dumps(body, ensure_ascii=False).encode()
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
            return await send_json(send, 413, {"detail": message})
        received = 0

        async def receive_counted() -> Message:
            nonlocal received
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > limit:
                    # FastAPI re-raises an HTTPException from body reading; the exception handler answers it.
                    raise HTTPException(413, detail=message)
            return msg

        await self.app(scope, receive_counted, send)
