"""One batched GetMetricData routine for every resource kind: daily series and their summaries.

AWS limits: 500 queries a call and 100,800 datapoints a response; each page of an answer is a request.
With one datapoint per day, a call holds min(500, 100,800 // days) queries, so a fleet of N queries costs
ceil(N / 500) calls per region at the default 14-day lookback (more only when AWS pages with NextToken).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta

from tools.aws.clients import ClientFactory
from tools.aws.metric_specs import dimension_value
from tools.aws.paginate import pages
from tools.models import MetricSpec, MetricSummary, Resource

MAX_QUERIES_PER_CALL = 500
MAX_DATAPOINTS_PER_CALL = 100_800
DAY_SECONDS = 86_400

Progress = Callable[[str, int, int], None]


BATCHES_IN_FLIGHT = 4


def batch_size(days: int) -> int:
    """Queries per call so that queries x days stays under the datapoint cap."""
    return max(1, min(MAX_QUERIES_PER_CALL, MAX_DATAPOINTS_PER_CALL // max(1, days)))


def lookback_window(lookback_days: int, today: date | None = None) -> tuple[datetime, datetime]:
    """Whole UTC days: [today - lookback, today) so every period is one complete day."""
    today = today or datetime.now(UTC).date()
    end = datetime.combine(today, time(0), tzinfo=UTC)
    return end - timedelta(days=lookback_days), end


def summarize(spec: MetricSpec, daily: dict[date, float], min_days: int) -> MetricSummary:
    """MetricSummary per docs/rules.md: mean, max and sum of the daily values; days = how many exist."""
    values = [daily[d] for d in sorted(daily)]
    if not values:
        return MetricSummary(metric=spec.metric, statistic=spec.stat, days=0, insufficient=True)
    return MetricSummary(
        metric=spec.metric, statistic=spec.stat, daily=dict(sorted(daily.items())),
        average=sum(values) / len(values), maximum=max(values), total=sum(values),
        days=len(values), insufficient=len(values) < min_days,
    )


Target = tuple[str, str, MetricSpec]
"""(resource id, dimension value, spec): results are keyed by the id, queries name the dimension value."""


def _queries(targets: Sequence[Target]) -> list[dict]:
    return [
        {
            "Id": f"q{i}",
            "MetricStat": {
                "Metric": {"Namespace": spec.namespace, "MetricName": spec.metric,
                           "Dimensions": spec.dimensions(value)},
                "Period": DAY_SECONDS,
                "Stat": spec.stat,
            },
            "ReturnData": True,
        }
        for i, (_, value, spec) in enumerate(targets)
    ]


def _fetch_batch(client, targets: Sequence[Target], start: datetime,
                 end: datetime) -> list[dict[date, float]]:
    """Daily values for each target of one batch, following NextToken across pages."""
    series: list[dict[date, float]] = [{} for _ in targets]
    for page in pages(client, "get_metric_data", MetricDataQueries=_queries(targets), StartTime=start,
                      EndTime=end, ScanBy="TimestampAscending"):
        for result in page.get("MetricDataResults", []):
            index = int(result["Id"][1:])
            for stamp, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=False):
                series[index][stamp.astimezone(UTC).date()] = float(value)
    return series


def fetch_utilization(factory: ClientFactory, region: str, resources: Sequence[Resource],
                      specs: Mapping[str, Sequence[MetricSpec]], lookback_days: int, min_days: int, *,
                      today: date | None = None, progress: Progress | None = None,
                      ) -> dict[str, dict[str, MetricSummary]]:
    """Resource id -> spec key -> summary, for every resource of one region, in as few calls as AWS allows."""
    targets = [(r.resource_id, dimension_value(r), spec) for r in resources for spec in specs.get(r.kind, ())]
    out: dict[str, dict[str, MetricSummary]] = defaultdict(dict)
    if not targets:
        return {}
    client = factory.client("cloudwatch", region)
    start, end = lookback_window(lookback_days, today)
    size = batch_size(lookback_days)
    calls = math.ceil(len(targets) / size)
    batches = [targets[n * size:(n + 1) * size] for n in range(calls)]
    # Batches are independent: a few in flight at once hide the round trips, well under GetMetricData's TPS limit.
    with ThreadPoolExecutor(max_workers=min(BATCHES_IN_FLIGHT, calls)) as pool:
        for n, (batch, series) in enumerate(zip(batches, pool.map(
                lambda b: _fetch_batch(client, b, start, end), batches), strict=True)):
            for (resource_id, _, spec), daily in zip(batch, series, strict=True):
                out[resource_id][spec.key] = summarize(spec, daily, min_days)
            if progress:
                progress(f"cloudwatch/{region}", n + 1, calls)
    return dict(out)
