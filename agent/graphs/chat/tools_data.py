"""Chat tools over the inventory, the catalogue of stored names, spend against a stated baseline, and what the
agent itself spent. Read-only, like every chat tool; each result names its source."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, model_validator

from agent.graphs.chat.args import Args, PeriodArgs, ToolInputError
from agent.graphs.chat.common import (
    CeService,
    Label,
    State,
    filter_text,
    latest_report,
    period_text,
    storage,
)
from agent.graphs.chat.vocabulary import region_label
from tools.models import ResourceKind, cents
from tools.resource_label import display

WEEKS = 4
"""Weeks of the same-weekday baseline (docs/rules.md's anomaly baseline)."""


class ResourceListArgs(Args):
    kind: ResourceKind | None = Field(None, description="Only this kind, e.g. 'ec2_instance', 's3_bucket'.")
    service: Label = Field(None, description="Only this service: EC2, EBS, VPC, RDS, Lambda or S3.")
    region: str | None = Field(None, description="Only this region.")
    state: State = Field(None, description="Only this state, e.g. 'running', 'stopped', 'available'.")
    tag_key: str | None = Field(None, description="Only resources with this tag key, e.g. 'team'.")
    tag_value: str | None = Field(None, description="Only this value of tag_key, e.g. 'data'.")
    group_by: Literal["kind", "state", "region", "tag", "type"] | None = Field(
        None, description="Count and sum the monthly cost per kind, state, region, tag value (tag_key) or type.")
    limit: int = Field(20, ge=1, le=5000, description="How many resources to list, most expensive first.")

    @model_validator(mode="after")
    def _tag(self) -> ResourceListArgs:
        if (self.group_by == "tag" or self.tag_value is not None) and not self.tag_key:
            raise ValueError("group_by 'tag' and tag_value need tag_key")
        return self


def _group(resource: dict[str, Any], args: ResourceListArgs) -> str:
    if args.group_by == "tag":
        return str(resource["tags"].get(args.tag_key or "", ""))
    return str(resource["resource_type" if args.group_by == "type" else args.group_by or "kind"])


def resources(args: ResourceListArgs) -> dict[str, Any]:
    """Resources of the latest inventory: how many, their price-book monthly cost, optionally grouped."""
    found = storage().inventory(kind=args.kind, service=args.service, region=args.region, state=args.state,
                                tag_key=args.tag_key, tag_value=args.tag_value)
    groups: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for r in found:
        if args.group_by:
            groups[_group(r, args)][0] += 1
            groups[_group(r, args)][1] += Decimal(str(r["monthly_cost"]))
    snapshot = found[0]["snapshot_date"] if found else None
    listed = [{"resource_id": r["resource_id"], "shown": display(r["resource_id"], r["region"], r["name"]),
               "name": r["name"], "kind": r["kind"], "resource_type": r["resource_type"], "state": r["state"],
               "region": r["region"], "monthly_cost_usd": r["monthly_cost"]} for r in found[:args.limit]]
    filters = filter_text(kind=args.kind, service=args.service, region=args.region, state=args.state,
                          tag=f"{args.tag_key}={args.tag_value or '*'}" if args.tag_key else None)
    return {"count": len(found), "snapshot_date": snapshot,
            "monthly_cost_usd": cents(sum((Decimal(str(r["monthly_cost"])) for r in found), Decimal(0))),
            **({f"by_{args.group_by}": {k: {"count": int(c), "monthly_cost_usd": cents(m)}
                                         for k, (c, m) in sorted(groups.items(), key=lambda kv: -kv[1][1])}}
               if args.group_by else {}),
            "resources": listed, "more": max(0, len(found) - args.limit),
            "source": f"inventory snapshot {snapshot or 'none'}{filters} (ClickHouse resources, price-book "
                      "monthly cost)"}


class CatalogArgs(Args):
    names: bool = Field(False, description="Also list the resource names of the inventory (long).")


def catalog(args: CatalogArgs) -> dict[str, Any]:
    """What is stored: the days and services of spend, the regions (spend and collected), tag keys and values,
    the latest report's period and finding types."""
    store, report = storage(), latest_report()
    costs = store.cost_catalog()
    result: dict[str, Any] = {
        "spend_first_day": costs["first"], "spend_last_day": costs["last"], "services": costs["services"],
        "regions": {code: {"name": region_label(code), "first": d[0], "last": d[1]}
                    for code, d in costs["regions"].items()},
        "collected_regions": report.regions if report else [], "tags": store.tag_catalog(),
        "report_period": f"{report.time_period.start}..{report.time_period.end}" if report else None,
        "finding_types": sorted({o.type for o in report.opportunities}) if report else [],
        "source": "catalog of stored data (ClickHouse cost_metrics, resources; latest report)"}
    if args.names:
        result["names"] = store.resource_names()
    return result


class CompareArgs(PeriodArgs):
    service: CeService = Field(None, description="Only this service.")
    region: str | None = Field(None, description="Only this region.")
    baseline: Literal["days_before", "previous_period", "same_weekday"] = Field(
        "days_before", description="'days_before': the mean daily cost of the baseline_days days before start, "
                                   "against the period's mean daily cost (for one day: that day's cost); "
                                   "'previous_period': the period of the same length just before (the month "
                                   "before for a calendar month, its same days for month to date, the same days of "
                                   "the week before for a week from Monday), total against "
                                   "total; 'same_weekday' (one day): the mean of the same weekday over the previous "
                                   "4 weeks, the anomaly detector's baseline.")
    baseline_days: int = Field(7, ge=1, le=90, description="Days before start, for baseline 'days_before'.")


def _baseline_window(args: CompareArgs) -> tuple[date, date]:
    if args.baseline == "days_before":
        return args.start - timedelta(days=args.baseline_days), args.start - timedelta(days=1)
    if args.baseline == "same_weekday":
        if args.start != args.end:
            raise ToolInputError("baseline 'same_weekday' compares one day: give start = end")
        return args.start - timedelta(days=7 * WEEKS), args.start - timedelta(days=1)
    if args.start.weekday() == 0 and (args.end - args.start).days < 7:
        # A week (or week to date) against the same days of the week before.
        return args.start - timedelta(days=7), args.end - timedelta(days=7)
    if args.start.day == 1 and (args.start.year, args.start.month) == (args.end.year, args.end.month):
        # A calendar month against the month before; month to date against the same days of the month before.
        last = args.start - timedelta(days=1)
        if (args.end + timedelta(days=1)).day != 1:
            last = last.replace(day=min(last.day, args.end.day))
        return last.replace(day=1), last
    days = (args.end - args.start).days + 1
    return args.start - timedelta(days=days), args.start - timedelta(days=1)


def compare_spend(args: CompareArgs) -> dict[str, Any]:
    """Spend over a period against a stated baseline, with the change in dollars and percent."""
    store = storage()
    first, last = _baseline_window(args)
    rows = store.query_cost_trends(first, args.end, service=args.service, region=args.region)
    daily: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        daily[row["period"]] += Decimal(str(row["cost"]))
    actual = sum((v for d, v in daily.items() if d >= args.start.isoformat()), Decimal(0))
    base_days_of = [(args.start - timedelta(days=7 * k)).isoformat() for k in range(1, WEEKS + 1)] \
        if args.baseline == "same_weekday" else [d for d in daily if d <= last.isoformat()]
    base = sum((daily[d] for d in base_days_of if d in daily), Decimal(0))
    actual_days = store.cost_days(args.start, args.end)
    base_days = sum(1 for d in base_days_of if d in daily) if args.baseline == "same_weekday" \
        else store.cost_days(first, last)
    result: dict[str, Any] = {"actual_usd": cents(actual), "actual_days_with_data": actual_days,
                              "baseline_period": period_text(first, last), "baseline_days_with_data": base_days,
                              "baseline_usd": cents(base)}
    if args.baseline == "previous_period":
        now, then = actual, base
    else:
        now = actual / actual_days if actual_days else Decimal(0)
        then = base / base_days if base_days else Decimal(0)
        result.update(actual_daily_mean_usd=cents(now), baseline_daily_mean_usd=cents(then))
    result["change_usd"] = cents(now - then)
    result["difference_usd"] = abs(result["change_usd"])
    result["change_percentage"] = round(float((now - then) / then * 100), 1) if then else None
    filters = filter_text(service=args.service, region=args.region)
    result["source"] = (f"compare_spend {period_text(args.start, args.end)} against {args.baseline} "
                        f"{period_text(first, last)}{filters} (ClickHouse cost_metrics)")
    return result


class AgentCostArgs(Args):
    start: date | None = Field(None, description="First day, inclusive (ISO); all time when not given.")
    end: date | None = Field(None, description="Last day, inclusive (ISO).")


def agent_costs(args: AgentCostArgs) -> dict[str, Any]:
    """What the agent itself spent (Bedrock tokens, Redshift, Lambda, paid AWS requests) over a period."""
    totals = storage().agent_cost_totals(args.start, args.end)
    when = period_text(args.start, args.end) if args.start and args.end else \
        f"since {args.start}" if args.start else f"until {args.end}" if args.end else "all records"
    return {**{f"{k}_usd": totals[k] for k in ("bedrock", "redshift", "lambda", "aws_api", "total")},
            "input_tokens": totals["input_tokens"], "output_tokens": totals["output_tokens"],
            "records": totals["records"], "period": when,
            "source": f"agent_cost_totals {when} (ClickHouse agent_costs)"}

