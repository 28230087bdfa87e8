"""The DESIGN.md report from a collection and its analysis: totals that reconcile to the cent."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel, Field

from agent.analysis.actions import DO_FIRST, ranked_actions
from agent.analysis.costs import month_window, monthly_by_account, monthly_totals
from agent.analysis.savings import savings_totals, with_counted_flags
from tools.models import (
    CENT,
    Anomaly,
    CollectionResult,
    CostSummary,
    Opportunity,
    Report,
    RunCost,
    TimePeriod,
    cents,
)
from tools.resource_label import display
from tools.settings import Settings

OTHER = "Other (not attributed)"
MAX_IDS_PER_NOTE = 5


class AnalysisResult(BaseModel):
    """What `analyze_all_services` returns: opportunities and what could not be judged."""

    opportunities: list[Opportunity] = Field(default_factory=list)
    insufficient_data: list[dict[str, Any]] = Field(default_factory=list)
    """Resources skipped for too little data: {resource_id, region, kind, metric, days, needed}."""
    skipped_ignored: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    """Prices or data the rules needed and did not find."""


def period(collection: CollectionResult, settings: Settings) -> TimePeriod:
    if collection.costs is not None:
        return collection.costs.time_period
    today = collection.collected_at.date()
    return TimePeriod(start=today - timedelta(days=settings.aws_cost_lookback_days), end=today - timedelta(days=1))


def reconcile(values: dict[str, Decimal], total: Decimal) -> dict[str, float]:
    """Round each value to the cent so that they add up to `total` (rounded) exactly.

    Rounding residue (at most half a cent per entry) goes to the largest entries; anything beyond
    that is shown as its own line rather than hidden in one service.
    """
    target = total.quantize(CENT, ROUND_HALF_UP)
    rounded = {k: v.quantize(CENT, ROUND_HALF_UP) for k, v in values.items() if v.quantize(CENT, ROUND_HALF_UP) != 0}
    diff = target - sum(rounded.values(), Decimal(0))
    order = sorted(rounded, key=lambda k: (-rounded[k], k))
    if order and abs(diff) <= CENT * len(order):
        step = CENT if diff > 0 else -CENT
        for key in order[: int(abs(diff) / CENT)]:
            rounded[key] += step
    elif diff > 0:
        rounded[OTHER] = diff
    elif order:
        rounded[order[0]] += diff
    return {k: cents(v) for k, v in sorted(rounded.items(), key=lambda kv: (-kv[1], kv[0])) if v > 0}


def breakdowns(costs: CostSummary | None) -> tuple[Decimal, dict[str, float], dict[str, float]]:
    """(one month's usage spend, by_service, by_region), each split adding up to the total (agent.analysis.costs)."""
    if costs is None:
        return Decimal(0), {}, {}
    total, services, regions, _ = monthly_totals(costs)
    total = total.quantize(CENT, ROUND_HALF_UP)
    return total, reconcile(services, total), reconcile(regions, total)


def account_breakdown(costs: CostSummary | None, total: Decimal) -> dict[str, float]:
    """by_account: one month of each linked account's usage spend, adding up to `total` (the month of `breakdowns`)
    to the cent; {} when the collection read one account."""
    if costs is None or not costs.daily_by_account:
        return {}
    return reconcile(monthly_by_account(costs), total)


def tag_breakdown(costs: CostSummary | None, total: Decimal) -> dict[str, dict[str, float]]:
    """by_tag: Cost Explorer's spend per value of each cost allocation tag ('' untagged), made one month like
    `total`: each key's values in proportion to the lookback's spend, adding up to `total` to the cent. With the
    default 30-day lookback the month is the lookback and nothing is scaled."""
    if costs is None or not costs.by_tag or costs.total_cost <= 0:
        return {}
    share = total / Decimal(str(costs.total_cost))
    return {key: reconcile({v: Decimal(str(x)) * share for v, x in values.items()}, total)
            for key, values in sorted(costs.by_tag.items()) if values}


def unpriced_lines(opportunities: list[Opportunity]) -> tuple[int, list[str]]:
    """How many findings carry no dollars, and one `missing` line saying so (with how much waste is priced)."""
    findings = [f for o in opportunities for f in o.resources]
    unpriced = [f for f in findings if f.price_basis == "unpriced"]
    if not unpriced:
        return 0, []
    ids = ", ".join(sorted(f.resource_id for f in unpriced)[:MAX_IDS_PER_NOTE])
    more = " ..." if len(unpriced) > MAX_IDS_PER_NOTE else ""
    return len(unpriced), [f"{len(unpriced)} of {len(findings)} findings could not be priced and are reported "
                           f"without dollars (the savings total counts priced findings only): {ids}{more}"]


def missing_lines(collection: CollectionResult, analysis: AnalysisResult) -> list[str]:
    """What could not be measured: the collection's gaps, unpriced resources, and per-resource notes."""
    lines = list(collection.missing) + list(analysis.missing)
    notes: dict[str, list[str]] = defaultdict(list)
    for resource in collection.resources:
        for note in resource.notes:
            notes[note].append(display(resource.resource_id, resource.region, resource.name))
    for note, ids in sorted(notes.items()):
        shown = ", ".join(sorted(ids)[:MAX_IDS_PER_NOTE]) + (" ..." if len(ids) > MAX_IDS_PER_NOTE else "")
        lines.append(f"{note}: {len(ids)} resource(s) ({shown})")
    return lines


def with_savings(report: Report) -> Report:
    """The report with its savings total, counted flags and do-first list made from its own opportunities: a report
    stored before they existed reads like a new one, and a report built by hand cannot disagree with its findings."""
    opportunities = with_counted_flags(report.opportunities)
    savings = savings_totals(opportunities)
    percentage = (Decimal(str(savings.waste)) / Decimal(str(report.total_monthly_cost)) * 100
                  if report.total_monthly_cost > 0 else Decimal(0))
    return report.model_copy(update={"opportunities": opportunities, "savings": savings,
                                     "total_waste": savings.waste, "waste_percentage": cents(percentage),
                                     "do_first": ranked_actions(opportunities, DO_FIRST)})


def build_report(
    collection: CollectionResult,
    analysis: AnalysisResult,
    anomalies: list[Anomaly],
    settings: Settings,
    run_cost: RunCost | None = None,
) -> Report:
    """The report; `total_waste` is the waste part of the deduplicated savings (agent.analysis.savings)."""
    total, by_service, by_region = breakdowns(collection.costs)
    unpriced, unpriced_missing = unpriced_lines(analysis.opportunities)
    costs = collection.costs
    return with_savings(Report(
        time_period=period(collection, settings),
        total_monthly_cost=cents(total), total_waste=0.0, waste_percentage=0.0,
        by_service=by_service, by_region=by_region, by_account=account_breakdown(costs, total),
        by_tag=tag_breakdown(costs, total),
        opportunities=analysis.opportunities, anomalies=anomalies,
        run_cost=run_cost or RunCost(), partial=collection.partial, errors=list(collection.errors),
        insufficient_data=analysis.insufficient_data, skipped_ignored=analysis.skipped_ignored,
        missing=missing_lines(collection, analysis) + unpriced_missing, forecast=collection.forecast,
        generated_at=collection.collected_at, regions=list(collection.regions), account_id=collection.account_id,
        api_calls=list(collection.api_calls), unpriced_findings=unpriced,
        monthly_basis=month_window(costs).basis if costs is not None else "",
        adjustments=dict(costs.adjustments) if costs is not None else {},
    ))
