"""Plain sample data for the storage tests: exact dollars, fixed dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tools.models import (
    Anomaly,
    CollectionResult,
    CostRow,
    CostSummary,
    Finding,
    MetricSummary,
    Opportunity,
    Report,
    Resource,
    TimePeriod,
    UsageDriver,
)

EC2 = "Amazon Elastic Compute Cloud - Compute"
LAMBDA = "AWS Lambda"
START = date(2026, 10, 1)
DAYS = [START + timedelta(days=i) for i in range(3)]
COLLECTED = datetime(2026, 10, 4, 6, 0, tzinfo=UTC)

# (service, region) -> cost per day; per-day values chosen so that rounding each part would lose a cent
DAILY = {
    (EC2, "us-east-1"): [10.004, 10.004, 10.004],
    (EC2, "eu-west-1"): [5.333333, 5.333333, 5.333334],
    (LAMBDA, "us-east-1"): [1.005, 2.005, 40.0],
}


def cost_rows(scale: float = 1.0) -> list[CostRow]:
    return [CostRow(day=d, service=s, region=r, cost=round(v * scale, 6), account_id="123456789012")
            for (s, r), values in DAILY.items() for d, v in zip(DAYS, values, strict=True)]


def usage_rows() -> list[CostRow]:
    return [CostRow(day=DAYS[2], service=LAMBDA, region="", usage_type="USE1-Lambda-GB-Second", cost=38.5),
            CostRow(day=DAYS[2], service=LAMBDA, region="", usage_type="USE1-Request", cost=1.5)]


def instance(resource_id: str = "i-0aaa", monthly: float = 70.08, cpu: float = 1.5) -> Resource:
    return Resource(
        resource_id=resource_id, kind="ec2_instance", service="EC2", region="us-east-1", resource_type="m5.large",
        state="running", name="web-1", tags={"team": "web"}, monthly_cost=monthly,
        utilization={"cpu": MetricSummary(metric="CPUUtilization", statistic="Average",
                                          daily={d: cpu + i for i, d in enumerate(DAYS)}, average=cpu + 1,
                                          maximum=cpu + 2, days=3, insufficient=False)},
    )


def volume(resource_id: str = "vol-0bbb", monthly: float = 8.0) -> Resource:
    return Resource(resource_id=resource_id, kind="ebs_volume", service="EBS", region="eu-west-1",
                    resource_type="gp2", state="available", monthly_cost=monthly, attributes={"size_gb": 80})


def collection(scale: float = 1.0, collected_at: datetime = COLLECTED, monthly: float = 70.08) -> CollectionResult:
    costs = CostSummary(time_period=TimePeriod(start=DAYS[0], end=DAYS[-1]), total_cost=0.0,
                        daily=cost_rows(scale), daily_by_usage_type=usage_rows())
    return CollectionResult(account_id="123456789012", collected_at=collected_at, regions=["us-east-1", "eu-west-1"],
                            costs=costs, resources=[instance(monthly=monthly), volume()])


def opportunities() -> list[Opportunity]:
    idle = Finding(resource_id="i-0aaa", region="us-east-1", monthly_cost=70.08, estimated_savings=70.08,
                   recommendation="stop or terminate", evidence={"cpu_avg": 2.5, "days": 3})
    vol = Finding(resource_id="vol-0bbb", region="eu-west-1", monthly_cost=8.0, estimated_savings=1.6,
                  recommendation="change gp2 to gp3", evidence={"size_gb": 80})
    return [
        Opportunity(type="idle_resource", service="EC2", resource_count=1, estimated_savings=70.08, confidence=0.95,
                    priority="high", resources=[idle]),
        Opportunity(type="volume_type_upgrade", service="EBS", resource_count=1, estimated_savings=1.6,
                    confidence=0.9, priority="low", resources=[vol]),
        Opportunity(type="savings_plan", service="EC2", resource_count=0, estimated_savings=12.5, confidence=0.6,
                    priority="medium", resources=[], description="commit $10/h"),
    ]


def anomaly(actual: float = 40.0) -> Anomaly:
    return Anomaly(service=LAMBDA, region="us-east-1", date=DAYS[2], expected_cost=1.5, actual_cost=actual,
                   change_percentage=round((actual - 1.5) / 1.5 * 100, 2),
                   drivers=[UsageDriver(usage_type="USE1-Lambda-GB-Second", expected_cost=1.0, actual_cost=38.5,
                                        change=37.5)],
                   baseline="mean of the same weekday over the previous 4 weeks")


def report(generated_at: datetime = COLLECTED, total: float = 99.0) -> Report:
    return Report(time_period=TimePeriod(start=DAYS[0], end=DAYS[-1]), total_monthly_cost=total, total_waste=71.68,
                  waste_percentage=round(71.68 / total * 100, 2), by_service={EC2: total}, by_region={"us-east-1": total},
                  opportunities=opportunities()[:2], anomalies=[anomaly()], generated_at=generated_at)
