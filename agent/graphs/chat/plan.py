"""The typed plan of one question, and the filters a thread carries from turn to turn.

A question parses into a `Plan`: what is measured (spend, a change against a stated baseline, anomalies, the
forecast, the agent's own cost, savings, findings, resources, one resource's details), the shape of the answer
(a total, a breakdown, the top N, a complete list, a count, a share of the previous answer) and the `Filters`
(service, region, tag, period, resource kind and state, finding types, a resource). `ThreadFilters` is what the
chat graph's state keeps of the last plan so that a follow-up ("and how much of that was RDS?") inherits it.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from tools.models import OpportunityType, ResourceKind

Measure = Literal["spend", "change", "anomalies", "forecast", "run_cost", "savings", "findings", "resources",
                  "details", "actions", "unknown"]
Shape = Literal["total", "breakdown", "top", "list", "count", "share"]
GroupBy = Literal["service", "region", "tag", "usage_type", "day", "month", "type", "account"]
MEASURES: tuple[str, ...] = Measure.__args__  # type: ignore[attr-defined]


class Period(BaseModel):
    start: date
    end: date
    words: str
    """How the answer names it: 'last month', 'the last 30 days', 'on 2026-10-14'."""
    stated: bool = True
    """False for the default period (nothing named, nothing inherited)."""


class Baseline(BaseModel):
    """What a change is measured against."""

    kind: Literal["days_before", "previous_period", "detector"]
    """The mean daily cost of the `days` days before; the period of the same length before; the anomaly
    detector's own baseline (the same weekday over the previous 4 weeks)."""
    days: int = Field(7, ge=1, le=90)


class Filters(BaseModel):
    service: str | None = None
    """A vocabulary service key ('rds', 'nat') or a stored Cost Explorer service name."""
    region: str | None = None
    tag_key: str | None = None
    tag_value: str | None = None
    period: Period | None = None
    kind: ResourceKind | None = None
    state: str | None = None
    """'running', 'stopped' ... of a resource (findings: their evidence `state`, else the inventory's)."""
    finding_types: list[OpportunityType] = Field(default_factory=list)
    resource: str | None = None
    """A resource id, ARN or stored name."""


class Plan(BaseModel):
    """One question, parsed."""

    measure: Measure
    shape: Shape = "total"
    group_by: GroupBy | None = None
    top_n: int | None = Field(None, ge=1, le=100)
    complete: bool = False
    """'list all', 'every': no cap on the listed items."""
    baseline: Baseline | None = None
    filters: Filters = Field(default_factory=Filters)
    inherited: list[str] = Field(default_factory=list)
    """Filters taken from the previous turn ('region', 'period' ...), said in the answer."""
    unknown_region: str | None = None
    """A region the question names that holds no stored data (said plainly)."""
    extra_services: list[str] = Field(default_factory=list)
    """Further services the question names ('EC2 and RDS'), each answered too."""
    service_named: bool = False
    """Whether the service was named (or inherited), not only implied by a resource kind."""
    share_of: str | None = None
    """For a share ('how much of that was RDS?'): the previous turn's service, whose spend is the whole."""
    text: str = ""


class ThreadFilters(TypedDict, total=False):
    """What the thread remembers of the last question; a follow-up inherits each field it does not change."""

    measure: str
    """What the last question measured ('spend', 'findings' ...)."""
    group_by: str | None
    """How its answer was broken down ('service', 'tag' ...)."""
    service: str | None
    """Vocabulary service key or Cost Explorer service name."""
    region: str | None
    """Region code."""
    tag_key: str | None
    """Tag key, e.g. 'team'."""
    tag_value: str | None
    """Tag value, e.g. 'data'."""
    start: str | None
    """First day of the period (ISO)."""
    end: str | None
    """Last day of the period (ISO)."""
    period_words: str | None
    """How the period was named ('last month')."""
    kind: str | None
    """Resource kind ('ec2_instance')."""
    state: str | None
    """Resource state ('running')."""
    finding_types: list[str]
    """Finding types ('idle_resource')."""
    resource: str | None
    """The resource id, ARN or name asked about."""


def remembered(plan: Plan) -> ThreadFilters:
    """The thread filters a plan leaves for the next turn."""
    f, p = plan.filters, plan.filters.period
    stated = p if p and p.stated else None
    service = f.service if plan.service_named else None
    region = None if plan.unknown_region else f.region
    return ThreadFilters(measure=plan.measure, group_by=plan.group_by, service=service, region=region,
                         tag_key=f.tag_key, tag_value=f.tag_value,
                         start=stated.start.isoformat() if stated else None,
                         end=stated.end.isoformat() if stated else None,
                         period_words=stated.words if stated else None, kind=f.kind, state=f.state,
                         finding_types=list(f.finding_types), resource=f.resource)


def previous_period(thread: ThreadFilters) -> Period | None:
    if thread.get("start") and thread.get("end"):
        return Period(start=date.fromisoformat(str(thread["start"])), end=date.fromisoformat(str(thread["end"])),
                      words=str(thread.get("period_words") or f"{thread['start']}..{thread['end']}"))
    return None
