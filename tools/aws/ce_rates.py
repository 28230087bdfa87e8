"""What the account actually pays, from Cost Explorer: billed usage per usage type x operation, commitments per
service, and AWS's own purchase recommendations (docs/money.md).

Two grouped requests price every resource at its billed rate: on-demand and spot usage (record type Usage) by
usage type x operation, and commitment-covered usage by usage type x record type. Both are MONTHLY over the
lookback and cached like every Cost Explorer answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import partial
from typing import Any

from tools.aws.cost_explorer import CostExplorerClient, CostExplorerUnavailable
from tools.models import BilledUsage, PurchaseRecommendation, Utilization, cents

COVERED_RECORD_TYPES = ("DiscountedUsage", "SavingsPlanCoveredUsage")
RI_SERVICES = {
    "Amazon Elastic Compute Cloud - Compute": "EC2",
    "Amazon Relational Database Service": "RDS",
    "Amazon ElastiCache": "ElastiCache",
    "Amazon OpenSearch Service": "OpenSearch",
    "Amazon Redshift": "Redshift",
}
"""Services Reserved Instances exist for, as Cost Explorer names them; asked only where the account spends."""
RECOMMENDATION_SERVICES = ("Amazon Elastic Compute Cloud - Compute", "Amazon Relational Database Service")
"""Services whose RI purchase advice the rules use."""


def _amount(metrics: Mapping[str, Any], name: str) -> tuple[Decimal, str]:
    entry = metrics.get(name) or {}
    return Decimal(str(entry.get("Amount") or "0")), str(entry.get("Unit") or "")


def parse_billed(results: Iterable[Mapping[str, Any]], cost_metric: str,
                 second: str) -> list[BilledUsage]:
    """Rows grouped by (USAGE_TYPE, `second`) summed over the periods: `second` is 'operation' or 'record_type'."""
    cost: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    quantity: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    units: dict[tuple[str, str], str] = {}
    for result in results:
        for group in result.get("Groups") or []:
            keys = (list(group.get("Keys") or []) + ["", ""])[:2]
            key = (keys[0], keys[1])
            amount, _ = _amount(group.get("Metrics") or {}, cost_metric)
            used, unit = _amount(group.get("Metrics") or {}, "UsageQuantity")
            cost[key] += amount
            quantity[key] += used
            if unit and unit != "N/A":
                units.setdefault(key, unit)
    out = []
    for (usage_type, other), amount in sorted(cost.items()):
        fields: dict[str, Any] = {"operation": other} if second == "operation" else {"record_type": other}
        out.append(BilledUsage(usage_type=usage_type, quantity=float(quantity[(usage_type, other)]),
                               unit=units.get((usage_type, other), ""), cost=float(amount), **fields))
    return out


def billed_usage(ce: CostExplorerClient, refresh: bool = False) -> list[BilledUsage]:
    """On-demand and spot usage by usage type x operation, and commitment-covered usage by usage type."""
    period = ce.report_period()
    on_demand = ce.get_cost_and_usage(
        period.start, period.end, granularity="MONTHLY", group_by=("USAGE_TYPE", "OPERATION"),
        metrics=("UnblendedCost", "UsageQuantity"), refresh=refresh,
        filter_={"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Usage"]}})
    covered = ce.get_cost_and_usage(
        period.start, period.end, granularity="MONTHLY", group_by=("USAGE_TYPE", "RECORD_TYPE"),
        metrics=("AmortizedCost", "UsageQuantity"), refresh=refresh,
        filter_={"Dimensions": {"Key": "RECORD_TYPE", "Values": list(COVERED_RECORD_TYPES)}})
    return (parse_billed(on_demand, "UnblendedCost", "operation")
            + parse_billed(covered, "AmortizedCost", "record_type"))


def reservations_by_service(ce: CostExplorerClient, services: Iterable[str],
                            refresh: bool = False) -> dict[str, Utilization]:
    """RI coverage and utilization for each RI-able service the account spends on, each asked with its filter."""
    out: dict[str, Utilization] = {}
    for service in sorted(set(services) & set(RI_SERVICES)):
        try:
            out[service] = ce.get_reservation_utilization(refresh=refresh, service=service)
        except CostExplorerUnavailable:
            continue  # recorded in ce.missing
    return out


def _float(value: Any) -> float | None:
    return float(str(value)) if value not in (None, "") else None


def _ri_details(detail: Mapping[str, Any]) -> dict[str, str]:
    instance = detail.get("InstanceDetails") or {}
    ec2 = instance.get("EC2InstanceDetails")
    if ec2:
        return {"instance_type": ec2.get("InstanceType", ""), "region": ec2.get("Region", ""),
                "engine": ec2.get("Platform", "")}
    rds = instance.get("RDSInstanceDetails") or {}
    return {"instance_type": rds.get("InstanceType", ""), "region": rds.get("Region", ""),
            "engine": rds.get("DatabaseEngine", ""), "deployment": rds.get("DeploymentOption", "")}


def parse_ri_recommendations(pages: Iterable[Mapping[str, Any]], service: str) -> list[PurchaseRecommendation]:
    out = []
    for page in pages:
        for rec in page.get("Recommendations") or []:
            term, payment = rec.get("TermInYears", "ONE_YEAR"), rec.get("PaymentOption", "NO_UPFRONT")
            for detail in rec.get("RecommendationDetails") or []:
                out.append(PurchaseRecommendation(
                    kind="reserved_instance", service=service, **_ri_details(detail),
                    count=float(str(detail.get("RecommendedNumberOfInstancesToPurchase") or 0)),
                    estimated_monthly_savings=cents(detail.get("EstimatedMonthlySavingsAmount") or 0),
                    savings_percentage=_float(detail.get("EstimatedMonthlySavingsPercentage")),
                    break_even_months=_float(detail.get("EstimatedBreakEvenInMonths")),
                    on_demand_monthly=_float(detail.get("EstimatedMonthlyOnDemandCost")),
                    term=term, payment_option=payment))
    return out


def parse_sp_recommendation(page: Mapping[str, Any]) -> list[PurchaseRecommendation]:
    rec = page.get("SavingsPlansPurchaseRecommendation") or {}
    summary = rec.get("SavingsPlansPurchaseRecommendationSummary") or {}
    if not summary or _float(summary.get("EstimatedSavingsPercentage")) is None:
        return []
    return [PurchaseRecommendation(
        kind="savings_plan", service=rec.get("SavingsPlansType", "COMPUTE_SP"),
        estimated_monthly_savings=cents(summary.get("EstimatedMonthlySavingsAmount") or 0),
        savings_percentage=_float(summary.get("EstimatedSavingsPercentage")),
        on_demand_monthly=_float(summary.get("CurrentOnDemandSpend")),
        hourly_commitment=_float(summary.get("HourlyCommitmentToPurchase")),
        term=rec.get("TermInYears", "ONE_YEAR"), payment_option=rec.get("PaymentOption", "NO_UPFRONT"))]


def purchase_recommendations(ce: CostExplorerClient, services: Iterable[str],
                             refresh: bool = False) -> list[PurchaseRecommendation]:
    """AWS's RI advice for EC2 and RDS where the account spends on them, and its Compute Savings Plans advice."""
    out: list[PurchaseRecommendation] = []
    common = {"LookbackPeriodInDays": "THIRTY_DAYS", "TermInYears": "ONE_YEAR", "PaymentOption": "NO_UPFRONT"}
    for service in sorted(set(services) & set(RECOMMENDATION_SERVICES)):
        params: dict[str, Any] = {"Service": service, **common}
        pages = ce.optional(f"reservation_purchase_recommendation[{service}]", partial(
            ce.pages, "get_reservation_purchase_recommendation", params, refresh))
        out += parse_ri_recommendations(pages or [], RI_SERVICES[service])
    page = ce.optional("savings_plans_purchase_recommendation", lambda: ce.pages(
        "get_savings_plans_purchase_recommendation", {"SavingsPlansType": "COMPUTE_SP", **common}, refresh,
        paginated=False))
    for answer in page or []:
        out += parse_sp_recommendation(answer)
    return out
