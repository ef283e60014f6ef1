"""The HTTP service: `create_app(standardizer, settings)` -> a FastAPI app (OpenAPI docs at /docs).

`standardizer` is a ready Standardizer, or a zero-argument callable that builds one: the app then starts at once,
loads it on the model worker, and answers 503 (GET /health included) until it is loaded.

Every answer is JSON, errors included: 4xx name the field, value index, upload or limit at fault; an unexpected
error is a 500 with an error id that the log line carries too (emstd.serve.failures).
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from emstd.errors import EmstdError
from emstd.serve import limits, review, uploads
from emstd.serve.batching import ValueRejected
from emstd.serve.metrics import CONTENT_TYPE
from emstd.serve.middleware import (ApiKeyMiddleware, BodyLimitMiddleware, ErrorMiddleware, MetricsMiddleware,
                                    json_bytes)
from emstd.serve.models import (Health, MapColumnsRequest, MapColumnsResponse, StandardizeRequest,
                                StandardizeResponse, TableResponse)
from emstd.serve.service import Service
from emstd.serve.settings import ServeSettings

log = logging.getLogger("emstd.serve")

BODY_PARSE_FAILED = "There was an error parsing the body"  # FastAPI's 400 for a body its parser raised on
MAX_LISTED_ERRORS = 10  # validation errors named in one answer (a list of 100,000 ints has 100,000 errors)

DESCRIPTION = """Standardize traffic-emission data onto MOVES standard values: vehicle types, pollutants, table
columns and whole tables. When the server has an API key (EMSTD_API_KEY), every endpoint except /health needs
`Authorization: Bearer <key>` or `X-API-Key: <key>`."""


def create_app(standardizer: Any, settings: ServeSettings | None = None) -> FastAPI:
    service = Service(standardizer, settings or ServeSettings())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        service.startup()  # the server listens at once; /health says when the models are in
        yield
        service.shutdown()

    app = FastAPI(title="emstd", description=DESCRIPTION, version="1", lifespan=lifespan)
    app.state.service = service
    # add_middleware puts each one outside the previous: body limit innermost, metrics outermost.
    app.add_middleware(BodyLimitMiddleware, settings=service.settings)
    app.add_middleware(ApiKeyMiddleware, settings=service.settings)
    app.add_middleware(ErrorMiddleware, failures=service.failures)
    app.add_middleware(MetricsMiddleware, metrics=service.metrics)
    _add_error_handlers(app)
    _add_routes(app, service)
    app.include_router(review.router)  # the review page at / and its two JSON endpoints
    return app


def _ready(service: Service):
    service.ensure_loading()
    if not service.ready:
        state = f"failed to load ({service.load_error})" if service.load_error else "still loading"
        raise HTTPException(503, f"the standardizer is {state}; GET /health answers 200 when it is ready",
                            headers={"Retry-After": "5"})
    return service.standardizer


def _add_routes(app: FastAPI, service: Service) -> None:
    settings = service.settings

    @app.post("/v1/standardize", response_model=StandardizeResponse, tags=["values"])
    async def standardize(body: StandardizeRequest):
        """Standardize vehicle-type or pollutant names. Requests arriving together share one model call."""
        limits.check_values(body.values, settings)  # before the shared batch: a bad value fails only this request
        _ready(service)
        values = ["" if v is None else v for v in body.values]
        try:
            answers = await service.batcher.submit(values, body.task)
        except ValueRejected as exc:
            log.warning("values[%d] of a request fails the standardizer on its own (%s); answered 422", exc.index,
                        type(exc.cause).__name__)
            raise HTTPException(422, f"values[{exc.index}]: this value cannot be standardized: the model fails on it "
                                     f"({type(exc.cause).__name__}). Remove or correct it.") from None
        return {"results": [a.to_dict() for a in answers]}

    @app.post("/v1/map-columns", response_model=MapColumnsResponse, tags=["tables"])
    async def map_columns(body: MapColumnsRequest):
        """Map a table's headers onto the standard micro or macro fields (the CLI's map-columns --json)."""
        limits.check_columns(body.headers, body.samples, settings)
        standardizer = _ready(service)
        samples = {h: ["" if v is None else v for v in vs] for h, vs in body.samples.items()} if body.samples else None
        task = None if body.task in (None, "auto") else body.task
        result = (await service.run_blocking(standardizer.map_columns, body.headers, samples, task)).to_dict()
        result["notes"] = [uploads.for_client(n) for n in result["notes"]]
        return result

    @app.post("/v1/tables", response_model=TableResponse, tags=["tables"])
    async def tables(
        file: Annotated[UploadFile, File(description="A .csv or .xlsx table.")],
        task: Annotated[Literal["micro", "macro", "auto"], Form()] = "auto",
        convert_units: Annotated[bool, Form()] = False,
        sheet: Annotated[str | None, Form(description="Excel sheet name (default: the first).")] = None,
        review: Annotated[bool, Form(description="List every answer in report.review.rows, with retrieval's "
                                                 "alternatives (the review page).")] = False,
        corrections: Annotated[str | None, Form(description='JSON list of {"task", "value", "answer"}: answers '
                                                            'applied on top of emstd\'s (method "user").')] = None,
    ):
        """Standardize a whole table. Answers the standardized file (same format as the upload, base64) and the
        report, in one JSON object."""
        from emstd.infer.corrections import parse_corrections
        from emstd.infer.review import REVIEW_ALL

        suffix = uploads.upload_suffix(file.filename)
        fixes = parse_corrections(corrections)
        _ready(service)
        with uploads.private_workdir() as workdir:
            source, out = Path(workdir) / f"input{suffix}", Path(workdir) / f"standardized{suffix}"
            await run_in_threadpool(uploads.copy_limited, file.file, source, settings)
            # read, mapped and written on a table thread; only its model calls queue on the model worker
            return await service.run_table_job(source, out, file.filename, suffix, None if task == "auto" else task,
                                               convert_units, sheet or None, corrections=fixes,
                                               review_below=REVIEW_ALL if review else None)

    @app.get("/health", response_model=Health, response_model_exclude_none=True, tags=["operations"],
             responses={503: {"model": Health}})
    async def health():
        """200 with the backend's name when the standardizer is loaded; 503 while loading or after a failure."""
        service.ensure_loading()
        if service.ready:
            return {"status": "ready", "backend": service.backend_name, "serves": service.serves}
        if service.load_error:
            return JSONResponse({"status": "failed", "error": service.load_error}, status_code=503)
        return JSONResponse({"status": "loading"}, status_code=503)

    @app.get("/metrics", response_class=PlainTextResponse, tags=["operations"])
    async def metrics():
        """Prometheus text format: requests, latency histogram, cache hits, model answers and calls, batches."""
        return PlainTextResponse(service.metrics_text(), media_type=CONTENT_TYPE)


class SafeJSONResponse(JSONResponse):
    """Error answers may quote what the client sent, a lone surrogate included: written as an escape, not a 500."""

    def render(self, content) -> bytes:
        return json_bytes(content)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        return SafeJSONResponse(status_code=422, content={
            "detail": describe_validation_errors(errors),
            "errors": jsonable_encoder([{k: e.get(k) for k in ("loc", "msg", "type")}
                                        for e in errors[:MAX_LISTED_ERRORS]]),
        })

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 400 and exc.detail == BODY_PARSE_FAILED:
            status, detail = describe_unparsable_body(request, exc.__cause__)
            return SafeJSONResponse(status_code=status, content={"detail": detail})
        return await http_exception_handler(request, exc)

    @app.exception_handler(EmstdError)
    async def domain_error(request: Request, exc: EmstdError):
        from emstd.infer.remote import RemoteError

        # The model server failing is not the client's fault: a gateway error, not a bad request.
        status = 502 if isinstance(exc, RemoteError) else 400
        return SafeJSONResponse(status_code=status, content={"detail": uploads.for_client(str(exc))})


def describe_unparsable_body(request: Request, cause: BaseException | None) -> tuple[int, str]:
    """FastAPI answers 400 'There was an error parsing the body' for whatever its parser raised; say what it was.
    A JSON body the parser cannot take is a 422, like any other malformed JSON."""
    if request.headers.get("content-type", "").startswith("multipart/"):
        return 400, (f"the upload is not a readable multipart/form-data body ({type(cause).__name__}); send the "
                     f"table as the form field 'file'")
    if isinstance(cause, RecursionError):
        reason = "it is nested too deeply (the API's bodies are objects of lists, a few levels deep)"
    elif isinstance(cause, UnicodeDecodeError):
        reason = "it is not UTF-8 text"
    elif isinstance(cause, ValueError) and "digits" in str(cause):
        reason = "a number has more digits than the parser takes (4300)"
    else:
        reason = f"{type(cause).__name__}"
    return 422, f"the request body is not usable JSON: {reason}"


def describe_validation_errors(errors: list[dict]) -> str:
    """One readable line: what is wrong, where (a JSON syntax error says where in the body); the first few errors
    of a long list, and how many more there are."""
    for e in errors:
        if e.get("type") == "json_invalid":
            where = e["loc"][-1] if len(e.get("loc", ())) > 1 else "?"
            reason = e.get("ctx", {}).get("error", "decode error")
            return f"the request body is not valid JSON: {reason} at character {where}"
    parts = []
    for e in errors[:MAX_LISTED_ERRORS]:
        if e.get("type") == "value_error" and "error" in e.get("ctx", {}):
            parts.append(str(e["ctx"]["error"]))  # our own validators' messages say where
            continue
        loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body") or "body"
        msg = e.get("msg", "invalid")
        if loc == "body" and e.get("type") in ("model_attributes_type", "dict_type"):
            msg += " (send a JSON object with Content-Type: application/json)"
        parts.append(f"{loc}: {msg}")
    more = f"; and {len(errors) - MAX_LISTED_ERRORS} more" if len(errors) > MAX_LISTED_ERRORS else ""
    return "invalid request: " + "; ".join(parts) + more
