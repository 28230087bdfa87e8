"""Cost Explorer answers -> models: the seed's summary (totals reconcile to the cent), forecast, RI/SP, rightsizing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal

from tools.models import (
    USAGE_RECORD_TYPES,
    AwsRightsizing,
    CostRow,
    CostSummary,
    Forecast,
    TimePeriod,
    Utilization,
    cents,
)


def _amount(metrics: Mapping, name: str) -> Decimal | None:
    value = metrics.get(name, {}).get("Amount")
    return Decimal(str(value)) if value is not None else None


def _entries(results: Iterable[Mapping]) -> Iterator[tuple[date, str, str, Decimal, Decimal | None]]:
    """(day, first key, second key, unblended, amortized) for each group of each period, amounts exact.

    `rows` and `to_summary` take the amortized amount as the cost when Cost Explorer gives one (docs/money.md)."""
    for result in results:
        day = date.fromisoformat(result["TimePeriod"]["Start"])
        groups = result.get("Groups") or [{"Keys": [], "Metrics": result.get("Total", {})}]
        for group in groups:
            keys = list(group.get("Keys", [])) + ["", ""]
            unblended = _amount(group["Metrics"], "UnblendedCost") or Decimal(0)
            yield day, keys[0], keys[1], unblended, _amount(group["Metrics"], "AmortizedCost")


def _spend(unblended: Decimal, amortized: Decimal | None) -> Decimal:
    """The spend basis: usage at its effective (amortized) cost, unblended when that is all there is."""
    return amortized if amortized is not None else unblended


def rows(results: Iterable[Mapping], second: str = "region") -> list[CostRow]:
    """One CostRow per day (or month) and group: keys are (service, `second`); cost on the spend basis."""
    return [
        CostRow(day=day, service=first, cost=float(_spend(unblended, amortized)),
                amortized_cost=float(amortized) if amortized is not None else None, **{"region": "", second: other})
        for day, first, other, unblended, amortized in _entries(results)
    ]


def account_rows(pages: Iterable[Mapping]) -> tuple[list[CostRow], dict[str, str]]:
    """Pages grouped by (LINKED_ACCOUNT, SERVICE) -> one CostRow per day, account and service (region ''), and
    the accounts' names from DimensionValueAttributes (the group key itself is the id)."""
    pages = list(pages)
    results = [r for page in pages for r in page.get("ResultsByTime", [])]
    out = [CostRow(day=day, account_id=account, service=service, region="", cost=float(_spend(unblended, amortized)),
                   amortized_cost=float(amortized) if amortized is not None else None)
           for day, account, service, unblended, amortized in _entries(results)]
    names = {str(item["Value"]): str(item.get("Attributes", {}).get("description", ""))
             for page in pages for item in page.get("DimensionValueAttributes") or [] if item.get("Value")}
    return out, {k: v for k, v in sorted(names.items()) if v}


def estimated_days(results: Iterable[Mapping]) -> list[date]:
    """Days (period starts) Cost Explorer marks as estimated."""
    return sorted({date.fromisoformat(r["TimePeriod"]["Start"]) for r in results if r.get("Estimated")})


def adjustments(results: Iterable[Mapping]) -> dict[str, float]:
    """Record type -> unblended amount, for the record types that are not usage (credits, refunds, tax ...)."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for _day, record_type, _, unblended, _ in _entries(results):
        if record_type and record_type not in USAGE_RECORD_TYPES:
            totals[record_type] += unblended
    return {k: cents(v) for k, v in sorted(totals.items()) if v}


def _tag_totals(results: Iterable[Mapping]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for result in results:
        for group in result.get("Groups", []):
            key = group["Keys"][0]
            value = key.split("$", 1)[1] if "$" in key else key  # 'env$prod' -> 'prod'; 'env$' -> '' (untagged)
            metrics = group["Metrics"]
            totals[value] += _spend(_amount(metrics, "UnblendedCost") or Decimal(0), _amount(metrics, "AmortizedCost"))
    return totals


def to_summary(period: TimePeriod, daily: Iterable[Mapping], usage: Iterable[Mapping] = (),
               by_tag: Mapping[str, Iterable[Mapping]] | None = None,
               other_records: Iterable[Mapping] = (), account_pages: Iterable[Mapping] = ()) -> CostSummary:
    """The seed's format. Totals cover `period` only and are Decimal sums of the same rows, so they reconcile.
    `account_pages`: the pages of the request grouped by linked account and service (several accounts only)."""
    daily = list(daily)
    by_service: dict[str, Decimal] = defaultdict(Decimal)
    by_region: dict[str, Decimal] = defaultdict(Decimal)
    total = Decimal(0)
    for day, service, region, unblended, amortized in _entries(daily):
        cost = _spend(unblended, amortized)
        if period.start <= day <= period.end:
            by_service[service] += cost
            by_region[region] += cost
            total += cost
    tags = {key: {value: cents(v) for value, v in sorted(_tag_totals(results).items())}
            for key, results in (by_tag or {}).items()}
    accounts, names = account_rows(account_pages)
    return CostSummary(
        time_period=period, total_cost=cents(total),
        by_service={k: cents(v) for k, v in sorted(by_service.items(), key=lambda kv: -kv[1])},
        by_region={k: cents(v) for k, v in sorted(by_region.items(), key=lambda kv: -kv[1])},
        by_tag=tags, daily=rows(daily), daily_by_usage_type=rows(usage, "usage_type"),
        daily_by_account=accounts, account_names=names,
        basis="usage (Usage, DiscountedUsage, SavingsPlanCoveredUsage) at amortized cost",
        adjustments=adjustments(other_records), estimated_days=estimated_days(daily),
    )


def parse_forecast(page: Mapping, period: TimePeriod) -> Forecast:
    results = page.get("ForecastResultsByTime", [])
    lower = sum((Decimal(r["PredictionIntervalLowerBound"]) for r in results
                 if "PredictionIntervalLowerBound" in r), Decimal(0))
    upper = sum((Decimal(r["PredictionIntervalUpperBound"]) for r in results
                 if "PredictionIntervalUpperBound" in r), Decimal(0))
    has_bounds = any("PredictionIntervalLowerBound" in r for r in results)
    return Forecast(time_period=period, mean=cents(page.get("Total", {}).get("Amount", 0)),
                    lower=cents(lower) if has_bounds else None, upper=cents(upper) if has_bounds else None)


def _float(value: object) -> float | None:
    return float(str(value)) if value not in (None, "") else None


def parse_savings_plans(util: list[dict] | None, cover: list[dict] | None) -> Utilization:
    total = (util or [{}])[0].get("Total", {})
    covered = spend = Decimal(0)
    for page in cover or []:
        for item in page.get("SavingsPlansCoverages", []):
            covered += Decimal(item.get("Coverage", {}).get("SpendCoveredBySavingsPlans", "0"))
            spend += Decimal(item.get("Coverage", {}).get("TotalCost", "0"))
    coverage = float(round(100 * covered / spend, 2)) if spend else (0.0 if cover is not None else None)
    return Utilization(
        kind="savings_plans", utilization_percentage=_float(total.get("Utilization", {}).get("UtilizationPercentage")),
        coverage_percentage=coverage, net_savings=_float(total.get("Savings", {}).get("NetSavings")),
        details={"total_commitment": total.get("Utilization", {}).get("TotalCommitment")} if total else {},
    )


def parse_reservations(util: list[dict] | None, cover: list[dict] | None) -> Utilization:
    total = (util or [{}])[0].get("Total", {})
    cover_total = (cover or [{}])[0].get("Total", {})
    return Utilization(
        kind="reservation", utilization_percentage=_float(total.get("UtilizationPercentage")),
        coverage_percentage=_float(cover_total.get("CoverageHours", {}).get("CoverageHoursPercentage")),
        net_savings=_float(total.get("NetRISavings")),
    )


def parse_rightsizing(answer: Iterable[Mapping]) -> list[AwsRightsizing]:
    out = []
    for page in answer:
        for rec in page.get("RightsizingRecommendations", []):
            current = rec.get("CurrentInstance", {})
            details = current.get("ResourceDetails", {}).get("EC2ResourceDetails", {})
            action = rec.get("RightsizingType", "MODIFY")
            target, savings = None, "0"
            if action == "MODIFY":
                targets = rec.get("ModifyRecommendationDetail", {}).get("TargetInstances", [])
                if targets:
                    target = targets[0].get("ResourceDetails", {}).get("EC2ResourceDetails", {}).get("InstanceType")
                    savings = targets[0].get("EstimatedMonthlySavings", "0")
            else:
                savings = rec.get("TerminateRecommendationDetail", {}).get("EstimatedMonthlySavings", "0")
            out.append(AwsRightsizing(resource_id=current.get("ResourceId", ""), region=details.get("Region", ""),
                                      current_type=details.get("InstanceType", ""), action=action,
                                      target_type=target, estimated_monthly_savings=cents(savings or 0)))
    return out
