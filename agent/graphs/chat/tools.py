"""Chat tools: READ-ONLY queries over ClickHouse and the latest report. Nothing here can change AWS.

Arguments are validated with pydantic (ISO dates, start <= end, known services and regions). Every result
is a JSON object with the figures and a `source` that names the query and the period, so answers can cite it.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from langchain_core.tools import StructuredTool
from langgraph.config import get_config
from pydantic import Field, ValidationError, model_validator

from agent.graphs.chat import tools_data, tools_findings
from agent.graphs.chat.args import Args, PeriodArgs, ToolInputError, today
from agent.graphs.chat.common import (
    CE_SERVICES,
    LABELS,
    CeService,
    Label,
    ce_service,
    filter_text,
    label,
    latest_report,
    period_text,
    report_or_fail,
    report_source,
    storage,
)
from agent.graphs.chat.cur import DESCRIPTION as CUR_DESCRIPTION
from agent.graphs.chat.cur import NAME as CUR_NAME
from agent.graphs.chat.cur import CurArgs, cur_spend
from agent.graphs.chat.tools_spend import SpendArgs, spend
from tools.models import Finding, OpportunityType, cents
from tools.resource_label import display, is_arn

__all__ = ["CE_SERVICES", "LABELS", "QUERIES", "TOOLS", "SpendArgs", "ToolInputError", "ce_service", "label",
           "latest_report", "run_query", "today", "tools_for"]


class TrendArgs(PeriodArgs):
    service: CeService = Field(None, description="Only this service.")
    region: str | None = Field(None, description="Only this region.")
    granularity: Literal["day", "month"] = "day"


class OpportunityArgs(Args):
    limit: int = Field(5, ge=1, le=50, description="How many opportunities, largest savings first.")
    service: Label = Field(None, description="Only this service: EC2, EBS, VPC, RDS, Lambda or S3.")
    type: OpportunityType | None = Field(None, description="Only this opportunity type, e.g. 'idle_resource'.")
    min_savings: float = Field(0.0, ge=0, description="Minimum monthly savings in USD.")
    per_opportunity: int = Field(5, ge=1, le=500, description="How many of each opportunity's resources to list, "
                                 "largest savings first.")


class AnomalyArgs(Args):
    service: CeService = Field(None, description="Only this service.")
    start: date | None = Field(None, description="First day, inclusive (ISO).")
    end: date | None = Field(None, description="Last day, inclusive (ISO).")

    @model_validator(mode="after")
    def _ordered(self) -> AnomalyArgs:
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self


class ResourceArgs(Args):
    resource_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/@+=,\-]{0,511}$",
                             description="An AWS resource id such as i-0abc123 or vol-0abc, an ARN, or the name "
                                         "of an RDS database or snapshot or a Lambda function.")
    region: str | None = Field(None, pattern=r"^[a-z]{2}(-[a-z]+)+-\d$",
                               description="Region of a named RDS or Lambda resource (names repeat across regions).")


class ForecastArgs(Args):
    days: int = Field(30, ge=1, le=365, description="Days ahead to forecast.")


def trend(args: TrendArgs) -> dict[str, Any]:
    """Spend per day or month over a period (all matching services and regions together)."""
    service = args.service
    rows = storage().query_cost_trends(args.start, args.end, service=service, region=args.region,
                                        granularity=args.granularity)
    totals: dict[str, Decimal] = {}
    for row in rows:
        totals[row["period"]] = totals.get(row["period"], Decimal(0)) + Decimal(str(row["cost"]))
    series = [{"period": p, "cost_usd": cents(v)} for p, v in sorted(totals.items())][-120:]
    filters = filter_text(service=service, region=args.region)
    return {"series": series, "source": f"query_cost_trends {period_text(args.start, args.end)} "
                                        f"by {args.granularity}{filters} (ClickHouse cost_metrics)"}


def forecast(args: ForecastArgs) -> dict[str, Any]:
    """Cost Explorer's forecast from the latest report, else the mean daily cost of the last 14 stored days."""
    report = latest_report()
    if report is not None and report.forecast is not None:
        f = report.forecast
        return {"mean_usd": f.mean, "lower_usd": f.lower, "upper_usd": f.upper,
                "period": period_text(f.time_period.start, f.time_period.end),
                "source": f"latest report forecast {period_text(f.time_period.start, f.time_period.end)} "
                          "(Cost Explorer GetCostForecast)"}
    end = today() - timedelta(days=1)
    start = end - timedelta(days=13)
    series = trend(TrendArgs(start=start, end=end))["series"]
    if not series:
        raise ToolInputError("no stored spend in the last 14 days to forecast from")
    mean = sum((Decimal(str(p["cost_usd"])) for p in series), Decimal(0)) / 14
    return {"mean_daily_usd": cents(mean), "forecast_usd": cents(mean * args.days), "days": args.days,
            "source": f"computed: mean daily cost over {period_text(start, end)} (query_cost_trends) "
                      f"x {args.days} days"}


def opportunities(args: OpportunityArgs) -> dict[str, Any]:
    """The largest savings opportunities of the latest report, with their biggest resources."""
    report = report_or_fail()
    service = args.service
    found = [o for o in report.opportunities if (service is None or o.service == service)
             and (args.type is None or o.type == args.type) and o.estimated_savings >= args.min_savings]
    found.sort(key=lambda o: -o.estimated_savings)
    return {"opportunities": [
        {"type": o.type, "service": o.service, "resources": o.resource_count,
         "monthly_savings_usd": o.estimated_savings, "priority": o.priority, "confidence": o.confidence,
         "largest": [{"resource_id": f.resource_id, "region": f.region, "savings_usd": f.estimated_savings,
                      "recommendation": f.recommendation, **_shown(f)}
                     for f in sorted(o.resources, key=lambda f: -f.savings)[:args.per_opportunity]]}
        for o in found[:args.limit]], "matching": len(found),
        "source": report_source(report, "opportunities")}


def anomalies(args: AnomalyArgs) -> dict[str, Any]:
    """Daily cost anomalies of the latest report and the usage types that drove them."""
    report = report_or_fail()
    service = args.service
    found = [a for a in report.anomalies if (service is None or a.service == service)
             and (args.start is None or a.date >= args.start) and (args.end is None or a.date <= args.end)]
    return {"anomalies": [
        {"date": a.date.isoformat(), "service": a.service, "region": a.region, "expected_usd": a.expected_cost,
         "actual_usd": a.actual_cost, "change_percentage": a.change_percentage, "baseline": a.baseline,
         "drivers": [{"usage_type": d.usage_type, "change_usd": d.change} for d in a.drivers[:5]]}
        for a in found[:20]], "source": report_source(report, "anomalies")}


def _shown(f: Finding) -> dict[str, str]:
    """'name': 'orders (eu-west-1)' for ARN-identified resources, which people know by name and region."""
    return {"name": display(f.resource_id, f.region, f.name)} if is_arn(f.resource_id) else {}


def resource(args: ResourceArgs) -> dict[str, Any]:
    """One resource: inventory, latest utilization, stored cost of its last 30 days, findings of the latest run."""
    details = storage().resource_details(args.resource_id, args.region)
    if not details:
        where = f" in {args.region}" if args.region else ""
        raise ToolInputError(f"no stored resource {args.resource_id!r}{where}")
    call = f"{args.resource_id!r}, {args.region!r}" if args.region else repr(args.resource_id)
    return {**details, "source": f"resource_details({call}) (ClickHouse resources, resource_metrics, "
                                 "resource_costs, optimization_opportunities of the latest run)"}


QUERIES: dict[str, tuple[Any, type[Args], str]] = {
    "spend": (spend, SpendArgs, "Spend over a period (ISO dates, inclusive), total and by service, region, usage "
                                "type or tag; days_with_data 0 means nothing is stored for the period yet."),
    "spend_trend": (trend, TrendArgs, "Spend per day or month over a period, optionally for one service/region."),
    "compare_spend": (tools_data.compare_spend, tools_data.CompareArgs,
                      "Spend over a period (or one day) against a stated baseline: the mean of the N days before, "
                      "or the previous period of the same length; the change in dollars and percent."),
    "forecast": (forecast, ForecastArgs, "Forecast of spend for the coming days."),
    "report_summary": (tools_findings.report_summary, tools_findings.SummaryArgs,
                       "The latest report's headline: spend, total waste (deduplicated: each resource's largest "
                       "saving once), waste by service, the regions collected, what the run itself cost."),
    "do_first": (tools_findings.do_first, tools_findings.ActionArgs,
                 "What to do first: the latest report's single actions (one per resource), ranked by monthly saving x "
                 "confidence, each with its effort (online change, restart, data deletion, purchase ...) and risk."),
    "top_opportunities": (opportunities, OpportunityArgs,
                          "Largest savings opportunities (type idle_resource for idle resources)."),
    "findings": (tools_findings.findings, tools_findings.FindingArgs,
                 "Every finding of the latest report matching filters (types, service, region, resource state such "
                 "as running or stopped, kind, tag), with the count and the savings counted once per resource."),
    "resources": (tools_data.resources, tools_data.ResourceListArgs,
                  "Resources of the latest inventory (kind, state, region, tag filters): how many, their price-book "
                  "monthly cost, optionally grouped by kind, state, region, tag value or type."),
    "anomalies": (anomalies, AnomalyArgs, "Cost anomalies (unexpected daily jumps) and what drove them."),
    "resource_details": (resource, ResourceArgs, "Everything known about one resource, and its findings."),
    "agent_costs": (tools_data.agent_costs, tools_data.AgentCostArgs,
                    "What the agent itself spent (Bedrock tokens, Redshift, Lambda, paid AWS API requests)."),
    "catalog": (tools_data.catalog, tools_data.CatalogArgs,
                "Names to filter by: services and regions with stored spend and the days it covers, collected "
                "regions, tag keys with their values, finding types of the latest report."),
}


def _cur(args: Any) -> dict[str, Any]:
    try:
        session = str(get_config().get("configurable", {}).get("thread_id") or "chat")
    except RuntimeError:  # called outside a graph (the fallback router, tests)
        session = "chat"
    return cur_spend(args, session_id=session)


QUERIES[CUR_NAME] = (_cur, CurArgs, CUR_DESCRIPTION)


def run_query(name: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Validate the arguments and run one query; a bad argument or a failure becomes an `error` payload."""
    func, schema, _ = QUERIES[name]
    try:
        return func(schema.model_validate(raw))
    except ValidationError as exc:
        text = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in exc.errors())
        return {"error": f"{name}: {text}"}
    except Exception as exc:  # the edge: errors become tool messages the model (or the user) can read
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return {"error": f"{name}: {text}"}


def _tool(name: str) -> StructuredTool:
    _, schema, description = QUERIES[name]

    def call(**kwargs: Any) -> str:
        return json.dumps(run_query(name, kwargs), default=str)

    return StructuredTool.from_function(func=call, name=name, description=description, args_schema=schema)


TOOLS = [_tool(name) for name in QUERIES]
"""Every tool (the ToolNode runs any of them); `tools_for(settings)` is what the model is offered."""


def tools_for(settings: Any) -> list[StructuredTool]:
    """The tools a model may call: the CUR tool only when a Redshift workgroup is configured."""
    return [t for t in TOOLS if t.name != CUR_NAME or settings.redshift_workgroup]
