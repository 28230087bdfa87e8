"""`python -m tools.sandbox --variant billing` as a real subprocess: EC2's billing fields, the AMI-backed snapshot,
the legacy database class, and Cost Explorer rates that reproduce the ground truth's billed dollars."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest

USE1 = "us-east-1"


@pytest.fixture
def aws(billing_sandbox: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    for key, value in billing_sandbox["env"].items():
        monkeypatch.setenv(key, value)
    return billing_sandbox


def _instances(region: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    ec2 = boto3.client("ec2", region_name=region)
    for page in ec2.get_paginator("describe_instances").paginate():
        for reservation in page["Reservations"]:
            for instance in reservation["Instances"]:
                name = next(t["Value"] for t in instance["Tags"] if t["Key"] == "Name")
                out.setdefault(name, []).append(instance)
    return out


def test_describe_instances_shows_platform_usage_operation_and_lifecycle(aws: dict[str, Any]) -> None:
    east = _instances(USE1)
    assert sum(len(v) for v in east.values()) == 28 and sum(len(v) for v in _instances("eu-west-1").values()) == 20

    def fields(name: str) -> set[tuple[Any, ...]]:
        return {(i["InstanceType"], i.get("Platform"), i["PlatformDetails"], i["UsageOperation"],
                 i.get("InstanceLifecycle")) for i in east[name]}

    assert fields("win-idle") == {("m5.large", "windows", "Windows", "RunInstances:0002", None)}
    assert fields("win-underused") == {("m5.2xlarge", "windows", "Windows", "RunInstances:0002", None)}
    assert fields("rhel-app") == {("m5.xlarge", None, "Red Hat Enterprise Linux", "RunInstances:0010", None)}
    assert fields("spot-idle") == {("m5.xlarge", None, "Linux/UNIX", "RunInstances", "spot")}
    assert fields("ri-shared-busy") == {("r5.xlarge", None, "Linux/UNIX", "RunInstances", None)}
    assert len(east["ri-shared-busy"]) == 2
    assert fields("web-prod") == {("m5.xlarge", None, "Linux/UNIX", "RunInstances", None)}
    assert all(i["UsageOperationUpdateTime"] == i["LaunchTime"] for v in east.values() for i in v)


def test_the_old_snapshot_backs_a_registered_ami(aws: dict[str, Any]) -> None:
    ec2 = boto3.client("ec2", region_name=USE1)
    (image,) = ec2.describe_images(Owners=["self"])["Images"]
    (mapping,) = image["BlockDeviceMappings"]
    snapshots = {s["SnapshotId"]: s for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]}
    backing = snapshots[mapping["Ebs"]["SnapshotId"]]
    assert (datetime.now(UTC) - backing["StartTime"]).days == 200 and backing["VolumeSize"] == 15
    assert backing["Description"] == f"Created by CreateImage({image['SourceInstanceId']}) for {image['ImageId']}"
    assert (image["RootDeviceType"], image["VirtualizationType"], image["PlatformDetails"],
            image["UsageOperation"], image["State"]) == ("ebs", "hvm", "Linux/UNIX", "RunInstances", "available")
    assert {t["Key"]: t["Value"] for t in image["Tags"]}["Name"] == "golden-ami"
    waste = {w["resource_id"] for w in aws["ground_truth"]["waste"]}
    old = {s for s, snap in snapshots.items() if (datetime.now(UTC) - snap["StartTime"]).days > 90}
    assert old - waste == {backing["SnapshotId"]}  # the other old snapshot is waste, the AMI's is not
    assert not boto3.client("ec2", region_name="eu-west-1").describe_images(Owners=["self"])["Images"]


def test_legacy_database_class_and_billed_rates_match_the_ground_truth(aws: dict[str, Any]) -> None:
    classes = {d["DBInstanceIdentifier"]: d["DBInstanceClass"]
               for d in boto3.client("rds", region_name=USE1).describe_db_instances()["DBInstances"]}
    assert classes["legacy-pg-0000"] == "db.m3.medium"
    truth = aws["ground_truth"]
    period = truth["period"]
    end = (datetime.fromisoformat(period["end"]) + timedelta(days=1)).date().isoformat()
    ce = boto3.client("ce", region_name=USE1)
    answer = ce.get_cost_and_usage(
        TimePeriod={"Start": period["start"], "End": end}, Granularity="MONTHLY",
        Metrics=["UnblendedCost", "UsageQuantity"], Filter={"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Usage"]}},
        GroupBy=[{"Type": "DIMENSION", "Key": "USAGE_TYPE"}, {"Type": "DIMENSION", "Key": "OPERATION"}])
    cost: dict[tuple[str, str], Decimal] = {}
    hours: dict[tuple[str, str], Decimal] = {}
    for result in answer["ResultsByTime"]:
        for group in result["Groups"]:
            key = (group["Keys"][0], group["Keys"][1])
            cost[key] = cost.get(key, Decimal(0)) + Decimal(group["Metrics"]["UnblendedCost"]["Amount"])
            hours[key] = hours.get(key, Decimal(0)) + Decimal(group["Metrics"]["UsageQuantity"]["Amount"])
    by_name = {w["resource_id"]: w for w in truth["waste"]}
    east = _instances(USE1)
    for name, key in (("win-idle", ("USE1-BoxUsage:m5.large", "RunInstances:0002")),
                      ("spot-idle", ("USE1-SpotUsage:m5.xlarge", "RunInstances:SV001")),
                      ("ri-shared-idle", ("USE1-BoxUsage:r5.xlarge", "RunInstances"))):
        (instance,) = east[name]
        monthly = (cost[key] / hours[key] * 730).quantize(Decimal("0.01"))
        assert by_name[instance["InstanceId"]]["billed_monthly_cost"] == float(monthly), name
    coverage = ce.get_reservation_coverage(TimePeriod={"Start": period["start"], "End": end})
    assert coverage["Total"]["CoverageHours"]["ReservedHours"] == "1440"
    assert truth["variant"] == "billing" and len(truth["reservations"]) == 2


def test_standard_resources_keep_their_ids_in_the_billing_variant(aws: dict[str, Any], sandbox_env: Any) -> None:
    standard = {(w["resource_id"], w["type"]) for w in sandbox_env.ground_truth["waste"]}
    billing = {(w["resource_id"], w["type"]) for w in aws["ground_truth"]["waste"]}
    assert standard < billing
    assert len(billing - standard) == 6  # win-idle, win-underused, rhel-app, spot-idle, ri-shared-idle, legacy-pg
