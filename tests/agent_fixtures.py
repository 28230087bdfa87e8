"""Fixtures of the graphs', LLM's and surfaces' tests (a plugin of tests/conftest.py): a loopback Converse server,
reports of any size, a moto EC2 region with chDB storage."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from converse_stub import ConverseStub

from tools.models import Anomaly, Finding, Opportunity, Report, TimePeriod, UsageDriver

MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"


@pytest.fixture
def converse(monkeypatch: pytest.MonkeyPatch):
    """The stub, with AWS_ENDPOINT_URL_BEDROCK_RUNTIME pointing at it (the standard variable, no patching)."""
    stub = ConverseStub()
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", stub.url)
    yield stub
    stub.close()


@pytest.fixture
def us_east_1_ec2(storage_env, monkeypatch: pytest.MonkeyPatch):
    """moto (`mock_aws`) with one region, us-east-1, and chDB storage: yields the EC2 client that seeds it."""
    from moto import mock_aws

    from tools.settings import get_settings

    monkeypatch.setenv("AWS_REGIONS", "us-east-1")
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    get_settings.cache_clear()
    with mock_aws():
        import boto3

        yield boto3.client("ec2", region_name="us-east-1")


def make_report(findings: int) -> Report:
    """A report with `findings` idle instances in one opportunity (savings $10.00 + i cents each)."""
    resources = [Finding(resource_id=f"i-{i:08x}", region="us-east-1", monthly_cost=70.08,
                         estimated_savings=round(10 + i / 100, 2), recommendation="Stop or terminate",
                         evidence={"cpu_avg": 1.2, "days": 14}, confidence=0.95) for i in range(findings)]
    savings = round(sum(f.estimated_savings for f in resources), 2)
    idle = Opportunity(type="idle_resource", service="EC2", resource_count=len(resources), estimated_savings=savings,
                       confidence=0.95, priority="high", resources=resources)
    eip = Opportunity(type="unused_elastic_ip", service="VPC", resource_count=1, estimated_savings=3.65,
                      confidence=0.99, priority="low",
                      resources=[Finding(resource_id="eipalloc-1", region="eu-west-1", monthly_cost=3.65,
                                         estimated_savings=3.65, recommendation="Release",
                                         evidence={"association": None})])
    total = 1234.56 + savings
    return Report(
        time_period=TimePeriod(start=date(2026, 10, 25), end=date(2026, 11, 23)),
        total_monthly_cost=round(total, 2), total_waste=round(savings + 3.65, 2),
        waste_percentage=round(100 * (savings + 3.65) / total, 2),
        by_service={"Amazon Elastic Compute Cloud - Compute": round(total - 234.56, 2), "AWS Lambda": 234.56},
        by_region={"us-east-1": round(total - 100.0, 2), "eu-west-1": 100.0},
        opportunities=[idle, eip],
        anomalies=[Anomaly(service="AWS Lambda", region="us-east-1", date=date(2026, 11, 15), expected_cost=10.0,
                           actual_cost=42.5, change_percentage=325.0,
                           drivers=[UsageDriver(usage_type="USE1-Lambda-GB-Second", expected_cost=8.0,
                                                actual_cost=40.0, change=32.0)])],
        generated_at=datetime(2026, 11, 24, 6, 0, tzinfo=UTC), regions=["us-east-1", "eu-west-1"],
        account_id="123456789012",
    )


@pytest.fixture
def small_report() -> Report:
    return make_report(10)

