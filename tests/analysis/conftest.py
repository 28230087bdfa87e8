"""Plain-data builders for the analysis tests: resources, metrics, collections. The real price book."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from agent.analysis import AWSCostAnalyzer
from tools.models import (
    CollectionResult,
    CostRow,
    CostSummary,
    MetricSummary,
    PurchaseRecommendation,
    Resource,
    TimePeriod,
)
from tools.pricing.book import PriceBook
from tools.settings import Settings, load_settings

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
TODAY = NOW.date()
MB = 1_048_576


def series(values: list[float], metric: str = "m", statistic: str = "Average", end: date | None = None) -> MetricSummary:
    """A metric summary of daily values ending yesterday (or at `end`), computed as docs/rules.md says."""
    last = end or TODAY - timedelta(days=1)
    daily = {last - timedelta(days=len(values) - 1 - i): v for i, v in enumerate(values)}
    return MetricSummary(metric=metric, statistic=statistic, daily=daily,
                         average=sum(values) / len(values) if values else None,
                         maximum=max(values) if values else None, total=sum(values) if values else None,
                         days=len(values), insufficient=len(values) < 7)


def instance(iid: str = "i-1", itype: str = "m5.2xlarge", *, days: int = 14, cpu: float = 50.0,
             cpu_max: float = 90.0, net_bytes: float = 50 * MB, tags: dict[str, str] | None = None,
             state: str = "running", region: str = "us-east-1", **attributes: Any) -> Resource:
    """An EC2 instance with `days` days of identical daily CPU and network values."""
    utilization = {}
    if days:
        utilization = {
            "cpu": series([cpu] * days), "cpu_max": series([cpu_max] * days, statistic="Maximum"),
            "network_in": series([net_bytes / 2] * days, statistic="Sum"),
            "network_out": series([net_bytes / 2] * days, statistic="Sum"),
        }
    return Resource(resource_id=iid, kind="ec2_instance", service="EC2", region=region, resource_type=itype,
                    state=state, tags=tags or {"env": "prod"}, attributes=attributes, utilization=utilization)


def volume(vid: str = "vol-1", vtype: str = "gp2", size: int = 100, *, attached_to: str | None = "i-1",
           iops: int = 0, region: str = "us-east-1", tags: dict[str, str] | None = None) -> Resource:
    state = "in-use" if attached_to else "available"
    return Resource(resource_id=vid, kind="ebs_volume", service="EBS", region=region, resource_type=vtype,
                    state=state, tags=tags or {},
                    attributes={"size_gb": size, "iops": iops, "attached_to": attached_to, "state": state})


def cost_summary(rows: list[CostRow], usage: list[CostRow] | None = None, start: date | None = None,
                 end: date | None = None) -> CostSummary:
    """A CostSummary whose totals are the sum of the daily rows inside the period."""
    start = start or TODAY - timedelta(days=30)
    end = end or TODAY - timedelta(days=1)
    inside = [r for r in rows if start <= r.day <= end]
    by_service: dict[str, float] = {}
    by_region: dict[str, float] = {}
    for r in inside:
        by_service[r.service] = by_service.get(r.service, 0.0) + r.cost
        by_region[r.region] = by_region.get(r.region, 0.0) + r.cost
    return CostSummary(time_period=TimePeriod(start=start, end=end), total_cost=round(sum(r.cost for r in inside), 2),
                       by_service=by_service, by_region=by_region, daily=rows, daily_by_usage_type=usage or [])


SP_ADVICE = PurchaseRecommendation(kind="savings_plan", service="COMPUTE_SP", estimated_monthly_savings=500.0,
                                   savings_percentage=28.0, hourly_commitment=1.5)
"""AWS's Compute Savings Plans advice the builders give every account unless a test says otherwise."""
RI_ADVICE = PurchaseRecommendation(kind="reserved_instance", service="RDS", region="us-east-1",
                                   instance_type="db.m5.large", engine="PostgreSQL", deployment="Single-AZ",
                                   count=2, estimated_monthly_savings=103.96, savings_percentage=40.0,
                                   break_even_months=7.5)
"""AWS's RI advice for two Single-AZ PostgreSQL db.m5.large: $51.98 a month each (40 % of $129.94)."""


def collection(resources: list[Resource], costs: CostSummary | None = None, **extra: Any) -> CollectionResult:
    extra.setdefault("purchase_recommendations", [SP_ADVICE, RI_ADVICE])
    return CollectionResult(account_id="123456789012", collected_at=NOW, regions=["us-east-1", "eu-west-1"],
                            costs=costs, resources=resources, **extra)


@pytest.fixture(scope="session")
def prices() -> PriceBook:
    return PriceBook.load()


@pytest.fixture
def settings() -> Settings:
    return load_settings()


@pytest.fixture
def analyzer(settings: Settings, prices: PriceBook) -> AWSCostAnalyzer:
    return AWSCostAnalyzer(settings, prices)


def findings(result: Any) -> dict[tuple[str, str], Any]:
    """(type, resource_id) -> Finding of an AnalysisResult."""
    return {(o.type, f.resource_id): f for o in result.opportunities for f in o.resources}


@pytest.fixture(scope="session")
def build() -> SimpleNamespace:
    """The builders above (test modules cannot import each other under --import-mode=importlib)."""
    return SimpleNamespace(series=series, instance=instance, volume=volume, cost_summary=cost_summary,
                           collection=collection, findings=findings, NOW=NOW, TODAY=TODAY, MB=MB)
