"""A fixed report and its daily cost rows for the surface tests (API, CLI, HTML): exact, contract-valid values."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from tools.models import (
    Anomaly,
    ApiCallCount,
    CostRow,
    Finding,
    Opportunity,
    Report,
    RunCost,
    TimePeriod,
    UsageDriver,
)

START, END = date(2026, 10, 24), date(2026, 11, 22)
SERVICES = {
    "Amazon Elastic Compute Cloud - Compute": ("us-east-1", 40.0),
    "Amazon Relational Database Service": ("us-east-1", 20.0),
    "EC2 - Other": ("eu-west-1", 8.0),
    "AWS Lambda": ("us-east-1", 2.0),
    "Amazon Simple Storage Service": ("eu-west-1", 5.0),
}
SPIKE_DAY = date(2026, 11, 15)


def daily_rows() -> list[CostRow]:
    """30 days x 5 services; Lambda costs $12 instead of $2 on SPIKE_DAY."""
    rows = []
    for i in range((END - START).days + 1):
        day = START + timedelta(days=i)
        for service, (region, cost) in SERVICES.items():
            value = 12.0 if (service == "AWS Lambda" and day == SPIKE_DAY) else cost
            rows.append(CostRow(day=day, service=service, region=region, usage_type="", cost=value))
    return rows


def _finding(rid: str, region: str, cost: float, saving: float, rec: str, **evidence: object) -> Finding:
    return Finding(resource_id=rid, region=region, monthly_cost=cost, estimated_savings=saving, recommendation=rec,
                   evidence={"price_source": "price book 2026-11-01", **evidence}, confidence=0.95)


def sample_report() -> Report:
    """Total $2,260.00 (= 30 x $75 + the $10 Lambda spike); waste $224.89 in four findings of three opportunities."""
    idle = [_finding("i-0idle000000000001", "us-east-1", 140.16, 140.16, "Stop or terminate",
                     cpu_avg=1.2, cpu_max=3.0, network_mb_day=0.4, days=14, arithmetic="730 h x $0.1920/h = $140.16"),
            _finding("i-0idle000000000002", "us-east-1", 70.08, 70.08, "Stop or terminate",
                     cpu_avg=0.8, cpu_max=2.1, network_mb_day=0.1, days=14, arithmetic="730 h x $0.0960/h = $70.08")]
    vol = [_finding("vol-0unattached00001", "eu-west-1", 11.0, 11.0, "Snapshot and delete",
                    size_gb=100, arithmetic="100 GB x $0.11 = $11.00")]
    eip = [_finding("eipalloc-0unused00001", "us-east-1", 3.65, 3.65, "Release the address",
                    arithmetic="730 h x $0.005/h = $3.65")]
    by_service = {s: 30 * c for s, (_, c) in SERVICES.items()}
    by_service["AWS Lambda"] += 10.0
    total = sum(by_service.values())
    waste = 140.16 + 70.08 + 11.0 + 3.65
    return Report(
        time_period=TimePeriod(start=START, end=END), total_monthly_cost=total, total_waste=round(waste, 2),
        waste_percentage=round(100 * waste / total, 2), by_service=by_service,
        by_region={"us-east-1": 1870.0, "eu-west-1": 390.0},
        opportunities=[
            Opportunity(type="idle_resource", service="EC2", resource_count=2, estimated_savings=210.24,
                        confidence=0.95, priority="high", resources=idle, description="Instances doing nothing"),
            Opportunity(type="unattached_volume", service="EBS", resource_count=1, estimated_savings=11.0,
                        confidence=0.95, priority="medium", resources=vol),
            Opportunity(type="unused_elastic_ip", service="VPC", resource_count=1, estimated_savings=3.65,
                        confidence=0.95, priority="low", resources=eip),
        ],
        anomalies=[Anomaly(service="AWS Lambda", region="us-east-1", date=SPIKE_DAY, expected_cost=2.0,
                           actual_cost=12.0, change_percentage=500.0,
                           drivers=[UsageDriver(usage_type="USE1-Lambda-GB-Second", expected_cost=1.5,
                                                actual_cost=11.5, change=10.0)],
                           baseline="mean of the same weekday over the previous 4 weeks")],
        run_cost=RunCost(bedrock=0.0123, redshift=0.0, lambda_=0.0, aws_api=0.07, total=0.0823,
                         input_tokens=2100, output_tokens=400),
        executive_summary="Spend was $2,260.00 over 30 days. Two idle EC2 instances waste $210.24 a month.",
        summary_source="deterministic (no LLM configured)",
        generated_at=datetime(2026, 11, 23, 6, 0, tzinfo=UTC), regions=["us-east-1", "eu-west-1"],
        account_id="123456789012",
        api_calls=[ApiCallCount(service="cost-explorer", operation="GetCostAndUsage", region="us-east-1",
                                outcome="ok", calls=7, paid_usd=0.07),
                   ApiCallCount(service="ec2", operation="DescribeInstances", region="us-east-1",
                                outcome="ok", calls=3),
                   ApiCallCount(service="ec2", operation="DescribeVolumes", region="eu-west-1",
                                outcome="UnauthorizedOperation", calls=1)],
    )


API_KEY = "test-key-0123456789"
AUTH = {"X-API-Key": API_KEY}


class GatedRun:
    """A stand-in for the agent's run: returns the sample report once the test opens the gate."""

    def __init__(self, report: Report | None = None, error: Exception | None = None) -> None:
        self.gate = threading.Event()
        self.calls: list[bool] = []
        self.report, self.error = report or sample_report(), error

    def __call__(self, refresh: bool) -> Report:
        self.calls.append(refresh)
        assert self.gate.wait(10)
        if self.error is not None:
            raise self.error
        return self.report


RUN_ID = "run-sample-1"


def fill(storage) -> Report:
    report = sample_report()
    stamp = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    storage.store_cost_metrics(daily_rows(), run_id=RUN_ID, account_id="123456789012", version=stamp)
    storage.store_optimization_opportunities(report.opportunities, run_id=RUN_ID, generated_at=stamp)
    storage.store_anomalies(report.anomalies, RUN_ID, generated_at=stamp)
    storage.store_report(report, RUN_ID)
    return report
