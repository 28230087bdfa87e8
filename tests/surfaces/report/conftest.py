"""A report made by the real analyzer over a small account (the packaged price book, no AWS): an oversized
development instance that is also a spot candidate (two findings, one counted), a busy development instance (spot,
a pricing lever), an idle instance, an io1 volume worth moving to gp3, an unattached gp2 volume and an unused
Elastic IP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from agent.analysis import AWSCostAnalyzer
from tools.models import CollectionResult, CostRow, CostSummary, MetricSummary, Resource, TimePeriod
from tools.pricing.book import PriceBook
from tools.settings import load_settings

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
START, END = date(2026, 10, 25), date(2026, 11, 23)
DAILY = {("Amazon Elastic Compute Cloud - Compute", "us-east-1"): 30.0, ("EC2 - Other", "us-east-1"): 12.0}


def _series(value: float, statistic: str = "Average", days: int = 14) -> MetricSummary:
    daily = {END - timedelta(days=i): value for i in range(days)}
    return MetricSummary(metric="m", statistic=statistic, daily=daily, average=value, maximum=value,
                         total=value * days, days=days, insufficient=False)


def _instance(iid: str, itype: str, cpu: float, cpu_max: float, net_bytes: float, env: str) -> Resource:
    utilization = {"cpu": _series(cpu), "cpu_max": _series(cpu_max, "Maximum"),
                   "network_in": _series(net_bytes / 2, "Sum"), "network_out": _series(net_bytes / 2, "Sum")}
    return Resource(resource_id=iid, kind="ec2_instance", service="EC2", region="us-east-1", resource_type=itype,
                    state="running", name=iid.removeprefix("i-"), tags={"env": env}, utilization=utilization)


def _volume(vid: str, vtype: str, size: int, iops: int, attached_to: str | None) -> Resource:
    state = "in-use" if attached_to else "available"
    return Resource(resource_id=vid, kind="ebs_volume", service="EBS", region="us-east-1", resource_type=vtype,
                    state=state, attributes={"size_gb": size, "iops": iops, "attached_to": attached_to,
                                             "state": state})


def account() -> CollectionResult:
    rows = [CostRow(day=START + timedelta(days=i), service=s, region=r, cost=c)
            for i in range((END - START).days + 1) for (s, r), c in DAILY.items()]
    costs = CostSummary(time_period=TimePeriod(start=START, end=END), total_cost=round(sum(r.cost for r in rows), 2),
                        by_service={s: 30 * c for (s, _), c in DAILY.items()}, by_region={"us-east-1": 1260.0},
                        daily=rows, daily_by_usage_type=[])
    resources = [
        _instance("i-worker", "m5.2xlarge", 8.0, 15.0, 500 * 1_048_576, "dev"),
        _instance("i-idle", "m5.xlarge", 1.2, 3.0, 0.0, "prod"),
        _instance("i-batch", "m5.large", 50.0, 90.0, 500 * 1_048_576, "dev"),
        _volume("vol-journal", "io1", 500, 8000, "i-worker"),
        _volume("vol-orphan", "gp2", 250, 0, None),
        Resource(resource_id="eipalloc-0unused", kind="elastic_ip", service="VPC", region="us-east-1",
                 attributes={"public_ip": "198.51.100.7"}),
    ]
    return CollectionResult(account_id="123456789012", collected_at=NOW, regions=["us-east-1"], costs=costs,
                            resources=resources)


@pytest.fixture(scope="session")
def analysed():
    """(the report, its daily cost rows) as the analyzer makes them."""
    collection = account()
    report = AWSCostAnalyzer(load_settings(), PriceBook.load()).generate_summary_report(collection)
    assert collection.costs is not None
    return report, collection.costs.daily
