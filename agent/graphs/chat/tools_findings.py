"""Chat tools over the latest report: its headline figures, and its findings listed completely with filters.

A finding's state is its evidence's `state` (a stopped instance, an available volume) else the resource's state
in the latest inventory; its kind and tags come from the inventory too. Savings of a set of findings are counted
once per resource (its largest saving), as the report's `total_waste` is.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field

from agent.analysis.actions import CONFIDENCE, ranked_actions
from agent.analysis.report import with_savings
from agent.analysis.savings import of_account, savings_totals, waste_by_service
from agent.graphs.chat.args import Args
from agent.graphs.chat.common import Label, State, filter_text, report_or_fail, report_source, storage
from tools.models import Finding, Opportunity, OpportunityType, ResourceKind, cents
from tools.resource_label import display

ACTION_FIELDS = {"rank", "resource_id", "name", "region", "account_id", "type", "action", "monthly_saving",
                 "confidence", "effort", "risk", "also_found"}

KIND_OF_TYPE: dict[str, str] = {
    "idle_resource": "ec2_instance", "rightsizing": "ec2_instance", "spot_migration": "ec2_instance",
    "savings_plan": "ec2_instance", "previous_generation": "ec2_instance", "unattached_volume": "ebs_volume",
    "volume_type_upgrade": "ebs_volume", "unused_elastic_ip": "elastic_ip", "idle_nat_gateway": "nat_gateway",
    "idle_database": "rds_instance", "multi_az": "rds_instance", "reserved_instance": "rds_instance",
    "lambda_memory": "lambda_function", "lambda_errors": "lambda_function", "s3_lifecycle": "s3_bucket",
    "s3_incomplete_uploads": "s3_bucket",
}


class FindingArgs(Args):
    types: list[OpportunityType] = Field(default_factory=list, description="Only these finding types, e.g. "
                                         "['idle_resource'], ['s3_lifecycle'], ['multi_az'].")
    service: Label = Field(None, description="Only this service: EC2, EBS, VPC, RDS, Lambda or S3.")
    region: str | None = Field(None, description="Only this region, e.g. 'eu-west-1'.")
    state: State = Field(None, description="Only resources in this state, e.g. 'running' or 'stopped'.")
    kind: ResourceKind | None = Field(None, description="Only this resource kind, e.g. 'ec2_instance'.")
    tag_key: str | None = Field(None, description="Only resources with this tag key (with tag_value: that value).")
    tag_value: str | None = Field(None, description="Tag value, e.g. 'data' for tag_key 'team'.")
    limit: int = Field(20, ge=1, le=500, description="How many findings to list, largest savings first; "
                       "`matching` says how many there are in all.")


def kind_of(finding: Finding, opportunity: Opportunity, inventory: dict[str, dict[str, Any]]) -> str:
    known = inventory.get(finding.resource_id, {}).get("kind")
    if known:
        return str(known)
    if opportunity.type == "old_snapshot":
        return "rds_snapshot" if opportunity.service == "RDS" else "ebs_snapshot"
    if ":autoscaling:" in finding.resource_id:
        return "autoscaling_group"
    return KIND_OF_TYPE.get(opportunity.type, "")


def _row(finding: Finding, opportunity: Opportunity, inv: dict[str, Any], kind: str, state: str) -> dict[str, Any]:
    shown = display(finding.resource_id, finding.region, finding.name or inv.get("name", ""))
    return {"type": opportunity.type, "service": opportunity.service, "resource_id": finding.resource_id,
            "name": finding.name or inv.get("name", ""), "shown": shown, "region": finding.region, "kind": kind,
            "resource_type": finding.resource_type or inv.get("resource_type", ""), "state": state,
            "monthly_cost_usd": finding.monthly_cost, "savings_usd": finding.estimated_savings,
            "recommendation": finding.recommendation}


def _matches(args: FindingArgs, finding: Finding, inv: dict[str, Any], kind: str, state: str) -> bool:
    tags = inv.get("tags", {})
    return ((args.region is None or finding.region == args.region) and (args.state is None or state == args.state)
            and (args.kind is None or kind == args.kind)
            and (args.tag_key is None or (args.tag_key in tags and args.tag_value in (None, tags[args.tag_key]))))


def findings(args: FindingArgs) -> dict[str, Any]:
    """Every finding of the latest report matching the filters; savings counted once per resource."""
    report = report_or_fail()
    chosen = [o for o in report.opportunities if (not args.types or o.type in args.types)
              and (args.service is None or o.service == args.service)]
    ids = sorted({f.resource_id for o in chosen for f in o.resources})
    inventory = {r["resource_id"]: r for r in storage().inventory(resource_ids=ids)} if ids else {}
    rows: list[dict[str, Any]] = []
    kept: list[Opportunity] = []
    for o in chosen:
        keep = []
        for f in o.resources:
            inv = inventory.get(f.resource_id, {})
            kind, state = kind_of(f, o, inventory), str(f.evidence.get("state") or inv.get("state") or "")
            if _matches(args, f, inv, kind, state):
                keep.append(f)
                rows.append(_row(f, o, inv, kind, state))
        if keep:
            kept.append(o.model_copy(update={"resources": keep}))
    rows.sort(key=lambda r: (-(r["savings_usd"] or 0), r["shown"]))
    subset = savings_totals(kept)
    by_type = [{"type": o.type, "service": o.service, "findings": len(o.resources),
                "savings_usd": cents(sum((Decimal(str(f.savings)) for f in o.resources), Decimal(0)))}
               for o in kept]
    filters = filter_text(types=",".join(args.types), service=args.service, region=args.region, state=args.state,
                          kind=args.kind, tag=f"{args.tag_key}={args.tag_value or '*'}" if args.tag_key else None)
    return {"matching": len(rows), "resources": len({r["resource_id"] for r in rows}),
            "savings_usd": subset.total, "waste_usd": subset.waste, "pricing_levers_usd": subset.pricing_levers,
            "merged_resources": subset.merged_resources, "by_type": by_type, "findings": rows[:args.limit],
            "more": max(0, len(rows) - args.limit),
            "source": report_source(report, "findings") + filters}


class SummaryArgs(Args):
    pass


def report_summary(args: SummaryArgs) -> dict[str, Any]:
    """The latest report's headline: spend, the savings total (deduplicated) as waste and pricing levers, by
    service and region, its own cost."""
    report = with_savings(report_or_fail())
    by_service = waste_by_service(report.opportunities)
    return {"period": f"{report.time_period.start}..{report.time_period.end}",
            "total_monthly_cost_usd": report.total_monthly_cost, "total_savings_usd": report.savings.total,
            "total_waste_usd": report.total_waste, "pricing_levers_usd": report.savings.pricing_levers,
            "merged_resources": report.savings.merged_resources, "account_id": report.account_id,
            "savings_by_account_usd": report.savings.by_account,
            "spend_by_account_usd": report.by_account,
            "waste_percentage": report.waste_percentage, "opportunities": len(report.opportunities),
            "findings": sum(len(o.resources) for o in report.opportunities),
            "waste_by_service_usd": {k: cents(v) for k, v in by_service.items()},
            "by_service_usd": report.by_service, "by_region_usd": report.by_region, "regions": report.regions,
            "run_cost_usd": report.run_cost.model_dump(mode="json", by_alias=True), "partial": report.partial,
            "generated_at": report.generated_at.isoformat() if report.generated_at else None,
            "source": report_source(report, "summary")}



class ActionArgs(Args):
    limit: int = Field(5, ge=1, le=50, description="how many actions, best first")
    account_id: str | None = Field(None, pattern=r"^\d{12}$", description="only this account's actions")


def do_first(args: ActionArgs) -> dict[str, Any]:
    """The latest report's single actions ranked by saving x confidence: what to do first."""
    report = with_savings(report_or_fail())
    opportunities = report.opportunities if args.account_id is None else of_account(report.opportunities,
                                                                                    args.account_id)
    ranked = ranked_actions(opportunities)
    return {"actions": [a.model_dump(mode="json", include=ACTION_FIELDS) for a in ranked[:args.limit]],
            "count": len(ranked), "total_savings_usd": savings_totals(opportunities).total,
            "confidence": CONFIDENCE, "source": report_source(report, "do-this-first list")
            + filter_text(account=args.account_id)}
