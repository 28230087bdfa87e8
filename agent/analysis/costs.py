"""One month of spend from the lookback's daily rows, and the spend figures rules cap themselves by (docs/money.md).

`total_monthly_cost` is the usage spend of the last 30 days of the lookback (the whole lookback scaled to
30 days when it is shorter), whatever the lookback: a 60-day run reports the same month as a 30-day run.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from tools.models import CostSummary
from tools.pricing.billed import split_usage_type
from tools.pricing.book import HOURS_PER_MONTH

MONTH_DAYS = 30
SNAPSHOT_USAGE = {"EBS:SnapshotUsage": "EBS", "RDS:ChargedBackupUsage": "RDS"}


@dataclass(frozen=True)
class MonthWindow:
    """The days that make up 'one month' of a lookback and the factor that scales them to 30 days."""

    start: date
    end: date
    scale: Decimal
    basis: str


def month_window(costs: CostSummary) -> MonthWindow:
    period = costs.time_period
    days = (period.end - period.start).days + 1
    if days >= MONTH_DAYS:
        start = period.end - timedelta(days=MONTH_DAYS - 1)
        basis = (f"usage spend of the last {MONTH_DAYS} days of the {days}-day lookback ({start}..{period.end}), "
                 "credits, refunds, tax and fees shown apart")
        return MonthWindow(start, period.end, Decimal(1), basis)
    basis = (f"usage spend of the {days}-day lookback scaled to {MONTH_DAYS} days (x {MONTH_DAYS}/{days}), "
             "credits, refunds, tax and fees shown apart")
    return MonthWindow(period.start, period.end, Decimal(MONTH_DAYS) / Decimal(days), basis)


def monthly_totals(costs: CostSummary) -> tuple[Decimal, dict[str, Decimal], dict[str, Decimal], str]:
    """(one month's usage spend, by service, by region, how the month was made) from the daily rows."""
    window = month_window(costs)
    by_service: dict[str, Decimal] = defaultdict(Decimal)
    by_region: dict[str, Decimal] = defaultdict(Decimal)
    for row in costs.daily:
        if window.start <= row.day <= window.end:
            amount = Decimal(str(row.cost)) * window.scale
            by_service[row.service] += amount
            by_region[row.region] += amount
    if not costs.daily:  # a summary without rows (tests, an old store): its period totals are all there is
        total = Decimal(str(costs.total_cost)) * window.scale
        return (total, {k: Decimal(str(v)) * window.scale for k, v in costs.by_service.items()},
                {k: Decimal(str(v)) * window.scale for k, v in costs.by_region.items()}, window.basis)
    return sum(by_service.values(), Decimal(0)), dict(by_service), dict(by_region), window.basis


def monthly_by_account(costs: CostSummary) -> dict[str, Decimal]:
    """Linked account -> one month of its usage spend, over the same window and scale as `monthly_totals`;
    {} when the summary has no rows by account (one account read)."""
    window = month_window(costs)
    out: dict[str, Decimal] = defaultdict(Decimal)
    for row in costs.daily_by_account:
        if window.start <= row.day <= window.end:
            out[row.account_id] += Decimal(str(row.cost)) * window.scale
    return dict(out)


def snapshot_spend(costs: CostSummary | None) -> dict[tuple[str, str], Decimal]:
    """(region, 'EBS'|'RDS') -> snapshot spend per 730-hour month, from the month window's usage-type rows."""
    if costs is None or not costs.daily_by_usage_type:
        return {}
    window = month_window(costs)
    days = Decimal((window.end - window.start).days + 1)
    out: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in costs.daily_by_usage_type:
        if not window.start <= row.day <= window.end:
            continue
        region, suffix = split_usage_type(row.usage_type)
        kind = SNAPSHOT_USAGE.get(suffix)
        if kind:
            out[(region, kind)] += Decimal(str(row.cost))
    return {key: value / days * HOURS_PER_MONTH / 24 for key, value in out.items()}
