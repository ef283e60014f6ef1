"""Request and response bodies (they are also the OpenAPI schema at /docs)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class StandardizeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid",
                              json_schema_extra={"examples": [{"task": "vehicle", "values": ["大货车", "SUV"]}]})

    task: Literal["vehicle", "pollutant"]
    values: list[str | None] = Field(description="Names to standardize; null is answered like an empty string.")


class Answer(BaseModel):
    input: str
    standard: str | None = Field(description="A catalog label, or null for 'not a standard value'.")
    method: str
    confidence: float


class StandardizeResponse(BaseModel):
    results: list[Answer] = Field(description="One answer per input value, in input order (the CLI's --json shape).")


class MapColumnsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"headers": ["时间(s)", "车速(km/h)", "坡度"], "samples": {"车速(km/h)": ["12.5", "30"]}}]})

    headers: list[str]
    samples: dict[str, list[str | None]] | None = Field(None, description="A few values per header (optional).")
    task: Literal["micro", "macro", "auto"] | None = Field(None, description="Default: decided from the headers.")


class MapColumnsResponse(BaseModel):
    task: str
    mapping: dict[str, str | None]
    units: dict[str, str | None]
    confidence: dict[str, float]
    methods: dict[str, str]
    notes: list[str]


class TableResponse(BaseModel):
    filename: str = Field(description="A suggested name for the standardized file (same format as the upload).")
    media_type: str
    content_base64: str = Field(description="The standardized table, base64-encoded.")
    report: dict = Field(description="The standardize-table report (columns, conversions, value columns, notes).")


class Health(BaseModel):
    status: Literal["ready", "loading", "failed"]
    backend: str | None = None
    serves: dict[str, str] | None = Field(None, description="What answers `values` and `columns`: rules, "
                                                           "rules+retrieval(+model), model, ...")
    error: str | None = None
