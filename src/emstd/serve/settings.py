"""The service's limits and tuning, one pydantic model (CLI flags -> ServeSettings -> create_app)."""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field, SecretStr


def _api_key_from_env() -> SecretStr | None:
    key = os.environ.get("EMSTD_API_KEY", "").strip()
    return SecretStr(key) if key else None


class ServeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Limits: each one is named (with its value and flag) in the 413/422 answer that enforces it.
    max_values: int = Field(1000, gt=0, description="values per /v1/standardize request")
    # Values over 200 characters pass this limit but every backend answers them null (too_long) without a model.
    max_value_chars: int = Field(500, gt=0, description="characters per value, header or sample")
    max_headers: int = Field(200, gt=0, description="headers per /v1/map-columns request")
    max_samples_per_header: int = Field(20, gt=0, description="sample values per header")
    max_upload_bytes: int = Field(20 * 1024 * 1024, gt=0, description="bytes of an uploaded table")
    max_json_bytes: int = Field(4 * 1024 * 1024, gt=0, description="bytes of a JSON request body")
    # An uploaded .xlsx is checked on its zip directory before any XML is parsed (emstd.infer.xlsx_limits). The
    # server's caps are lower than the CLI's: reading costs about 130 bytes of memory per cell, and up to
    # `table_workers` tables are read at once. 2 M cells is more than a 20 MiB upload of real data holds.
    max_xlsx_mb: float = Field(150.0, gt=0, description="megabytes an uploaded .xlsx may unpack to")
    max_xlsx_cells: int = Field(2_000_000, gt=0, description="cells of an uploaded .xlsx sheet")

    # Micro-batching: requests arriving within the window are answered by one standardizer call per task.
    batch_window_ms: float = Field(10.0, ge=0)
    max_batch_values: int = Field(512, gt=0)
    # Uploaded tables are read, mapped and written on their own threads; only their model calls go through the
    # single model worker, so a large table does not hold up value requests.
    table_workers: int = Field(2, gt=0)

    # Every endpoint except /health requires this key when set (default: the EMSTD_API_KEY environment variable).
    api_key: SecretStr | None = Field(default_factory=_api_key_from_env)

    def xlsx_limits(self):
        from emstd.infer.xlsx_limits import XlsxLimits

        return XlsxLimits(max_uncompressed_mb=self.max_xlsx_mb, max_cells=self.max_xlsx_cells)

    def describe_limit(self, name: str) -> str:
        """'max_values=1000 (emstd serve --max-values)': the limit, its value and how to change it."""
        return f"{name}={getattr(self, name)} (emstd serve --{name.replace('_', '-')})"
