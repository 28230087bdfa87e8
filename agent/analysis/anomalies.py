"""Daily cost anomalies against a same-weekday baseline, with the usage types that drove them (docs/rules.md)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from tools.models import Anomaly, CostRow, CostSummary, UsageDriver, cents
from tools.settings import Settings

BASELINE_WEEKS = 4
MIN_BASELINE_WEEKS = 2
MAX_DRIVERS = 5
BASELINE_TEXT = "mean of the same weekday over the previous 4 weeks"

Series = dict[date, Decimal]


def _series(rows: list[CostRow], by_region: bool) -> dict[tuple[str, str], Series]:
    out: dict[tuple[str, str], Series] = defaultdict(dict)
    for row in rows:
        key = (row.service, row.region if by_region else row.usage_type)
        out[key][row.day] = out[key].get(row.day, Decimal(0)) + Decimal(str(row.cost))
    return out


def baseline(series: Series, day: date, minimum: int = MIN_BASELINE_WEEKS) -> Decimal | None:
    """Mean of the same weekday in the previous 4 weeks; None with fewer than `minimum` of them present."""
    past = [series[d] for d in (day - timedelta(weeks=w) for w in range(1, BASELINE_WEEKS + 1)) if d in series]
    if len(past) < minimum or not past:
        return None
    return sum(past, Decimal(0)) / len(past)


def _drivers(usage: dict[tuple[str, str], Series], service: str, day: date) -> list[UsageDriver]:
    """Usage types of the service whose cost rose most that day against the same baseline, largest first."""
    drivers = []
    for (svc, usage_type), series in usage.items():
        if svc != service:
            continue
        actual = series.get(day, Decimal(0))
        expected = baseline(series, day, minimum=1) or Decimal(0)
        if actual > expected:
            drivers.append(UsageDriver(usage_type=usage_type, expected_cost=cents(expected),
                                       actual_cost=cents(actual), change=cents(actual - expected)))
    drivers.sort(key=lambda d: (-d.change, d.usage_type))
    return drivers[:MAX_DRIVERS]


def _check(actual: Decimal, expected: Decimal, settings: Settings) -> bool:
    threshold = Decimal(str(settings.anomaly_threshold_pct)) / 100
    return actual > expected * (1 + threshold) and actual - expected >= Decimal(str(settings.anomaly_min_dollars))


def detect(costs: CostSummary, settings: Settings) -> list[Anomaly]:
    """Flag days inside the report period whose cost rose above the threshold and the minimum dollars."""
    usage = _series(costs.daily_by_usage_type, by_region=False)
    found = []
    for (service, region), series in sorted(_series(costs.daily, by_region=True).items()):
        for day in sorted(series):
            if not costs.time_period.start <= day <= costs.time_period.end:
                continue
            expected = baseline(series, day)
            if expected is None or not _check(series[day], expected, settings):
                continue
            actual = series[day]
            # A service with no spend in its baseline is new spend: 100 % rather than an infinite change.
            change = (actual - expected) / expected * 100 if expected > 0 else Decimal(100)
            found.append(Anomaly(
                service=service, region=region, date=day, expected_cost=cents(expected), actual_cost=cents(actual),
                change_percentage=float(change.quantize(Decimal("0.1"))), drivers=_drivers(usage, service, day),
                baseline=BASELINE_TEXT,
            ))
    return sorted(found, key=lambda a: (a.date, -(a.actual_cost - a.expected_cost), a.service, a.region))
