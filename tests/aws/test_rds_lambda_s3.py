"""RDS, Lambda and S3 collectors on moto in-process: ids, dollars from the price book, request parameters."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, time, timedelta

import boto3
import pytest
from moto import mock_aws

from tests.aws.conftest import TODAY
from tests.aws.test_ec2 import capture
from tools.aws.clients import ClientFactory
from tools.aws.collect import collect_utilization
from tools.aws.lambda_costs import NOTE_COLD_STARTS, NOTE_MEMORY, NOTE_NO_USAGE, LambdaCostCollector
from tools.aws.rds import RDSCostCollector
from tools.aws.s3 import S3CostCollector, bucket_region
from tools.models import CollectionResult
from tools.pricing.book import PriceBook
from tools.settings import load_settings

GIB = 1024**3


@pytest.fixture
def factory():
    with mock_aws():
        yield ClientFactory(load_settings())


def daily_points(cw, namespace, metric, dims, value, samples=1):
    cw.put_metric_data(Namespace=namespace, MetricData=[
        {"MetricName": metric, "Dimensions": dims,
         "Timestamp": datetime.combine(TODAY - timedelta(days=ago), time(6), tzinfo=UTC),
         "StatisticValues": {"SampleCount": samples, "Sum": value * samples, "Minimum": value, "Maximum": value}}
        for ago in range(1, 15)])


def test_rds_instances_and_manual_snapshots(factory):
    rds = boto3.client("rds", "us-east-1")
    rds.create_db_instance(DBInstanceIdentifier="orders", DBInstanceClass="db.t3.micro", Engine="mysql",
                           AllocatedStorage=20, StorageType="gp2", MasterUsername="admin", MasterUserPassword="password1")
    rds.create_db_instance(DBInstanceIdentifier="reports", DBInstanceClass="db.m5.large", Engine="postgres",
                           AllocatedStorage=100, StorageType="gp2", MultiAZ=True, MasterUsername="admin",
                           MasterUserPassword="password1", Tags=[{"Key": "env", "Value": "staging"}])
    rds.create_db_snapshot(DBSnapshotIdentifier="orders-before-upgrade", DBInstanceIdentifier="orders")
    seen = capture(factory, "rds", "us-east-1")
    settings = load_settings()
    collector = RDSCostCollector(factory, PriceBook.load(), settings)
    found = {r.name: r for r in collector.collect("us-east-1")}
    orders, reports, snap = found["orders"], found["reports"], found["orders-before-upgrade"]
    assert (orders.resource_id, snap.resource_id) == ("arn:aws:rds:us-east-1:123456789012:db:orders",
                                                      "arn:aws:rds:us-east-1:123456789012:snapshot:orders-before-upgrade")
    assert (orders.kind, orders.service, orders.resource_type, orders.monthly_cost) == (
        "rds_instance", "RDS", "db.t3.micro", 14.71)  # 730 x 0.017 + 20 x 0.115
    assert orders.attributes == {"engine": "mysql", "multi_az": False, "allocated_storage_gb": 20,
                                 "storage_type": "gp2", "iops": None, "instance_monthly_cost": 12.41,
                                 "storage_monthly_cost": 2.3}
    assert reports.monthly_cost == 282.88  # 730 x 0.356 (Multi-AZ) + 100 x 0.23
    assert "Multi-AZ" in reports.price.source
    assert (snap.kind, snap.monthly_cost, snap.attributes["db_instance_id"], snap.attributes["size_gb"]) == (
        "rds_snapshot", 1.9, "orders", 20)
    assert seen["DescribeDBInstances"] == [{"MaxRecords": 100}]
    assert seen["DescribeDBSnapshots"] == [{"SnapshotType": "manual", "MaxRecords": 100}]
    assert (reports.attributes["multi_az"], reports.tags) == (True, {"env": "staging"})
    assert abs(snap.created - datetime.now(UTC)) < timedelta(minutes=5) and snap.created == snap.attributes[
        "snapshot_create_time"]


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return 1\n")
    return buffer.getvalue()


def test_lambda_priced_from_measured_usage_with_plain_notes(factory):
    role = boto3.client("iam").create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lam = boto3.client("lambda", "us-east-1")
    for name, memory, arch in (("resize", 1024, "x86_64"), ("nightly", 256, "arm64")):
        lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="handler.handler",
                            Code={"ZipFile": _zip()}, MemorySize=memory, Architectures=[arch], Timeout=30)
    cw = factory.client("cloudwatch", "us-east-1")
    dims = [{"Name": "FunctionName", "Value": "resize"}]
    daily_points(cw, "AWS/Lambda", "Invocations", dims, 100_000.0)
    daily_points(cw, "AWS/Lambda", "Duration", dims, 500.0, samples=100)
    daily_points(cw, "AWS/Lambda", "Errors", dims, 50.0)
    insights = [{"Name": "function_name", "Value": "resize"}]
    daily_points(cw, "LambdaInsights", "used_memory_max", insights, 180.0)
    daily_points(cw, "LambdaInsights", "init_duration", insights, 350.0, samples=20)
    seen = capture(factory, "lambda", "us-east-1")
    settings = load_settings()
    collector = LambdaCostCollector(factory, PriceBook.load(), settings)
    functions = collector.collect("us-east-1")
    assert seen["ListFunctions"] == [{"MaxItems": 50}]
    result = CollectionResult(collected_at=datetime.now(UTC), regions=["us-east-1"], resources=functions)
    measured = {r.name: r for r in collect_utilization(factory, settings, result, today=TODAY).resources}
    resize, nightly = measured["resize"], measured["nightly"]
    # The id is the ARN; CloudWatch was asked by the short name (the metrics below were found).
    assert resize.resource_id == "arn:aws:lambda:us-east-1:123456789012:function:resize"
    # 100,000 a day x 730/24 = 3,041,666.67 requests x $0.0000002 + 1,520,833.33 GB-s x $0.0000166667
    assert (resize.monthly_cost, resize.attributes["compute_monthly_cost"],
            resize.attributes["request_monthly_cost"]) == (25.96, 25.35, 0.61)
    assert resize.attributes["architecture"] == "x86_64" and resize.notes == []
    assert "x86_64 duration" in resize.price.source
    assert (nightly.monthly_cost, nightly.notes) == (0.0, [NOTE_MEMORY, NOTE_COLD_STARTS, NOTE_NO_USAGE])
    assert "arm64 duration" in nightly.price.source
    used = resize.utilization
    # 14 days: 100,000 calls and 50 errors a day; Lambda Insights' peak memory 180 MB and 20 cold starts a day
    assert (used["invocations"].total, used["errors"].total, used["memory_used_max"].maximum,
            used["cold_starts"].total) == (1_400_000.0, 700.0, 180.0, 280.0)


def test_s3_buckets_lifecycle_uploads_and_sizes(factory):
    east = boto3.client("s3", "us-east-1")
    east.create_bucket(Bucket="logs-east")
    for region, name in (("eu-west-1", "data-eu"), ("ap-southeast-1", "elsewhere")):
        boto3.client("s3", region).create_bucket(Bucket=name,
                                                CreateBucketConfiguration={"LocationConstraint": region})
    boto3.client("s3", "eu-west-1").put_bucket_lifecycle_configuration(Bucket="data-eu", LifecycleConfiguration={
        "Rules": [{"ID": "abort", "Status": "Enabled", "Filter": {"Prefix": ""},
                   "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}]})
    for key in ("a.bin", "b.bin"):
        upload = east.create_multipart_upload(Bucket="logs-east", Key=key)["UploadId"]
        east.upload_part(Bucket="logs-east", Key=key, UploadId=upload, PartNumber=1, Body=b"x" * 1_048_576)
    daily_points(factory.client("cloudwatch", "us-east-1"), "AWS/S3", "BucketSizeBytes",
                 [{"Name": "BucketName", "Value": "logs-east"}, {"Name": "StorageType", "Value": "StandardStorage"}],
                 float(100 * GIB))
    settings = load_settings()
    collector = S3CostCollector(factory, PriceBook.load(), settings)
    buckets = {b.resource_id: b for b in collector.collect_bucket_costs(["us-east-1", "eu-west-1"])}
    assert set(buckets) == {"logs-east", "data-eu"} and collector.errors == []
    logs, data = buckets["logs-east"], buckets["data-eu"]
    assert (logs.region, data.region) == ("us-east-1", "eu-west-1")
    assert logs.attributes["incomplete_uploads"] == 2 and logs.attributes["incomplete_parts_gb"] == 0.001953
    assert logs.attributes["lifecycle_rules"] == 0 and not logs.attributes["has_abort_incomplete_rule"]
    assert data.attributes["lifecycle_rules"] == 1 and data.attributes["has_abort_incomplete_rule"]
    assert factory.ledger.count("s3", "ListBuckets") == 1 and factory.ledger.count("s3", "GetBucketLocation") == 3
    assert factory.ledger.count("s3", "ListParts") == 2
    result = CollectionResult(collected_at=datetime.now(UTC), regions=["us-east-1"], resources=list(buckets.values()))
    measured = {r.resource_id: r for r in collect_utilization(factory, settings, result, today=TODAY).resources}
    assert measured["logs-east"].monthly_cost == 2.3  # 100 GB x $0.023
    assert measured["logs-east"].attributes["storage_gb_by_class"] == {"STANDARD": 100.0}
    assert measured["data-eu"].monthly_cost == 0.0 and measured["data-eu"].notes == [
        "no BucketSizeBytes metric in the lookback: storage cost shown as 0"]
    assert (bucket_region(None), bucket_region("EU"), bucket_region("us-west-2")) == (
        "us-east-1", "eu-west-1", "us-west-2")


def test_bucket_region_from_list_buckets_saves_the_location_calls(factory):
    boto3.client("s3", "eu-west-1").create_bucket(Bucket="data-eu",
                                                 CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})

    def with_region(parsed, **_):
        for bucket in parsed["Buckets"]:
            bucket["BucketRegion"] = "eu-west-1"

    factory.client("s3").meta.events.register("after-call.s3.ListBuckets", with_region)
    [bucket] = S3CostCollector(factory, PriceBook.load(), load_settings()).collect_bucket_costs(["eu-west-1"])
    assert (bucket.resource_id, bucket.region) == ("data-eu", "eu-west-1")
    assert factory.ledger.count("s3", "GetBucketLocation") == 0
