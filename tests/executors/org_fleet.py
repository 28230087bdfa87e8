"""A small simulated organization for the shard and executor tests: the caller (management) and members, each with
its own instance, volume and bucket, and a CPU history, written through the members' own assumed-role sessions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import boto3
import botocore.session
from botocore.loaders import create_loader

CALLER = "123456789012"
REGIONS = ["us-east-1", "eu-west-1"]
TODAY = date(2026, 11, 24)
CPU_DAYS = 14


_LOADER = create_loader()  # service models read once, not once per session


def _session(region: str, **credentials: str) -> boto3.Session:
    core = botocore.session.Session()
    core.register_component("data_loader", _LOADER)
    return boto3.Session(botocore_session=core, region_name=region, **credentials)


def member_session(account_id: str, region: str = "us-east-1") -> boto3.Session:
    """The account's own credentials (AssumeRole from the caller, as an operator seeding it would)."""
    if account_id == CALLER:
        return _session(region)
    creds = _session(region).client("sts").assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/seed",
                                                       RoleSessionName="seed")["Credentials"]
    return _session(region, aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                    aws_session_token=creds["SessionToken"])


def create_members(count: int) -> list[str]:
    org = _session("us-east-1").client("organizations")
    org.create_organization(FeatureSet="ALL")
    return [org.create_account(AccountName=f"member-{i:02d}", Email=f"m{i}@example.com")
            ["CreateAccountStatus"]["AccountId"] for i in range(count)]


def seed_account(account_id: str, cpu: float) -> dict[str, list[str]]:
    """Per region one m5.large with `cpu` % for 14 days and one unattached gp2 volume; one bucket in us-east-1.
    Returns region -> the resource ids planted there."""
    session = member_session(account_id)
    planted: dict[str, list[str]] = {}
    for region in REGIONS:
        ec2 = session.client("ec2", region)
        instance = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                                     InstanceType="m5.large")["Instances"][0]["InstanceId"]
        volume = ec2.create_volume(Size=100, AvailabilityZone=f"{region}a", VolumeType="gp2")["VolumeId"]
        end = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC)
        session.client("cloudwatch", region).put_metric_data(Namespace="AWS/EC2", MetricData=[
            {"MetricName": "CPUUtilization", "Dimensions": [{"Name": "InstanceId", "Value": instance}],
             "Timestamp": end - timedelta(days=day) + timedelta(hours=12), "Unit": "Percent",
             "StatisticValues": {"SampleCount": 288, "Sum": cpu * 288, "Minimum": cpu / 2, "Maximum": cpu * 2}}
            for day in range(1, CPU_DAYS + 1)])
        planted[region] = [instance, volume]
    bucket = f"bucket-{account_id}"
    session.client("s3", "us-east-1").create_bucket(Bucket=bucket)
    planted["us-east-1"].append(bucket)
    return planted
