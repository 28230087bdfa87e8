"""`python -m tools.sandbox` as a real subprocess: the exports work with plain boto3 and match the ground truth."""

from __future__ import annotations

import json
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest


@pytest.fixture
def aws(sandbox_env: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    for key, value in sandbox_env.env.items():
        monkeypatch.setenv(key, value)
    return sandbox_env


def test_seeded_quickly_and_truth_written(aws: Any) -> None:
    assert aws.timings["seed_s"] < 30
    assert aws.ground_truth["counts"]["ec2_instance"] == 40
    assert aws.ground_truth["regions"] == ["us-east-1", "eu-west-1"]
    assert aws.env["AWS_REGIONS"] == "us-east-1,eu-west-1"


def test_inventory_matches_ground_truth(aws: Any) -> None:
    truth = aws.ground_truth
    for region in truth["regions"]:
        ec2 = boto3.client("ec2", region_name=region)
        instances = [i for page in ec2.get_paginator("describe_instances").paginate()
                     for r in page["Reservations"] for i in r["Instances"]]
        assert len(instances) == 20
        states = Counter(i["State"]["Name"] for i in instances)
        assert states == Counter({"running": 19, "stopped": 1})
        assert all({"env", "team", "cost-center"} <= {t["Key"] for t in i["Tags"]} for i in instances)
        # real EC2's billing fields, which moto leaves empty: every standard instance is Linux
        assert {(i.get("Platform"), i["PlatformDetails"], i["UsageOperation"]) for i in instances} == {
            (None, "Linux/UNIX", "RunInstances")}
        assert all(i["UsageOperationUpdateTime"] == i["LaunchTime"] for i in instances)
        assert sum(1 for i in instances if i.get("InstanceLifecycle") == "spot") == 2
        volumes = ec2.describe_volumes()["Volumes"]
        assert Counter(v["State"] for v in volumes) == Counter({"in-use": 24, "available": 4})
        assert all({"env", "team", "cost-center"} <= {t["Key"] for t in v["Tags"]} for v in volumes)
        addresses = ec2.describe_addresses()["Addresses"]
        assert sum(1 for a in addresses if "AssociationId" not in a) == 1
        snapshots = ec2.describe_snapshots(Filters=[{"Name": "owner-id", "Values": ["123456789012"]}])["Snapshots"]
        ages = sorted((datetime.now(UTC) - s["StartTime"]).days for s in snapshots)
        assert ages == [10, 180]
        assert len(boto3.client("lambda", region_name=region).list_functions()["Functions"]) == 4
        assert len(boto3.client("rds", region_name=region).describe_db_instances()["DBInstances"]) == 4
    waste_ids = {w["resource_id"] for w in truth["waste"]}
    assert set(truth["ignored"]).isdisjoint(waste_ids) and set(truth["insufficient_data"]).isdisjoint(waste_ids)


def test_cloudwatch_history_through_get_metric_data(aws: Any) -> None:
    idle = next(w for w in aws.ground_truth["waste"] if w["type"] == "idle_resource" and w["resource_id"].startswith("i-")
                and w["region"] == "us-east-1" and "stopped" not in w["reason"])
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    cw = boto3.client("cloudwatch", region_name="us-east-1")
    result = cw.get_metric_data(StartTime=today - timedelta(days=14), EndTime=today, MetricDataQueries=[
        {"Id": "cpu", "MetricStat": {"Metric": {"Namespace": "AWS/EC2", "MetricName": "CPUUtilization", "Dimensions": [
            {"Name": "InstanceId", "Value": idle["resource_id"]}]}, "Period": 86400, "Stat": "Average"}}])
    values = result["MetricDataResults"][0]["Values"]
    assert len(values) == 14 and all(1.0 <= v <= 2.0 for v in values)


def test_cost_explorer_and_bedrock_through_exports(aws: Any) -> None:
    period = aws.ground_truth["period"]
    end = (datetime.fromisoformat(period["end"]) + timedelta(days=1)).date().isoformat()
    ce = boto3.client("ce", region_name="us-east-1")
    usage = {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Usage", "DiscountedUsage", "SavingsPlanCoveredUsage"]}}
    answer = ce.get_cost_and_usage(TimePeriod={"Start": period["start"], "End": end}, Granularity="MONTHLY",
                                   Metrics=["AmortizedCost"], Filter=usage)
    total = sum(Decimal(r["Total"]["AmortizedCost"]["Amount"]) for r in answer["ResultsByTime"])
    assert float(total) == aws.ground_truth["cost_totals"]["total"]
    other = ce.get_cost_and_usage(TimePeriod={"Start": period["start"], "End": end}, Granularity="MONTHLY",
                                  Metrics=["UnblendedCost"], Filter={"Not": usage},
                                  GroupBy=[{"Type": "DIMENSION", "Key": "RECORD_TYPE"}])
    adjustments: dict[str, Decimal] = {}
    for result in other["ResultsByTime"]:
        for group in result["Groups"]:
            key = group["Keys"][0]
            adjustments[key] = adjustments.get(key, Decimal(0)) + Decimal(group["Metrics"]["UnblendedCost"]["Amount"])
    assert {k: float(v) for k, v in adjustments.items()} == aws.ground_truth["adjustments"]
    reply = boto3.client("bedrock-runtime", region_name="us-east-1").converse(
        modelId="amazon.nova-lite-v1:0", messages=[{"role": "user", "content": [{"text": "hello"}]}])
    assert reply["output"]["message"]["content"] == [{"text": "Sandbox model answer: hello"}]
    with urllib.request.urlopen(aws.env["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] + "/sandbox/responses") as answer:
        recorded = json.loads(answer.read())
    assert recorded[-1]["usage"] == reply["usage"] and recorded[-1]["model"] == "amazon.nova-lite-v1:0"
