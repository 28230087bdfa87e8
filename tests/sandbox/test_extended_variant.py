"""`python -m tools.sandbox --variant extended` as a real subprocess: EC2's billing fields, the Auto Scaling group and
its instances, the recently stopped and the part-time instance, the AMI-backed snapshot, the databases tagged with
other keys than `env`, the legacy class, Cost Explorer rates that reproduce the ground truth's billed dollars, and
every ground-truth id present in the account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest

USE1 = "us-east-1"


@pytest.fixture
def aws(extended_sandbox_env: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    for key, value in extended_sandbox_env.env.items():
        monkeypatch.setenv(key, value)
    return {"env": extended_sandbox_env.env, "ground_truth": extended_sandbox_env.ground_truth}


def _instances(region: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    ec2 = boto3.client("ec2", region_name=region)
    for page in ec2.get_paginator("describe_instances").paginate():
        for reservation in page["Reservations"]:
            for instance in reservation["Instances"]:
                name = next(t["Value"] for t in instance["Tags"] if t["Key"] == "Name")
                out.setdefault(name, []).append(instance)
    return out


def _midnight(days_ago: int) -> datetime:
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days_ago)


def test_describe_instances_shows_platform_usage_operation_and_lifecycle(aws: dict[str, Any]) -> None:
    east = _instances(USE1)
    assert sum(len(v) for v in east.values()) == 33 and sum(len(v) for v in _instances("eu-west-1").values()) == 20

    def fields(name: str) -> set[tuple[Any, ...]]:
        return {(i["InstanceType"], i.get("Platform"), i["PlatformDetails"], i["UsageOperation"],
                 i.get("InstanceLifecycle")) for i in east[name]}

    assert fields("win-idle") == {("m5.large", "windows", "Windows", "RunInstances:0002", None)}
    assert fields("win-underused") == {("m5.2xlarge", "windows", "Windows", "RunInstances:0002", None)}
    assert fields("rhel-app") == {("m5.xlarge", None, "Red Hat Enterprise Linux", "RunInstances:0010", None)}
    assert fields("spot-idle") == {("m5.xlarge", None, "Linux/UNIX", "RunInstances", "spot")}
    assert fields("ri-shared-busy") == {("r5.xlarge", None, "Linux/UNIX", "RunInstances", None)}
    assert fields("memory-app") == {("r5.large", None, "Linux/UNIX", "RunInstances", None)}
    assert len(east["ri-shared-busy"]) == 2
    assert fields("web-prod") == {("m5.xlarge", None, "Linux/UNIX", "RunInstances", None)}
    assert all(i["UsageOperationUpdateTime"] == i["LaunchTime"] for v in east.values() for i in v)


def test_auto_scaling_group_holds_the_planted_idle_instances(aws: dict[str, Any]) -> None:
    (group,) = boto3.client("autoscaling", region_name=USE1).describe_auto_scaling_groups()["AutoScalingGroups"]
    assert not boto3.client("autoscaling", region_name="eu-west-1").describe_auto_scaling_groups()["AutoScalingGroups"]
    members = _instances(USE1)["batch-node"]
    assert (group["AutoScalingGroupName"], group["MinSize"], group["DesiredCapacity"], group["MaxSize"]) == (
        "batch-asg", 2, 2, 4)
    assert group["LaunchTemplate"]["LaunchTemplateName"] == "batch-asg"
    assert sorted((i["InstanceId"], i["InstanceType"], i["LifecycleState"]) for i in group["Instances"]) == sorted(
        (i["InstanceId"], "c5.large", "InService") for i in members)
    assert all({t["Key"]: t["Value"] for t in i["Tags"]}["aws:autoscaling:groupName"] == "batch-asg" for i in members)
    # no instance the fleet does not know: every instance of the region has a Name, every volume is planted
    waste = {w["resource_id"]: w for w in aws["ground_truth"]["waste"]}
    entry = waste[group["AutoScalingGroupARN"]]
    assert entry["type"] == "idle_resource" and sorted(entry["covered_resources"]) == sorted(
        i["InstanceId"] for i in members)
    assert not any(i["InstanceId"] in waste for i in members)  # the group's finding, not the instances'
    assert entry["billed_saving"] == entry["billed_monthly_cost"] == 124.1  # 2 x 730 h x $0.085


def test_recently_stopped_and_part_time_instances(aws: dict[str, Any]) -> None:
    east = _instances(USE1)
    (stopped,) = east["just-stopped"]
    assert stopped["State"]["Name"] == "stopped"
    assert stopped["StateTransitionReason"] == f"User initiated ({_midnight(2):%Y-%m-%d %H:%M:%S} GMT)"
    volumes = boto3.client("ec2", region_name=USE1).describe_volumes(
        Filters=[{"Name": "attachment.instance-id", "Values": [stopped["InstanceId"]]}])["Volumes"]
    assert sorted((v["VolumeType"], v["Size"]) for v in volumes) == [("gp3", 20), ("gp3", 100)]
    waste = {w["resource_id"] for w in aws["ground_truth"]["waste"]}
    assert not ({stopped["InstanceId"]} | {v["VolumeId"] for v in volumes}) & waste  # inside the 7-day grace
    (part,) = east["part-time-dev"]
    (busy,) = east["web-prod"]
    cw = boto3.client("cloudwatch", region_name=USE1)
    answer = cw.get_metric_data(StartTime=_midnight(14), EndTime=_midnight(0), MetricDataQueries=[
        {"Id": f"q{n}", "MetricStat": {"Metric": {"Namespace": "AWS/EC2", "MetricName": "CPUUtilization", "Dimensions": [
            {"Name": "InstanceId", "Value": i["InstanceId"]}]}, "Period": 86400, "Stat": "SampleCount"}}
        for n, i in enumerate((part, busy, stopped))])["MetricDataResults"]
    assert [r["Values"] for r in answer[:2]] == [[72.0] * 14, [288.0] * 14]  # 6 h a day, all day
    assert len(answer[2]["Values"]) == 12  # no datapoint since it stopped
    (entry,) = [w for w in aws["ground_truth"]["waste"] if w["resource_id"] == part["InstanceId"]]
    assert (entry["type"], entry["billed_saving"]) == ("idle_resource", 15.21)  # 182.5 h x $0.50 / 6 h


def test_databases_tagged_with_other_keys_and_the_legacy_class(aws: dict[str, Any]) -> None:
    rds = boto3.client("rds", region_name=USE1)
    dbs = {d["DBInstanceIdentifier"]: d for d in rds.describe_db_instances()["DBInstances"]}
    assert dbs["legacy-pg-0000"]["DBInstanceClass"] == "db.m3.medium"
    tags = {name: {t["Key"]: t["Value"] for t in dbs[name]["TagList"]} for name in ("ledger-db-0000", "reports-uat-0000")}
    assert dbs["ledger-db-0000"]["MultiAZ"] and tags["ledger-db-0000"]["Environment"] == "production"
    assert dbs["reports-uat-0000"]["MultiAZ"] and tags["reports-uat-0000"]["Stage"] == "UAT"
    assert not any("env" in t for t in tags.values())
    types = {}
    for w in aws["ground_truth"]["waste"]:
        types.setdefault(w["resource_id"], []).append(w["type"])
    assert dbs["ledger-db-0000"]["DBInstanceArn"] not in types
    assert types[dbs["reports-uat-0000"]["DBInstanceArn"]] == ["multi_az"]


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


def test_billed_rates_match_the_ground_truth(aws: dict[str, Any]) -> None:
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
    by_id = {w["resource_id"]: w for w in truth["waste"]}
    east = _instances(USE1)
    for name, key, share in (("win-idle", ("USE1-BoxUsage:m5.large", "RunInstances:0002"), 1),
                             ("spot-idle", ("USE1-SpotUsage:m5.xlarge", "RunInstances:SV001"), 1),
                             ("ri-shared-idle", ("USE1-BoxUsage:r5.xlarge", "RunInstances"), 1),
                             ("part-time-dev", ("USE1-BoxUsage:t3.large", "RunInstances"), Decimal("0.25"))):
        (instance,) = east[name]
        monthly = (cost[key] / hours[key] * 730 * share).quantize(Decimal("0.01"))
        assert by_id[instance["InstanceId"]]["billed_monthly_cost"] == float(monthly), name
    assert hours[("USE1-BoxUsage:t3.large", "RunInstances")] == 180  # 6 h a day for 30 days
    coverage = ce.get_reservation_coverage(TimePeriod={"Start": period["start"], "End": end})
    assert coverage["Total"]["CoverageHours"]["ReservedHours"] == "1440"
    assert truth["variant"] == "extended" and len(truth["reservations"]) == 2
    daily = ce.get_cost_and_usage(TimePeriod={"Start": period["start"], "End": end}, Granularity="DAILY",
                                  Metrics=["UnblendedCost"], Filter={"Dimensions": {"Key": "SERVICE",
                                                                                    "Values": ["Amazon DynamoDB"]}})
    spent = [(r["TimePeriod"]["Start"], r["Total"]["UnblendedCost"]["Amount"]) for r in daily["ResultsByTime"]
             if Decimal(r["Total"]["UnblendedCost"]["Amount"])]
    assert spent == [((_midnight(n)).date().isoformat(), "24.96") for n in range(5, 0, -1)]
    assert truth["anomalies"][-1] == {"service": "Amazon DynamoDB", "region": USE1, "driver": "USE1-WriteCapacityUnit-Hrs",
                                      "date": _midnight(5).date().isoformat()}


def test_every_ground_truth_id_exists_in_the_account(aws: dict[str, Any]) -> None:
    truth = aws["ground_truth"]
    ids: set[str] = set()
    for region in truth["regions"]:
        ec2 = boto3.client("ec2", region_name=region)
        ids |= {i["InstanceId"] for v in _instances(region).values() for i in v}
        ids |= {v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]}
        ids |= {s["SnapshotId"] for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]}
        ids |= {a["AllocationId"] for a in ec2.describe_addresses()["Addresses"]}
        ids |= {n["NatGatewayId"] for n in ec2.describe_nat_gateways()["NatGateways"]}
        rds = boto3.client("rds", region_name=region)
        ids |= {d["DBInstanceArn"] for d in rds.describe_db_instances()["DBInstances"]}
        ids |= {s["DBSnapshotArn"] for s in rds.describe_db_snapshots()["DBSnapshots"]}
        ids |= {f["FunctionArn"] for f in boto3.client("lambda", region_name=region).list_functions()["Functions"]}
        ids |= {g["AutoScalingGroupARN"] for g in boto3.client("autoscaling", region_name=region)
                .describe_auto_scaling_groups()["AutoScalingGroups"]}
    buckets = {b["Name"] for b in boto3.client("s3", region_name=USE1).list_buckets()["Buckets"]}
    ids |= buckets
    assert {w["resource_id"] for w in truth["waste"]} <= ids
    assert set(truth["ignored"]) | set(truth["insufficient_data"]) <= ids
    small = next(b for b in buckets if "small-objects" in b)
    assert small not in {w["resource_id"] for w in truth["waste"]}  # ~42 KB objects: no lifecycle finding


def test_standard_resources_keep_their_ids_in_the_extended_variant(aws: dict[str, Any], sandbox_env: Any) -> None:
    standard = {(w["resource_id"], w["type"]) for w in sandbox_env.ground_truth["waste"]}
    extended = {(w["resource_id"], w["type"]) for w in aws["ground_truth"]["waste"]}
    assert standard < extended
    # win-idle, win-underused, rhel-app, spot-idle, ri-shared-idle, legacy-pg, memory-app, the group, part-time-dev,
    # bulk-data, reports-uat
    assert len(extended - standard) == 11
