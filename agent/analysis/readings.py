"""What a resource says about itself: its state, its measured metrics, its dates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tools.models import MetricSummary, Resource


def state_of(resource: Resource) -> str:
    return (resource.state or str(resource.attributes.get("state") or "")).lower()


def metric(resource: Resource, key: str) -> MetricSummary | None:
    """The metric summary under `key` when it has at least one day of data, else None."""
    found = resource.utilization.get(key)
    return found if found is not None and found.days > 0 else None


def utc(value: datetime) -> datetime:
    """`value` with a timezone: naive times are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def as_datetime(raw: Any) -> datetime | None:
    """A datetime, or ISO text (a trailing Z allowed), as an aware datetime; None for anything else."""
    if isinstance(raw, str):
        raw = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return utc(raw) if isinstance(raw, datetime) else None
