"""Request and response bodies (they are also the OpenAPI schema at /docs).

Requests are validated to the first error of a list or mapping, not to every one: a 4 MiB body can hold a
million wrong items, and an error object for each took the event loop (every client) for tens of seconds.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Request(BaseModel):
    @model_validator(mode="before")
    @classmethod
    def _known_fields_only(cls, data):
        """One error for any number of unknown fields (extra="forbid" alone makes one per field)."""
        if isinstance(data, dict):
            unknown = [k for k in data if k not in cls.model_fields]
            if unknown:
                shown = ", ".join(repr(str(k)[:30]) for k in unknown[:5])
                more = f"... ({len(unknown)} in all)" if len(unknown) > 5 else ""
                raise ValueError(f"body: unknown field(s) {shown}{more}; the fields are {', '.join(cls.model_fields)}")
        return data


class StandardizeRequest(_Request):
    model_config = ConfigDict(extra="forbid",
                              json_schema_extra={"examples": [{"task": "vehicle", "values": ["大货车", "SUV"]}]})

    task: Literal["vehicle", "pollutant"]
    values: list[str | None] = Field(description="Names to standardize; null is answered like an empty string.",
                                     fail_fast=True)


class Answer(BaseModel):
    input: str
    standard: str | None = Field(description="A catalog label, or null for 'not a standard value'.")
    method: str
    confidence: float


class StandardizeResponse(BaseModel):
    results: list[Answer] = Field(description="One answer per input value, in input order (the CLI's --json shape).")


class MapColumnsRequest(_Request):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"headers": ["时间(s)", "车速(km/h)", "坡度"], "samples": {"车速(km/h)": ["12.5", "30"]}}]})

    headers: list[str] = Field(fail_fast=True)
    samples: dict[str, list[str | None]] | None = Field(None, description="A few values per header (optional).")
    task: Literal["micro", "macro", "auto"] | None = Field(None, description="Default: decided from the headers.")

    @field_validator("samples", mode="before")
    @classmethod
    def _samples_to_the_first_error(cls, samples):
        if isinstance(samples, dict):
            for header, values in samples.items():
                if not isinstance(values, list):
                    raise ValueError(f"samples[{header[:50]!r}]: not a list; give each header a list of strings")
                for i, value in enumerate(values):
                    if value is not None and not isinstance(value, str):
                        raise ValueError(f"samples[{header[:50]!r}][{i}]: not a string or null")
        return samples


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
