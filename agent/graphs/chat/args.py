"""Validated arguments of the chat tools: ISO dates with start <= end, known regions, no extra fields."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tools.regions import known_region


class ToolInputError(ValueError):
    """An argument the tools cannot use; the message says which and what is expected."""


def resolve_name(name: str | None, aliases: Mapping[str, str], what: str) -> str | None:
    """The full name for `name`, an alias (any case) or a full name itself; None when blank, else
    `ToolInputError` naming `what` was unknown."""
    if name is None or not name.strip():
        return None
    key = name.strip().lower()
    if key in aliases:
        return aliases[key]
    known = set(aliases.values())
    for full in known:
        if full.lower() == key:
            return full
    raise ToolInputError(f"service: unknown {what} {name!r}; known: {', '.join(sorted(known))}")


def today() -> date:
    return datetime.now(UTC).date()


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("region", mode="after", check_fields=False)
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        return None if value is None else known_region(value)


class PeriodArgs(Args):
    start: date = Field(description="First day, inclusive, ISO YYYY-MM-DD.")
    end: date = Field(description="Last day, inclusive, ISO YYYY-MM-DD.")

    @model_validator(mode="after")
    def _ordered(self) -> PeriodArgs:
        if self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self
