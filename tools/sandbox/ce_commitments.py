"""Reserved Instance and Savings Plans coverage and utilization, as Cost Explorer answers them for the table.

Reservations: coverage and utilization are computed from the table (instance hours of record type Usage are
on demand, DiscountedUsage hours reserved) and the account's Reserved Instances; both honour a SERVICE filter
and, like AWS, answer for EC2 alone without one. The account has no Savings Plans: their utilization is
DataUnavailable, their coverage 0 % of the eligible on-demand spend.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from tools.sandbox.billing import cents
from tools.sandbox.ce_query import CeError, matches, number, parse_period, percent, periods
from tools.sandbox.cost_lines import COMPUTE, LAMBDA, NO_TAGS, RDS, RESERVED, Line, region_code
from tools.sandbox.reservations import Reservation, normalization_factor

RI_SERVICES = (COMPUTE, RDS, "Amazon ElastiCache", "Amazon OpenSearch Service", "Amazon Elasticsearch Service",
               "Amazon Redshift", "Amazon MemoryDB")
"""Services Reserved Instances exist for, as Cost Explorer names them."""
RI_USAGE = {COMPUTE: ("BoxUsage:",), RDS: ("InstanceUsage:", "Multi-AZUsage:")}
"""Instance-hour usage types a reservation can cover, per service."""
GROUP_ATTRIBUTES = {"INSTANCE_TYPE": "instanceType", "REGION": "region", "SERVICE": "service"}


def reservation_coverage(lines: list[Line], body: dict[str, Any]) -> dict[str, Any]:
    start, end, spans = _spans(body, "MONTHLY")
    services, expr = _ri_scope(body)
    group_by = _attribute_group_by(body)
    eligible = [ln for ln in lines if start <= ln.day < end and ln.service in services
                and ln.unit == "Hrs" and ln.record_type in ("Usage", "DiscountedUsage")
                and _suffix(ln).startswith(RI_USAGE.get(ln.service, ("-",)))
                and (not expr or matches(ln, expr))]
    by_time = []
    for first, last in spans:
        mine = [ln for ln in eligible if first <= ln.day < last]
        entry: dict[str, Any] = {"TimePeriod": {"Start": first.isoformat(), "End": last.isoformat()},
                                 "Groups": [], "Total": _coverage(mine)}
        if group_by:
            groups: dict[tuple[str, ...], list[Line]] = defaultdict(list)
            for ln in mine:
                groups[tuple(_attribute(ln, k) for k in group_by)].append(ln)
            entry["Groups"] = [{"Attributes": {GROUP_ATTRIBUTES[k]: v for k, v in zip(group_by, key, strict=True)},
                                "Coverage": _coverage(group)} for key, group in sorted(groups.items())]
        by_time.append(entry)
    return {"CoveragesByTime": by_time, "Total": _coverage(eligible)}


def reservation_utilization(lines: list[Line], reservations: list[Reservation],
                            body: dict[str, Any]) -> dict[str, Any]:
    start, end, spans = _spans(body, "DAILY")
    services, expr = _ri_scope(body)
    group_by = [g.get("Key", "") for g in body.get("GroupBy") or []]
    if any(k != "SUBSCRIPTION_ID" for k in group_by):
        raise CeError("ValidationException", "GroupBy must be SUBSCRIPTION_ID")
    mine = [r for r in reservations if r.service in services and (not expr or matches(_as_line(r), expr))]
    if not mine:
        return {"UtilizationsByTime": []}
    used: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    for ln in lines:
        if ln.record_type == "DiscountedUsage" and start <= ln.day < end:
            for r in mine:
                if (ln.service, ln.region, ln.instance_type) == (r.service, r.region, r.instance_type):
                    used[(r.reservation_id, ln.day)] += ln.quantity

    def aggregate(chosen: list[Reservation], first: date, last: date) -> dict[str, str]:
        days = [first + timedelta(days=n) for n in range((last - first).days)]
        return _utilization([(r, Decimal(24 * r.count * len(days)),
                              sum((used[(r.reservation_id, d)] for d in days), Decimal(0))) for r in chosen])

    by_time = []
    for first, last in spans:
        entry: dict[str, Any] = {"TimePeriod": {"Start": first.isoformat(), "End": last.isoformat()},
                                 "Groups": [], "Total": aggregate(mine, first, last)}
        if group_by:
            entry["Groups"] = [{"Key": "SubscriptionId", "Value": r.reservation_id,
                                "Attributes": {"region": r.region, "instanceType": r.instance_type,
                                               "platform": r.platform, "numberOfInstances": str(r.count)},
                                "Utilization": aggregate([r], first, last)} for r in mine]
        by_time.append(entry)
    return {"UtilizationsByTime": by_time, "Total": aggregate(mine, start, end)}


def savings_plans_utilization(body: dict[str, Any]) -> dict[str, Any]:
    parse_period(body.get("TimePeriod") or {})
    raise CeError("DataUnavailableException", "Data is not available for this account: no Savings Plans found.")


def savings_plans_coverage(lines: list[Line], body: dict[str, Any]) -> dict[str, Any]:
    """Compute Savings Plans-eligible spend (on-demand EC2 instance hours, Lambda) and the share covered."""
    start, end, spans = _spans(body, "MONTHLY")
    expr = body.get("Filter")
    group_by = _attribute_group_by(body)
    eligible = [ln for ln in lines if start <= ln.day < end
                and ln.record_type in ("Usage", "SavingsPlanCoveredUsage")
                and ((ln.service == COMPUTE and _suffix(ln).startswith("BoxUsage:")) or ln.service == LAMBDA)
                and (not expr or matches(ln, expr))]
    out = []
    for first, last in spans:
        mine = [ln for ln in eligible if first <= ln.day < last]
        groups: dict[tuple[str, ...], list[Line]] = defaultdict(list)
        for ln in mine:
            groups[tuple(_attribute(ln, k) for k in group_by)].append(ln)
        for key, group in sorted(groups.items()) if group_by else [((), mine)]:
            covered = sum((ln.amortized for ln in group if ln.record_type == "SavingsPlanCoveredUsage"), Decimal(0))
            on_demand = sum((ln.cost for ln in group if ln.record_type == "Usage"), Decimal(0))
            out.append({"Attributes": {GROUP_ATTRIBUTES[k]: v for k, v in zip(group_by, key, strict=True)},
                        "Coverage": {"SpendCoveredBySavingsPlans": number(covered), "OnDemandCost": number(on_demand),
                                     "TotalCost": number(covered + on_demand),
                                     "CoveragePercentage": percent(covered, covered + on_demand)},
                        "TimePeriod": {"Start": first.isoformat(), "End": last.isoformat()}})
    return {"SavingsPlansCoverages": out}


def _spans(body: dict[str, Any], default: str) -> tuple[date, date, list[tuple[date, date]]]:
    start, end = parse_period(body.get("TimePeriod") or {})
    granularity = body.get("Granularity") or ("MONTHLY" if body.get("GroupBy") else default)
    return start, end, periods(start, end, granularity)


def _ri_scope(body: dict[str, Any]) -> tuple[set[str], dict[str, Any] | None]:
    services = _services(body.get("Filter")) or {COMPUTE}
    unknown = services - set(RI_SERVICES)
    if unknown:
        raise CeError("ValidationException", f"Reservations are not offered for {sorted(unknown)}")
    return services, body.get("Filter")


def _attribute_group_by(body: dict[str, Any]) -> list[str]:
    group_by = [g.get("Key", "") for g in body.get("GroupBy") or []]
    if any(k not in GROUP_ATTRIBUTES for k in group_by):
        raise CeError("ValidationException", f"GroupBy must be among {sorted(GROUP_ATTRIBUTES)}")
    return group_by


def _services(expr: dict[str, Any] | None) -> set[str]:
    """SERVICE values named in a filter (And/Dimensions), empty when none is."""
    if not expr:
        return set()
    found: set[str] = set()
    for sub in expr.get("And") or []:
        found |= _services(sub)
    dim = expr.get("Dimensions") or {}
    if dim.get("Key") == "SERVICE":
        found |= set(dim.get("Values") or [])
    return found


def _suffix(line: Line) -> str:
    return line.usage_type.removeprefix(f"{region_code(line.region)}-")


def _attribute(line: Line, key: str) -> str:
    return {"INSTANCE_TYPE": line.instance_type, "REGION": line.region, "SERVICE": line.service}[key]


def _coverage(lines: list[Line]) -> dict[str, Any]:
    """CoverageHours / CoverageNormalizedUnits / CoverageCost of instance-hour lines."""
    on_demand = sum((ln.quantity for ln in lines if ln.record_type == "Usage"), Decimal(0))
    reserved = sum((ln.quantity for ln in lines if ln.record_type == "DiscountedUsage"), Decimal(0))
    od_units = sum((ln.quantity * normalization_factor(ln.instance_type) for ln in lines
                    if ln.record_type == "Usage"), Decimal(0))
    ri_units = sum((ln.quantity * normalization_factor(ln.instance_type) for ln in lines
                    if ln.record_type == "DiscountedUsage"), Decimal(0))
    cost = sum((ln.cost for ln in lines if ln.record_type == "Usage"), Decimal(0))
    return {"CoverageHours": {"OnDemandHours": number(on_demand), "ReservedHours": number(reserved),
                              "TotalRunningHours": number(on_demand + reserved),
                              "CoverageHoursPercentage": percent(reserved, on_demand + reserved)},
            "CoverageNormalizedUnits": {"OnDemandNormalizedUnits": number(od_units),
                                        "ReservedNormalizedUnits": number(ri_units),
                                        "TotalRunningNormalizedUnits": number(od_units + ri_units),
                                        "CoverageNormalizedUnitsPercentage": percent(ri_units, od_units + ri_units)},
            "CoverageCost": {"OnDemandCost": number(cost)}}


def _utilization(items: list[tuple[Reservation, Decimal, Decimal]]) -> dict[str, str]:
    """ReservationAggregates of (reservation, purchased hours, used hours) rows."""
    purchased = sum((p for _, p, _ in items), Decimal(0))
    actual = sum((min(a, p) for _, p, a in items), Decimal(0))
    units_p = sum((p * r.normalization for r, p, _ in items), Decimal(0))
    units_a = sum((min(a, p) * r.normalization for r, p, a in items), Decimal(0))
    fee = cents(sum((r.hourly * p for r, p, _ in items), Decimal(0)))
    od_used = cents(sum((r.on_demand_hourly * min(a, p) for r, p, a in items), Decimal(0)))
    potential = cents(sum((r.on_demand_hourly * p for r, p, _ in items), Decimal(0))) - fee
    unused_cost = cents(sum((r.hourly * (p - min(a, p)) for r, p, a in items), Decimal(0)))
    net = od_used - fee
    realized = od_used - (fee - unused_cost)
    return {"UtilizationPercentage": percent(actual, purchased),
            "UtilizationPercentageInUnits": percent(units_a, units_p),
            "PurchasedHours": number(purchased), "PurchasedUnits": number(units_p), "TotalActualHours": number(actual),
            "TotalActualUnits": number(units_a), "UnusedHours": number(purchased - actual),
            "UnusedUnits": number(units_p - units_a), "OnDemandCostOfRIHoursUsed": number(od_used),
            "NetRISavings": number(net), "TotalPotentialRISavings": number(potential), "AmortizedUpfrontFee": "0",
            "AmortizedRecurringFee": number(fee), "TotalAmortizedFee": number(fee),
            "RICostForUnusedHours": number(unused_cost), "RealizedSavings": number(realized),
            "UnrealizedSavings": number(potential - realized)}


def _as_line(r: Reservation) -> Line:
    """A reservation as a line, so a Cost Explorer filter (SERVICE, REGION, INSTANCE_TYPE ...) can select it."""
    return Line(date.min, r.service, r.region, f"{region_code(r.region)}-BoxUsage:{r.instance_type}", r.instance_type,
                NO_TAGS, Decimal(0), RESERVED, "RunInstances", "DiscountedUsage")
