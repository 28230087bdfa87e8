"""Daily cost anomalies per service and region against a same-weekday baseline, with the usage types of that
region that drove them; spend with no history at all is flagged as new (docs/rules.md)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from tools.models import Anomaly, CostRow, CostSummary, UsageDriver, cents
from tools.pricing.billed import split_usage_type
from tools.settings import Settings

BASELINE_WEEKS = 4
MIN_BASELINE_WEEKS = 2
MAX_DRIVERS = 5
BASELINE_TEXT = "mean of the same weekday over the previous 4 weeks"
NEW_SPEND_TEXT = "no spend in the previous 4 weeks: new spend"

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


def _drivers(usage: dict[tuple[str, str], Series], service: str, region: str, day: date) -> list[UsageDriver]:
    """Usage types of the service in that region whose cost rose most that day against the same baseline."""
    drivers = []
    for (svc, usage_type), series in usage.items():
        if svc != service or (region and split_usage_type(usage_type)[0] != region):
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


def _new_spend(series: Series, day: date, start: date) -> bool:
    """The first day of spend after 4 weeks without any (history must reach back that far to tell)."""
    window = [day - timedelta(days=n) for n in range(1, BASELINE_WEEKS * 7 + 1)]
    return window[-1] >= start and not any(series.get(d, Decimal(0)) > 0 for d in window)


def detect(costs: CostSummary, settings: Settings) -> list[Anomaly]:
    """Flag days inside the report period whose cost rose above the threshold and the minimum dollars, and the
    first day of spend that has no history (a new service in a region)."""
    usage = _series(costs.daily_by_usage_type, by_region=False)
    first_day = min((row.day for row in costs.daily), default=costs.time_period.start)
    minimum = Decimal(str(settings.anomaly_min_dollars))
    found = []
    for (service, region), series in sorted(_series(costs.daily, by_region=True).items()):
        for day in sorted(series):
            if not costs.time_period.start <= day <= costs.time_period.end:
                continue
            actual = series[day]
            expected = baseline(series, day)
            text = BASELINE_TEXT
            if expected is None and actual >= minimum and _new_spend(series, day, first_day):
                expected, text = Decimal(0), NEW_SPEND_TEXT
            elif expected is None or not _check(actual, expected, settings):
                continue
            # New spend has no baseline to divide by: stated as new, its change as +100 %.
            change = (actual - expected) / expected * 100 if expected > 0 else Decimal(100)
            found.append(Anomaly(
                service=service, region=region, date=day, expected_cost=cents(expected), actual_cost=cents(actual),
                change_percentage=float(change.quantize(Decimal("0.1"))),
                drivers=_drivers(usage, service, region, day), baseline=text,
            ))
    return sorted(found, key=lambda a: (a.date, -(a.actual_cost - a.expected_cost), a.service, a.region))
