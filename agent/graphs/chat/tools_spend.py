"""The chat's spend tool: a period's spend, total and by service, region, usage type or tag, with how much of the
period holds stored data. Spend by tag is Cost Explorer's when stored for the period, else per-resource costs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, model_validator

from agent.graphs.chat.args import PeriodArgs
from agent.graphs.chat.common import CeService, filter_text, period_text, storage
from agent.graphs.chat.vocabulary import SERVICES
from tools.models import cents


class SpendArgs(PeriodArgs):
    group_by: Literal["service", "region", "tag", "usage_type"] = Field(
        "service", description="How to break the spend down.")
    service: CeService = Field(None, description="Only this service, e.g. 'EC2' or 'AWS Lambda'.")
    region: str | None = Field(None, description="Only this region, e.g. 'us-east-1'.")
    tag_key: str | None = Field(None, description="Tag key when group_by is 'tag', e.g. 'team': Cost Explorer's "
                                                  "spend by that tag when stored for the period, else the "
                                                  "per-resource costs of the resources carrying it (tag_basis).")
    usage: str | None = Field(None, pattern=r"^[A-Za-z0-9:._-]{1,64}$",
                              description="Also sum the usage types containing this text, e.g. 'NatGateway' "
                                          "(usage types are not split by region).")

    @model_validator(mode="after")
    def _tag(self) -> SpendArgs:
        if self.group_by == "tag" and not self.tag_key:
            raise ValueError("group_by 'tag' needs tag_key")
        return self


def resource_label(service: str | None) -> str | None:
    """The report label of a Cost Explorer service ('Amazon Elastic Compute Cloud - Compute' -> 'EC2')."""
    return next((s.label for s in SERVICES if s.ce == service and s.label), service) if service else None


def spend(args: SpendArgs) -> dict[str, Any]:
    """Spend over a period, total and broken down by service, region, usage type or one tag; how many of the
    period's days hold stored spend (0: nothing stored for the period yet)."""
    store = storage()
    summary = store.cost_summary(args.start, args.end, service=args.service, region=args.region)
    tags: dict[str, Any] = _tag_spend(store, args) if args.group_by == "tag" else {}
    if tags:
        summary = summary.model_copy(update={"by_tag": {args.tag_key: tags.pop("by_tag")}})
    usage: dict[str, Decimal] = {}
    for row in summary.daily_by_usage_type:
        usage[row.usage_type] = usage.get(row.usage_type, Decimal(0)) + Decimal(str(row.cost))
    breakdown = {"service": summary.by_service, "region": summary.by_region,
                 "usage_type": {k: cents(v) for k, v in sorted(usage.items(), key=lambda kv: -kv[1])},
                 "tag": summary.by_tag.get(args.tag_key or "", {})}[args.group_by]
    result = {"total_usd": summary.total_cost, f"by_{args.group_by}": breakdown,
              "period": period_text(args.start, args.end), "days_with_data": store.cost_days(args.start, args.end)}
    result.update(tags)
    if args.usage:
        result["usage_usd"] = cents(sum((v for k, v in usage.items() if args.usage.lower() in k.lower()),
                                        Decimal(0)))
    filters = filter_text(service=args.service, region=args.region, usage=args.usage)
    by_tag = {"cost_explorer": ", raw_responses cost_by_tag: Cost Explorer spend by tag",
              "per_resource": ", resource_costs by tag"}
    result["source"] = f"cost_summary {period_text(args.start, args.end)}{filters} (ClickHouse cost_metrics" \
                       f"{by_tag.get(result.get('tag_basis', ''), '')})"
    return result


def _tag_spend(store: Any, args: SpendArgs) -> dict[str, Any]:
    """Spend by one tag's values: Cost Explorer's (stored with the collection, for its report period and the whole
    account) when it covers the period asked, else the per-resource costs of the resources carrying the tag, else
    Cost Explorer's for the overlapping period it holds. `tag_basis` says which; `tag_period` the days it covers."""
    assert args.tag_key is not None
    stored = store.tag_costs(args.start, args.end, [args.tag_key])
    whole_account = args.service is None and args.region is None
    if stored and whole_account and args.tag_key in stored[1] and \
            (stored[0].start, stored[0].end) == (args.start, args.end):
        return {"by_tag": stored[1][args.tag_key], "tag_basis": "cost_explorer",
                "tag_period": period_text(stored[0].start, stored[0].end)}
    days = store.resource_cost_days(args.start, args.end)
    if days:
        tagged = store.cost_summary(args.start, args.end, service=resource_label(args.service), region=args.region,
                                    tag_key=args.tag_key)  # per-resource costs carry the report's label ('EC2')
        return {"by_tag": tagged.by_tag.get(args.tag_key, {}), "tag_basis": "per_resource",
                "tag_days_with_data": days}
    if stored and whole_account and args.tag_key in stored[1]:
        return {"by_tag": stored[1][args.tag_key], "tag_basis": "cost_explorer",
                "tag_period": period_text(stored[0].start, stored[0].end)}
    return {"by_tag": {}, "tag_basis": "none", "tag_days_with_data": 0}
