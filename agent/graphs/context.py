"""Run settings of one analysis or chat run, passed to the graph as its `context_schema`.

Every field falls back to `tools.settings.Settings` (environment, `.env`, `config.yaml`) when not given,
so `langgraph dev`, the CLI and the API all run with the same defaults.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields
from typing import Any

from tools.settings import Settings, get_settings

# The process settings a caller (CLI, API, tests) runs the graph with; the server uses `get_settings()`.
_BASE: ContextVar[Settings | None] = ContextVar("base_settings", default=None)


@contextmanager
def use_settings(settings: Settings) -> Iterator[None]:
    """Run graphs inside this block with `settings` as the base of every `Context`."""
    token = _BASE.set(settings)
    try:
        yield
    finally:
        _BASE.reset(token)


def base_settings() -> Settings:
    return _BASE.get() or get_settings()


@dataclass(kw_only=True)
class Context:
    """What a caller may change per run; `None` means "use the setting"."""

    regions: list[str] | None = field(
        default=None,
        metadata={"description": "Regions to collect and report; default AWS_REGIONS, else the account's "
                                 "enabled regions."},
    )
    lookback_days: int | None = field(
        default=None,
        metadata={"description": "Days of spend in the report period (AWS_COST_LOOKBACK_DAYS, default 30)."},
    )
    idle_cpu_threshold: float | None = field(
        default=None,
        metadata={"description": "Average CPU % under which a running instance is idle (AWS_IDLE_CPU_THRESHOLD)."},
    )
    underutilized_cpu_threshold: float | None = field(
        default=None,
        metadata={"description": "Daily CPU % under which an instance is a rightsizing candidate "
                                 "(AWS_UNDERUTILIZED_CPU_THRESHOLD)."},
    )
    model_id: str | None = field(
        default=None,
        metadata={"description": "Bedrock model id for the summary and chat (BEDROCK_MODEL_ID); 'none' disables."},
    )
    refresh: bool = field(
        default=False,
        metadata={"description": "Bypass the one-hour Cost Explorer cache."},
    )

    def settings(self, base: Settings | None = None) -> Settings:
        """The settings this run uses: `base` (or the caller's settings) with this context's overrides."""
        base = base or base_settings()
        update: dict[str, Any] = {}
        if self.regions:
            update["aws_regions"] = list(self.regions)
        if self.lookback_days is not None:
            update["aws_cost_lookback_days"] = self.lookback_days
        if self.idle_cpu_threshold is not None:
            update["aws_idle_cpu_threshold"] = self.idle_cpu_threshold
        if self.underutilized_cpu_threshold is not None:
            update["aws_underutilized_cpu_threshold"] = self.underutilized_cpu_threshold
        if self.model_id:
            update["bedrock_model_id"] = self.model_id
        if not update:
            return base
        # Re-validate through the Settings class so a bad region or threshold fails like a bad env var.
        from tools.settings import load_settings

        data = base.model_dump()
        data.update(update)
        return load_settings(**data)

    @classmethod
    def describe(cls) -> dict[str, str]:
        """Field name -> description (for `--help` texts and docs)."""
        return {f.name: f.metadata.get("description", "") for f in fields(cls)}
