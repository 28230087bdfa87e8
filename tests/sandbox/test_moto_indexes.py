"""The sandbox's moto speed-ups answer exactly as unpatched moto does (mock_aws in-process, no sandbox)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tools.sandbox import cw_index, tag_index

DAY0 = datetime(2026, 11, 1)


@pytest.fixture
def cloudwatch() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("cloudwatch", region_name="us-east-1")
        for n in range(6):
            for metric, ns, dims in (("CPUUtilization", "AWS/EC2", [{"Name": "InstanceId", "Value": f"i-{n}"}]),
                                     ("CPUUtilization", "AWS/RDS", [{"Name": "DBInstanceIdentifier", "Value": f"db-{n}"}]),
                                     ("BucketSizeBytes", "AWS/S3", [{"Name": "BucketName", "Value": f"b-{n}"},
                                                                    {"Name": "StorageType", "Value": "StandardStorage"}])):
                client.put_metric_data(Namespace=ns, MetricData=[{
                    "MetricName": metric, "Dimensions": dims, "Timestamp": DAY0 + timedelta(days=d), "Unit": "Percent",
                    "StatisticValues": {"SampleCount": 4, "Sum": 4.0 * (n + d), "Minimum": 0.5, "Maximum": n + d + 3.0}}
                    for d in range(10)])
        client.put_metric_data(Namespace="Custom", MetricData=[{"MetricName": "CPUUtilization", "Value": 9.0,
                                                                "Timestamp": DAY0 + timedelta(days=2)}])
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="real-bucket")
        yield client
    cw_index.uninstall()
    tag_index.uninstall()


def _queries() -> list[dict[str, Any]]:
    def stat(i: str, ns: str, metric: str, dims: list[dict[str, str]], s: str, **extra: Any) -> dict[str, Any]:
        return {"Id": i, "MetricStat": {"Metric": {"Namespace": ns, "MetricName": metric, "Dimensions": dims},
                                        "Period": 86400, "Stat": s, **extra}}
    return [
        stat("a", "AWS/EC2", "CPUUtilization", [{"Name": "InstanceId", "Value": "i-3"}], "Average"),
        stat("b", "AWS/EC2", "CPUUtilization", [{"Name": "InstanceId", "Value": "i-3"}], "Maximum"),
        stat("c", "AWS/RDS", "CPUUtilization", [{"Name": "DBInstanceIdentifier", "Value": "db-1"}], "Sum"),
        stat("d", "AWS/S3", "BucketSizeBytes", [{"Name": "StorageType", "Value": "StandardStorage"},
                                                {"Name": "BucketName", "Value": "b-2"}], "Average"),
        stat("e", "Custom", "CPUUtilization", [], "SampleCount"),
        stat("f", "AWS/EC2", "CPUUtilization", [{"Name": "InstanceId", "Value": "i-9"}], "Average"),
        stat("g", "AWS/S3", "BucketSizeBytes", [{"Name": "BucketName", "Value": "real-bucket"},
                                                {"Name": "StorageType", "Value": "StandardStorage"}], "Average"),
        stat("h", "AWS/EC2", "CPUUtilization", [{"Name": "InstanceId", "Value": "i-4"}], "Average", Unit="Percent"),
        {**stat("i", "AWS/EC2", "CPUUtilization", [{"Name": "InstanceId", "Value": "i-5"}], "Minimum"),
         "ReturnData": False},
    ]


def _ask(client: Any, start: datetime, end: datetime) -> list[dict[str, Any]]:
    return client.get_metric_data(MetricDataQueries=_queries(), StartTime=start, EndTime=end)["MetricDataResults"]


@pytest.mark.parametrize("window", [(DAY0, DAY0 + timedelta(days=14)), (DAY0 + timedelta(days=3, hours=5),
                                                                        datetime.utcnow() + timedelta(days=1))])
def test_cloudwatch_index_equals_moto(cloudwatch: Any, window: tuple[datetime, datetime]) -> None:
    plain = _ask(cloudwatch, *window)
    cw_index.install()
    indexed = _ask(cloudwatch, *window)
    cloudwatch.put_metric_data(Namespace="AWS/EC2", MetricData=[{
        "MetricName": "CPUUtilization", "Dimensions": [{"Name": "InstanceId", "Value": "i-3"}],
        "Timestamp": DAY0 + timedelta(days=5, hours=1), "Value": 50.0}])
    after_put = _ask(cloudwatch, *window)
    cw_index.uninstall()
    assert indexed == plain
    assert after_put == _ask(cloudwatch, *window)
    assert [r["Id"] for r in plain] == ["a", "b", "c", "d", "e", "f", "g", "h"]
    assert len(plain[0]["Values"]) > 0 and plain[5]["Values"] == []


def test_tag_index_equals_moto() -> None:
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        made = ec2.run_instances(ImageId="ami-12345678", MinCount=5, MaxCount=5, TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "web"}]}])
        ids = [i["InstanceId"] for i in made["Instances"]]
        ec2.create_tags(Resources=ids[:2], Tags=[{"Key": "extra", "Value": "1"}])
        plain = (ec2.describe_instances()["Reservations"], ec2.describe_tags()["Tags"],
                 ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [ids[0]]}])["Tags"])
        tag_index.install()
        try:
            fast = (ec2.describe_instances()["Reservations"], ec2.describe_tags()["Tags"],
                    ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [ids[0]]}])["Tags"])
        finally:
            tag_index.uninstall()
        assert fast == plain
        assert {t["Key"] for t in plain[0][0]["Instances"][0]["Tags"]} == {"env", "team", "extra"}
