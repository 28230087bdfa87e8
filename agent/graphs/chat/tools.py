"""Chat tools: READ-ONLY queries over ClickHouse and the latest report. Nothing here can change AWS.

Arguments are validated with pydantic (ISO dates, start <= end, known services and regions). Every result
is a JSON object with the figures and a `source` that names the query and the period, so answers can cite it.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from langchain_core.tools import StructuredTool
from langgraph.config import get_config
from pydantic import AfterValidator, Field, ValidationError, model_validator

from agent.graphs.chat.args import Args, PeriodArgs, ToolInputError, resolve_name, today
from agent.graphs.chat.cur import DESCRIPTION as CUR_DESCRIPTION
from agent.graphs.chat.cur import NAME as CUR_NAME
from agent.graphs.chat.cur import CurArgs, cur_spend
from agent.graphs.context import base_settings
from tools.models import Finding, OpportunityType, Report, cents
from tools.resource_label import display, is_arn
from tools.storage import get_storage

# Cost Explorer service names (docs/architecture.md) and the words people use for them.
CE_SERVICES = {
    "ec2": "Amazon Elastic Compute Cloud - Compute", "ebs": "EC2 - Other", "ec2 - other": "EC2 - Other",
    "nat": "EC2 - Other", "vpc": "Amazon Virtual Private Cloud", "rds": "Amazon Relational Database Service",
    "lambda": "AWS Lambda", "s3": "Amazon Simple Storage Service", "cloudwatch": "AmazonCloudWatch",
}
# Report service labels of opportunities.
LABELS = {"ec2": "EC2", "ebs": "EBS", "vpc": "VPC", "nat": "VPC", "rds": "RDS", "lambda": "Lambda", "s3": "S3"}


def ce_service(name: str | None) -> str | None:
    """A Cost Explorer service name from a name or alias ('EC2', 'lambda', 'AWS Lambda')."""
    return resolve_name(name, CE_SERVICES, "service")


def label(name: str | None) -> str | None:
    """A report service label ('EC2', 'EBS', 'VPC', 'RDS', 'Lambda', 'S3') from a name or alias."""
    if name is None or not name.strip():
        return None
    key = name.strip().lower()
    if key in LABELS:
        return LABELS[key]
    for alias, full in CE_SERVICES.items():
        if full.lower() == key and alias in LABELS:
            return LABELS[alias]
    raise ToolInputError(f"service: unknown service {name!r}; known: {', '.join(sorted(set(LABELS.values())))}")


# Names are checked and normalised while the arguments are validated: a bad one never reaches a query.
CeService = Annotated[str | None, AfterValidator(ce_service)]
Label = Annotated[str | None, AfterValidator(label)]


class SpendArgs(PeriodArgs):
    group_by: Literal["service", "region", "tag"] = Field("service", description="How to break the spend down.")
    service: CeService = Field(None, description="Only this service, e.g. 'EC2' or 'AWS Lambda'.")
    region: str | None = Field(None, description="Only this region, e.g. 'us-east-1'.")
    tag_key: str | None = Field(None, description="Tag key when group_by is 'tag', e.g. 'team'.")

    @model_validator(mode="after")
    def _tag(self) -> SpendArgs:
        if self.group_by == "tag" and not self.tag_key:
            raise ValueError("group_by 'tag' needs tag_key")
        return self


class TrendArgs(PeriodArgs):
    service: CeService = Field(None, description="Only this service.")
    region: str | None = Field(None, description="Only this region.")
    granularity: Literal["day", "month"] = "day"


class OpportunityArgs(Args):
    limit: int = Field(5, ge=1, le=50, description="How many opportunities, largest savings first.")
    service: Label = Field(None, description="Only this service: EC2, EBS, VPC, RDS, Lambda or S3.")
    type: OpportunityType | None = Field(None, description="Only this opportunity type, e.g. 'idle_resource'.")
    min_savings: float = Field(0.0, ge=0, description="Minimum monthly savings in USD.")


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


def _storage() -> Any:
    return get_storage(base_settings())


def latest_report() -> Report | None:
    report = _storage().latest_report()
    if report is None or isinstance(report, Report):
        return report
    return Report.model_validate(report)


def _dump(result: dict[str, Any]) -> str:
    return json.dumps(result, default=str)


def _period_text(start: date, end: date) -> str:
    return f"{start.isoformat()}..{end.isoformat()}"


def spend(args: SpendArgs) -> dict[str, Any]:
    """Spend over a period, total and broken down by service, region or one tag."""
    service = args.service
    summary = _storage().cost_summary(args.start, args.end, service=service, region=args.region,
                                      tag_key=args.tag_key if args.group_by == "tag" else None)
    filters = "".join(f", {k}={v!r}" for k, v in (("service", service), ("region", args.region)) if v)
    breakdown = {"service": summary.by_service, "region": summary.by_region}.get(args.group_by) \
        or summary.by_tag.get(args.tag_key or "", {})
    return {"total_usd": summary.total_cost, f"by_{args.group_by}": breakdown,
            "period": _period_text(args.start, args.end),
            "source": f"cost_summary {_period_text(args.start, args.end)}{filters} (ClickHouse cost_metrics)"}


def trend(args: TrendArgs) -> dict[str, Any]:
    """Spend per day or month over a period (all matching services and regions together)."""
    service = args.service
    rows = _storage().query_cost_trends(args.start, args.end, service=service, region=args.region,
                                        granularity=args.granularity)
    totals: dict[str, Decimal] = {}
    for row in rows:
        totals[row["period"]] = totals.get(row["period"], Decimal(0)) + Decimal(str(row["cost"]))
    series = [{"period": p, "cost_usd": cents(v)} for p, v in sorted(totals.items())][-120:]
    filters = "".join(f", {k}={v!r}" for k, v in (("service", service), ("region", args.region)) if v)
    return {"series": series, "source": f"query_cost_trends {_period_text(args.start, args.end)} "
                                        f"by {args.granularity}{filters} (ClickHouse cost_metrics)"}


def forecast(args: ForecastArgs) -> dict[str, Any]:
    """Cost Explorer's forecast from the latest report, else the mean daily cost of the last 14 stored days."""
    report = latest_report()
    if report is not None and report.forecast is not None:
        f = report.forecast
        return {"mean_usd": f.mean, "lower_usd": f.lower, "upper_usd": f.upper,
                "period": _period_text(f.time_period.start, f.time_period.end),
                "source": f"latest report forecast {_period_text(f.time_period.start, f.time_period.end)} "
                          "(Cost Explorer GetCostForecast)"}
    end = today() - timedelta(days=1)
    start = end - timedelta(days=13)
    series = trend(TrendArgs(start=start, end=end))["series"]
    if not series:
        raise ToolInputError("no stored spend in the last 14 days to forecast from")
    mean = sum((Decimal(str(p["cost_usd"])) for p in series), Decimal(0)) / 14
    return {"mean_daily_usd": cents(mean), "forecast_usd": cents(mean * args.days), "days": args.days,
            "source": f"computed: mean daily cost over {_period_text(start, end)} (query_cost_trends) "
                      f"x {args.days} days"}


def _report_or_fail() -> Report:
    report = latest_report()
    if report is None:
        raise ToolInputError("no report stored yet: run an analysis first (cost-agent run)")
    return report


def _report_source(report: Report, what: str) -> str:
    stamp = report.generated_at.isoformat() if report.generated_at else "unknown time"
    return f"latest report {what} {_period_text(report.time_period.start, report.time_period.end)} " \
           f"(generated {stamp})"


def opportunities(args: OpportunityArgs) -> dict[str, Any]:
    """The largest savings opportunities of the latest report, with their biggest resources."""
    report = _report_or_fail()
    service = args.service
    found = [o for o in report.opportunities if (service is None or o.service == service)
             and (args.type is None or o.type == args.type) and o.estimated_savings >= args.min_savings]
    found.sort(key=lambda o: -o.estimated_savings)
    return {"opportunities": [
        {"type": o.type, "service": o.service, "resources": o.resource_count,
         "monthly_savings_usd": o.estimated_savings, "priority": o.priority, "confidence": o.confidence,
         "largest": [{"resource_id": f.resource_id, "region": f.region, "savings_usd": f.estimated_savings,
                      "recommendation": f.recommendation, **_shown(f)}
                     for f in sorted(o.resources, key=lambda f: -f.savings)[:5]]}
        for o in found[:args.limit]], "matching": len(found),
        "source": _report_source(report, "opportunities")}


def anomalies(args: AnomalyArgs) -> dict[str, Any]:
    """Daily cost anomalies of the latest report and the usage types that drove them."""
    report = _report_or_fail()
    service = args.service
    found = [a for a in report.anomalies if (service is None or a.service == service)
             and (args.start is None or a.date >= args.start) and (args.end is None or a.date <= args.end)]
    return {"anomalies": [
        {"date": a.date.isoformat(), "service": a.service, "region": a.region, "expected_usd": a.expected_cost,
         "actual_usd": a.actual_cost, "change_percentage": a.change_percentage, "baseline": a.baseline,
         "drivers": [{"usage_type": d.usage_type, "change_usd": d.change} for d in a.drivers[:5]]}
        for a in found[:20]], "source": _report_source(report, "anomalies")}


def _shown(f: Finding) -> dict[str, str]:
    """'name': 'orders (eu-west-1)' for ARN-identified resources, which people know by name and region."""
    return {"name": display(f.resource_id, f.region, f.name)} if is_arn(f.resource_id) else {}


def resource(args: ResourceArgs) -> dict[str, Any]:
    """One resource: inventory, latest utilization, stored cost of its last 30 days, findings of the latest run."""
    details = _storage().resource_details(args.resource_id, args.region)
    if not details:
        where = f" in {args.region}" if args.region else ""
        raise ToolInputError(f"no stored resource {args.resource_id!r}{where}")
    call = f"{args.resource_id!r}, {args.region!r}" if args.region else repr(args.resource_id)
    return {**details, "source": f"resource_details({call}) (ClickHouse resources, resource_metrics, "
                                 "resource_costs, optimization_opportunities of the latest run)"}


QUERIES: dict[str, tuple[Any, type[Args], str]] = {
    "spend": (spend, SpendArgs, "Spend over a period (ISO dates, inclusive), total and by service, region or tag."),
    "spend_trend": (trend, TrendArgs, "Spend per day or month over a period, optionally for one service/region."),
    "forecast": (forecast, ForecastArgs, "Forecast of spend for the coming days."),
    "top_opportunities": (opportunities, OpportunityArgs,
                          "Largest savings opportunities (type idle_resource for idle resources)."),
    "anomalies": (anomalies, AnomalyArgs, "Cost anomalies (unexpected daily jumps) and what drove them."),
    "resource_details": (resource, ResourceArgs, "Everything known about one resource, and its findings."),
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
        return _dump(run_query(name, kwargs))

    return StructuredTool.from_function(func=call, name=name, description=description, args_schema=schema)


TOOLS = [_tool(name) for name in QUERIES]
"""Every tool (the ToolNode runs any of them); `tools_for(settings)` is what the model is offered."""


def tools_for(settings: Any) -> list[StructuredTool]:
    """The tools a model may call: the CUR tool only when a Redshift workgroup is configured."""
    return [t for t in TOOLS if t.name != CUR_NAME or settings.redshift_workgroup]
