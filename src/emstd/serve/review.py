"""The review page of `emstd serve` (GET /): upload a table, see what emstd decided and how sure it was, correct
it with drop-downs of the standard values, download the standardized table, its report and the corrections as a
catalog overlay.

A static page (HTML, vanilla JS and CSS in serve/static, no build step, no CDN) over the JSON API: /v1/tables
(with `review` and `corrections` form fields) and the two endpoints here. The page itself is public (it holds no
data); everything it fetches goes through the API key and the upload limits like any other client.
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from emstd.catalog import load_catalog
from emstd.catalog.corrections import add_corrections, dump_overlay
from emstd.catalog.overlay import NOT_STANDARD, read_overlay
from emstd.errors import InputFileError

STATIC = {"/static/review.js": ("review.js", "text/javascript; charset=utf-8"),
          "/static/review.css": ("review.css", "text/css; charset=utf-8"),
          "/static/review.text.json": ("review.text.json", "application/json; charset=utf-8")}
PUBLIC_PATHS = frozenset({"/", *STATIC})  # served without the API key: the page asks for it
OVERLAY_FILENAME = "emstd-overlay.yaml"

router = APIRouter()


def _static(name: str) -> str:
    return resources.files("emstd.serve").joinpath("static", name).read_text(encoding="utf-8")


@router.get("/", include_in_schema=False)
async def page():
    return HTMLResponse(_static("review.html"), headers={"Cache-Control": "no-cache"})


for _path, (_name, _media) in STATIC.items():
    def _serve(name=_name, media=_media):
        return Response(_static(name), media_type=media, headers={"Cache-Control": "no-cache"})

    router.add_api_route(_path, _serve, methods=["GET"], include_in_schema=False)


class Choice(BaseModel):
    value: str
    zh: str
    task: str | None = None  # fields: micro or macro


class ReviewOptions(BaseModel):
    vehicle: list[Choice]
    pollutant: list[Choice]
    column: list[Choice]
    not_standard: str = Field(description="The answer that means 'not a standard value' in review files.")
    max_upload_bytes: int
    review_below: float = Field(description="Answers under this confidence are marked for review.")


@router.get("/v1/review/options", response_model=ReviewOptions, tags=["review"])
async def options(request: Request):
    """The standard values a correction may choose (with their Chinese names) and the upload limit."""
    from emstd.infer.review import REVIEW_BELOW

    catalog = load_catalog()
    choices = {task: [Choice(value=i.standard, zh=i.zh) for i in catalog.items(task)] for task in ("vehicle", "pollutant")}
    choices["column"] = [Choice(value=f.name, zh=f.zh, task=f.task) for f in catalog.fields]
    return ReviewOptions(**choices, not_standard=NOT_STANDARD,
                         max_upload_bytes=request.app.state.service.settings.max_upload_bytes,
                         review_below=REVIEW_BELOW)


class CorrectionItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    task: str
    value: str
    answer: str | None = Field(description="A standard value, or null for 'not a standard value'.")


class OverlayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"corrections": [{"task": "vehicle", "value": "QXV-9", "answer": "Combination Long-haul Truck"}]}]})

    corrections: list[CorrectionItem]


class OverlayResponse(BaseModel):
    filename: str
    overlay: str = Field(description="The catalog overlay YAML (use it with --catalog); with the server's own "
                                     "overlay, that overlay extended by these corrections.")
    added: list[str]
    unchanged: list[str]


@router.post("/v1/review/overlay", response_model=OverlayResponse, tags=["review"])
async def overlay(body: OverlayRequest):
    """Corrections -> catalog overlay entries (aliases, negatives, or decisions that override the built-in
    catalog), exactly as `emstd catalog import-review` writes them."""
    import json

    from emstd.infer.corrections import parse_corrections

    corrections = parse_corrections(json.dumps([c.model_dump() for c in body.corrections]))
    catalog = load_catalog()
    existing = read_overlay(catalog.overlay_source) if catalog.overlay_source else None
    result = add_corrections(catalog, corrections, existing)
    if result.problems:
        raise InputFileError("; ".join(result.problems))
    return OverlayResponse(filename=OVERLAY_FILENAME, overlay=dump_overlay(result.overlay), added=result.added,
                           unchanged=result.unchanged)
