"""Typed models of the catalog. The YAML files in catalog/data load into these; nothing else defines a label."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field as PydField

Task = Literal["vehicle", "pollutant"]
# Decisions may also settle a header (task "column"): a user overlay re-points a header alias that way.
DecisionTask = Literal["vehicle", "pollutant", "column"]
TableTask = Literal["micro", "macro"]
UNKNOWN = "UNKNOWN"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Named(_Strict):
    """A standard value with its Chinese name, a description, and `aliases`: naming family -> names."""

    zh: str
    description: str
    aliases: dict[str, list[str]]

    def all_aliases(self) -> list[str]:
        return [a for names in self.aliases.values() for a in names]


class SourceType(_Named):
    """A MOVES source type. `aliases` maps a naming family (moves, fhwa, cn_registration, ...) to its names."""

    id: int
    label: str

    @property
    def standard(self) -> str:
        return self.label


class Pollutant(_Named):
    label: str

    @property
    def standard(self) -> str:
        return self.label


class StandardField(_Named):
    """A standard column of a micro (second-by-second) or macro (road-link) emission calculation."""

    name: str
    task: TableTask
    unit: str | None

    @property
    def standard(self) -> str:
        return self.name


class Decision(_Strict):
    """A documented choice for an ambiguous or contested name. `label: null` means "not a standard value"."""

    task: DecisionTask
    alias: str
    label: str | None
    alternatives: list[str] = PydField(default_factory=list)
    reason: str


class Negatives(_Strict):
    """Real strings that are NOT standard values and must be answered None / UNKNOWN, never forced onto a label."""

    vehicle: list[str]
    pollutant: list[str]
    column: list[str]


class FleetMix(_Strict):
    """Words that turn a vehicle name in a header into a fleet-mix percentage column ("小汽车%", "pct_car")."""

    markers: list[str]
    negative_markers: list[str] = PydField(default_factory=list)
