"""Whole-account collection on moto + the loopback Cost Explorer: every region and service, isolated failures."""

from __future__ import annotations

import json
from datetime import date

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from tests.aws.conftest import TODAY
from tools.aws.clients import ClientFactory
from tools.aws.collect import collect_inventory, collect_utilization
from tools.pricing.book import PriceBook
from tools.settings import load_settings

AMI = "ami-12345678"
REGIONS = ["us-east-1", "eu-west-1"]


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: object):
        yield self._body


THROTTLE = (b'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>Throttling</Code>'
            b"<Message>Rate exceeded</Message></Error></Errors><RequestID>r1</RequestID></Response>")


@pytest.fixture
def account(ce_server, tmp_path):
    with mock_aws():
        for region, itype in (("us-east-1", "m5.large"), ("eu-west-1", "c5.large")):
            ec2 = boto3.client("ec2", region)
            ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType=itype)
            ec2.create_volume(Size=50, AvailabilityZone=f"{region}a", VolumeType="gp3")
            boto3.client("rds", region).create_db_instance(
                DBInstanceIdentifier=f"db-{region}", DBInstanceClass="db.t3.micro", Engine="mysql",
                AllocatedStorage=20, MasterUsername="admin", MasterUserPassword="password1")
        boto3.client("s3", "us-east-1").create_bucket(Bucket="bucket-east")
        settings = load_settings(aws_regions=REGIONS, data_dir=tmp_path, collection_concurrency=4)
        yield ClientFactory(settings), settings


def summary_of(result) -> dict[tuple[str, str], list[float]]:
    out: dict[tuple[str, str], list[float]] = {}
    for r in result.resources:
        out.setdefault((r.region, r.kind), []).append(r.monthly_cost)
    return {k: sorted(v) for k, v in out.items()}


EXPECTED = {
    ("us-east-1", "ec2_instance"): [70.08], ("eu-west-1", "ec2_instance"): [70.08],  # c5.large eu 0.096 x 730
    ("us-east-1", "ebs_volume"): [0.8, 4.0], ("eu-west-1", "ebs_volume"): [0.88, 4.4],
    ("us-east-1", "rds_instance"): [14.71], ("eu-west-1", "rds_instance"): [16.34],
    ("us-east-1", "s3_bucket"): [0.0],
}


def test_everything_collected_across_regions_with_costs_and_missing_data(account):
    factory, settings = account
    steps = []
    result = collect_inventory(factory, settings, PriceBook.load(), regions=REGIONS, today=TODAY,
                               progress=lambda step, done, total: steps.append((step, done, total)))
    assert result.errors == [] and not result.partial
    assert summary_of(result) == EXPECTED
    assert result.account_id == "123456789012" and result.regions == REGIONS
    assert result.costs.total_cost == 162.16 and result.costs.time_period.start == date(2026, 10, 25)
    assert result.forecast.mean == 160.5
    assert result.reservations.utilization_percentage == 97.5
    assert [r.resource_id for r in result.aws_rightsizing] == ["i-0abc"]
    assert result.savings_plans is None
    assert result.missing == [
        "savings_plans_utilization: DataUnavailableException", "savings_plans_coverage: DataUnavailableException",
        "reservation_purchase_recommendation[Amazon Elastic Compute Cloud - Compute]: DataUnavailableException",
        "savings_plans_purchase_recommendation: DataUnavailableException"]
    assert steps[-1] == ("inventory", 12, 12) and len(steps) == 12  # CE + 2 regions x 5 services + S3
    calls = {(c.service, c.operation, c.region): c.calls for c in result.api_calls if c.outcome == "ok"}
    assert calls[("ec2", "DescribeInstances", "eu-west-1")] == 1 and calls[("s3", "ListBuckets", "us-east-1")] == 1
    # a second collection within the hour is served from the cache: no paid call
    before = factory.ledger.count("ce")
    again = collect_inventory(factory, settings, PriceBook.load(), regions=REGIONS, today=TODAY)
    assert factory.ledger.count("ce") == before and again.costs == result.costs
    collect_inventory(factory, settings, PriceBook.load(), regions=REGIONS, today=TODAY, refresh=True)
    assert factory.ledger.count("ce") == 2 * before


def test_a_failing_region_is_recorded_and_the_rest_complete(account):
    factory, settings = account

    def broken(request, **_):
        raise ConnectionError("eu-west-1 EC2 endpoint unreachable")

    factory.client("ec2", "eu-west-1").meta.events.register_first("before-send.ec2.*", broken)
    result = collect_inventory(factory, settings, PriceBook.load(), regions=REGIONS, today=TODAY)
    assert result.partial
    assert [e.scope for e in result.errors] == ["ec2/eu-west-1", "vpc/eu-west-1"]
    assert summary_of(result) == {k: v for k, v in EXPECTED.items() if k[0] != "eu-west-1" or k[1] == "rds_instance"}
    assert result.costs.total_cost == 162.16


def test_a_throttled_region_still_completes(account):
    factory, settings = account
    attempts = {"n": 0}

    def throttle(request, **_):
        attempts["n"] += 1
        return AWSResponse(request.url, 400, {}, _Raw(THROTTLE)) if attempts["n"] <= 2 else None

    factory.client("ec2", "eu-west-1").meta.events.register_first("before-send.ec2.DescribeVolumes", throttle)
    result = collect_inventory(factory, settings, PriceBook.load(), regions=REGIONS, today=TODAY)
    assert result.errors == [] and summary_of(result) == EXPECTED
    assert attempts["n"] == 3
    assert factory.ledger.count("ec2", "DescribeVolumes", "eu-west-1", "ok") == 1


def test_utilization_failure_in_one_region_leaves_the_other_measured(account):
    factory, settings = account
    result = collect_inventory(factory, settings, PriceBook.load(), regions=REGIONS, today=TODAY)

    def broken(request, **_):
        raise ConnectionError("CloudWatch unreachable")

    factory.client("cloudwatch", "eu-west-1").meta.events.register_first("before-send.*", broken)
    measured = collect_utilization(factory, settings, result, today=TODAY)
    assert [e.scope for e in measured.errors] == ["cloudwatch/eu-west-1"]
    east = [r for r in measured.resources if r.region == "us-east-1" and r.kind == "ec2_instance"]
    assert set(east[0].utilization) == {"cpu", "cpu_max", "cpu_samples", "network_in", "network_out", "mem_max"}
    assert factory.ledger.count("cloudwatch", "GetMetricData", "us-east-1", "ok") == 1
    west = next(r for r in measured.resources if r.region == "eu-west-1" and r.kind == "ec2_instance")
    assert west.utilization == {} and "running_fraction" not in west.attributes  # unknown, not 0
    assert json.loads(measured.model_dump_json())["resources"]  # serializable for storage
