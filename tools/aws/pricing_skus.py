"""The AWS Pricing API question for every `PriceBook` price: GetProducts with the full SKU filter.

`sku_for(key)` (keys from `tools.pricing.quotes`) -> a `Sku`; `tools.aws.pricing_api` asks it and caches the answer:

- EC2 instance hour: AmazonEC2; instanceType, regionCode, operatingSystem, tenancy=Shared, preInstalledSw,
  capacitystatus=Used, marketoption=OnDemand, operation (and licenseModel=No License required for Linux); unit Hrs.
- EBS storage: AmazonEC2; productFamily=Storage, volumeApiName, regionCode; unit GB-Mo.
- EBS IOPS (gp3, io1, io2): AmazonEC2; productFamily=System Operation, volumeApiName, regionCode; the product
  whose usagetype is EBS:VolumeP-IOPS.gp3 / .piops / .io2 (first tier).
- gp3 throughput: AmazonEC2; productFamily=Provisioned Throughput, volumeApiName=gp3, regionCode; usagetype
  EBS:VolumeP-Throughput.gp3 (a price per GiBps-month is quoted per MiB/s-month).
- EBS snapshots: AmazonEC2; productFamily=Storage Snapshot, regionCode; usagetype EBS:SnapshotUsage (standard) or
  EBS:SnapshotArchiveStorage (archive).
- NAT gateway: AmazonEC2; productFamily=NAT Gateway, regionCode; usagetype NatGateway-Hours / NatGateway-Bytes.
- Public IPv4: AmazonVPC; group=VPCPublicIPv4Address, regionCode; usagetype PublicIPv4:InUseAddress / IdleAddress.
- RDS instance: AmazonRDS; productFamily=Database Instance, instanceType, regionCode, databaseEngine,
  deploymentOption (Single-AZ / Multi-AZ), licenseModel, databaseEdition (Oracle, SQL Server); unit Hrs.
- RDS storage and backup: AmazonRDS; productFamily=Database Storage (with deploymentOption) / Storage Snapshot,
  regionCode; usagetype RDS:[Multi-AZ-]GP2-Storage ... / RDS:ChargedBackupUsage.
- Lambda: AWSLambda; group=AWS-Lambda-Duration / AWS-Lambda-Duration-ARM / AWS-Lambda-Requests, regionCode;
  usagetype Lambda-GB-Second / Lambda-GB-Second-ARM / Request (first paid tier).
- S3 storage: AmazonS3; productFamily=Storage, volumeType (Standard, Standard - Infrequent Access ...),
  regionCode; first tier.

EC2's billing operation (what Cost Explorer's OPERATION and DescribeInstances' UsageOperation say) carries the
platform: `RunInstances` Linux, `RunInstances:0002` Windows, `RunInstances:0010` RHEL, `RunInstances:000g` SUSE,
`RunInstances:0006` Windows with SQL Server Standard ... (`EC2_OPERATIONS`). The Pricing API lists the same value as
the product's `operation`, which is what tells license-included Windows from BYOL (`RunInstances:0800`), so it is
always filtered on. `licenseModel` is filtered for Linux only: recorded GetProducts answers show license-included
Windows SKUs as "No License required" too (e.g. `RunInstances:0202`, Windows with SQL Web, pastebin.com/dDPvRHxE).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tools.pricing.book import LINUX, PriceNotFound
from tools.pricing.quotes import call_of

EC2_OPERATIONS: dict[str, tuple[str, str, str]] = {
    # operation: (operatingSystem, preInstalledSw, what the quote calls it)
    "RunInstances": ("Linux", "NA", "Linux"),
    "RunInstances:0002": ("Windows", "NA", "Windows"),
    "RunInstances:0010": ("RHEL", "NA", "RHEL"),
    "RunInstances:000g": ("SUSE", "NA", "SUSE"),
    "RunInstances:1010": ("Red Hat Enterprise Linux with HA", "NA", "RHEL with HA"),
    "RunInstances:0g00": ("Ubuntu Pro", "NA", "Ubuntu Pro"),
    "RunInstances:0006": ("Windows", "SQL Std", "Windows with SQL Server Standard"),
    "RunInstances:0102": ("Windows", "SQL Ent", "Windows with SQL Server Enterprise"),
    "RunInstances:0202": ("Windows", "SQL Web", "Windows with SQL Server Web"),
    "RunInstances:0004": ("Linux", "SQL Std", "Linux with SQL Server Standard"),
    "RunInstances:0100": ("Linux", "SQL Ent", "Linux with SQL Server Enterprise"),
    "RunInstances:0200": ("Linux", "SQL Web", "Linux with SQL Server Web"),
    "RunInstances:0800": ("Windows", "NA", "Windows BYOL"),
}
"""EC2 billing operation -> Pricing API operatingSystem, preInstalledSw (AWS's operation codes, docs/money.md)."""

RDS_ENGINES: dict[str, dict[str, str]] = {
    "mysql": {"databaseEngine": "MySQL", "licenseModel": "No license required"},
    "mariadb": {"databaseEngine": "MariaDB", "licenseModel": "No license required"},
    "postgres": {"databaseEngine": "PostgreSQL", "licenseModel": "No license required"},
    "postgresql": {"databaseEngine": "PostgreSQL", "licenseModel": "No license required"},
    "aurora-mysql": {"databaseEngine": "Aurora MySQL"},
    "aurora-postgresql": {"databaseEngine": "Aurora PostgreSQL"},
    "oracle-se2": {"databaseEngine": "Oracle", "databaseEdition": "Standard Two", "licenseModel": "License included"},
    "oracle-ee": {"databaseEngine": "Oracle", "databaseEdition": "Enterprise",
                  "licenseModel": "Bring your own license"},
    "sqlserver-ex": {"databaseEngine": "SQL Server", "databaseEdition": "Express", "licenseModel": "License included"},
    "sqlserver-web": {"databaseEngine": "SQL Server", "databaseEdition": "Web", "licenseModel": "License included"},
    "sqlserver-se": {"databaseEngine": "SQL Server", "databaseEdition": "Standard", "licenseModel": "License included"},
    "sqlserver-ee": {"databaseEngine": "SQL Server", "databaseEdition": "Enterprise",
                     "licenseModel": "License included"},
}
"""RDS engine (as DescribeDBInstances names it) -> the Pricing API's databaseEngine, edition and licence model."""

RDS_STORAGE = {"gp2": "GP2-Storage", "gp3": "GP3-Storage", "io1": "PIOPS-Storage", "io2": "IO2-Storage",
               "standard": "StorageUsage"}
EBS_IOPS = {"io1": "EBS:VolumeP-IOPS.piops", "io2": "EBS:VolumeP-IOPS.io2", "gp3": "EBS:VolumeP-IOPS.gp3"}
S3_CLASSES = {
    "STANDARD": "Standard", "STANDARD_IA": "Standard - Infrequent Access",
    "ONEZONE_IA": "One Zone - Infrequent Access", "GLACIER_IR": "Glacier Instant Retrieval",
    "GLACIER": "Amazon Glacier", "DEEP_ARCHIVE": "Glacier Deep Archive",
    "INTELLIGENT_TIERING": "Intelligent-Tiering Frequent Access", "REDUCED_REDUNDANCY": "Reduced Redundancy",
}
"""S3 storage class -> the Pricing API's volumeType (aws/agent-toolkit-for-aws references/pricing-lookup.md)."""


@dataclass(frozen=True)
class Sku:
    """One GetProducts question: service, TERM_MATCH filters, which product and unit answer it."""

    service: str
    filters: dict[str, str]
    unit: str
    what: str
    usagetype: str | None = None
    """Pick the product whose usagetype is this, region prefix aside ('EU-NatGateway-Hours' for 'NatGateway-Hours')."""
    prefer: dict[str, str] = field(default_factory=dict)
    """Among several matching products, prefer those with these attributes (then the lowest SKU id)."""

    def describe(self, sku_id: str) -> str:
        terms = ", ".join(f"{k}={v}" for k, v in self.filters.items())
        picked = f"; usagetype *{self.usagetype}" if self.usagetype else ""
        return f"{self.service} {terms}{picked}; sku {sku_id}"



def sku_for(key: str) -> Sku:
    """The GetProducts question a price key asks. `PriceNotFound` for keys the API cannot price (unknown engine)."""
    method, args = call_of(key)
    question = _QUESTIONS.get(method)
    if question is None:
        raise PriceNotFound(f"no Pricing API question for {key!r}")
    return question(str(args[0]), args[1:])


def _ec2_hourly(region: str, args: Sequence[Any]) -> Sku:
    instance_type, operation = str(args[0]), str(args[1])
    if operation not in EC2_OPERATIONS:
        raise PriceNotFound(f"EC2 operation {operation!r} has no Pricing API mapping")
    os_name, software, label = EC2_OPERATIONS[operation]
    filters = {"instanceType": instance_type, "regionCode": region, "operatingSystem": os_name, "tenancy": "Shared",
               "preInstalledSw": software, "capacitystatus": "Used", "marketoption": "OnDemand",
               "operation": operation}
    if operation == LINUX:
        filters["licenseModel"] = "No License required"
    return Sku("AmazonEC2", filters, "hour", f"{region} {instance_type} {label} on-demand")


def _ebs_gb_month(region: str, args: Sequence[Any]) -> Sku:
    volume = str(args[0])
    return Sku("AmazonEC2", {"productFamily": "Storage", "volumeApiName": volume, "regionCode": region}, "GB-month",
               f"{region} EBS {volume} storage")


def _ebs_iops_month(region: str, args: Sequence[Any]) -> Sku:
    volume = str(args[0])
    if volume not in EBS_IOPS:
        raise PriceNotFound(f"EBS {volume!r} has no provisioned IOPS price")
    return Sku("AmazonEC2", {"productFamily": "System Operation", "volumeApiName": volume, "regionCode": region},
               "IOPS-month", f"{region} EBS {volume} provisioned IOPS", usagetype=EBS_IOPS[volume])


def _ebs_throughput_month(region: str, args: Sequence[Any]) -> Sku:
    volume = str(args[0])
    return Sku("AmazonEC2", {"productFamily": "Provisioned Throughput", "volumeApiName": volume, "regionCode": region},
               "MiBps-month", f"{region} EBS {volume} provisioned throughput",
               usagetype=f"EBS:VolumeP-Throughput.{volume}")


def _snapshot_gb_month(region: str, args: Sequence[Any]) -> Sku:
    tier = str(args[0])
    usage = {"standard": "EBS:SnapshotUsage", "archive": "EBS:SnapshotArchiveStorage"}.get(tier)
    if usage is None:
        raise PriceNotFound(f"EBS snapshot tier {tier!r} is not 'standard' or 'archive'")
    return Sku("AmazonEC2", {"productFamily": "Storage Snapshot", "regionCode": region}, "GB-month",
               f"{region} EBS snapshot {tier}", usagetype=usage)


def _nat_hourly(region: str, args: Sequence[Any]) -> Sku:
    return Sku("AmazonEC2", {"productFamily": "NAT Gateway", "regionCode": region}, "hour",
               f"{region} NAT gateway hour", usagetype="NatGateway-Hours")


def _nat_gb(region: str, args: Sequence[Any]) -> Sku:
    return Sku("AmazonEC2", {"productFamily": "NAT Gateway", "regionCode": region}, "GB",
               f"{region} NAT gateway data processed", usagetype="NatGateway-Bytes")


def _eip_hourly(region: str, args: Sequence[Any]) -> Sku:
    state = str(args[0])
    usage = {"idle": "PublicIPv4:IdleAddress", "in-use": "PublicIPv4:InUseAddress"}.get(state)
    if usage is None:
        raise PriceNotFound(f"public IPv4 state {state!r} is not 'idle' or 'in-use'")
    return Sku("AmazonVPC", {"group": "VPCPublicIPv4Address", "regionCode": region}, "hour",
               f"{region} public IPv4 address" + (" in use" if state == "in-use" else ""), usagetype=usage)


def _rds_hourly(region: str, args: Sequence[Any]) -> Sku:
    instance_class, engine, multi_az = str(args[0]), str(args[1]), bool(args[2])
    attributes = RDS_ENGINES.get(engine.lower())
    if attributes is None:
        raise PriceNotFound(f"RDS engine {engine!r} has no Pricing API mapping")
    deployment = "Multi-AZ" if multi_az else "Single-AZ"
    filters = {"productFamily": "Database Instance", "instanceType": instance_class, "regionCode": region,
               **attributes, "deploymentOption": deployment}
    return Sku("AmazonRDS", filters, "hour", f"{region} {instance_class} {engine} {deployment} on-demand")


def _rds_storage_gb_month(region: str, args: Sequence[Any]) -> Sku:
    storage, multi_az = str(args[0]), bool(args[1])
    if storage not in RDS_STORAGE:
        raise PriceNotFound(f"RDS storage type {storage!r} has no Pricing API mapping")
    deployment = "Multi-AZ" if multi_az else "Single-AZ"
    return Sku("AmazonRDS", {"productFamily": "Database Storage", "regionCode": region, "deploymentOption": deployment},
               "GB-month", f"{region} RDS {storage} storage {deployment}",
               usagetype=f"RDS:{'Multi-AZ-' if multi_az else ''}{RDS_STORAGE[storage]}",
               prefer={"databaseEngine": "Any"})


def _rds_snapshot_gb_month(region: str, args: Sequence[Any]) -> Sku:
    return Sku("AmazonRDS", {"productFamily": "Storage Snapshot", "regionCode": region}, "GB-month",
               f"{region} RDS snapshot (beyond free backup)", usagetype="RDS:ChargedBackupUsage")


def _lambda_gb_second(region: str, args: Sequence[Any]) -> Sku:
    arm = str(args[0]) == "arm64"
    return Sku("AWSLambda", {"group": "AWS-Lambda-Duration-ARM" if arm else "AWS-Lambda-Duration",
                             "regionCode": region},
               "GB-second", f"{region} Lambda {args[0]} duration",
               usagetype="Lambda-GB-Second-ARM" if arm else "Lambda-GB-Second")


def _lambda_request(region: str, args: Sequence[Any]) -> Sku:
    return Sku("AWSLambda", {"group": "AWS-Lambda-Requests", "regionCode": region}, "request",
               f"{region} Lambda requests", usagetype="Request")


def _s3_gb_month(region: str, args: Sequence[Any]) -> Sku:
    storage_class = str(args[0])
    if storage_class not in S3_CLASSES:
        raise PriceNotFound(f"S3 storage class {storage_class!r} has no Pricing API mapping")
    return Sku("AmazonS3", {"productFamily": "Storage", "volumeType": S3_CLASSES[storage_class], "regionCode": region},
               "GB-month", f"{region} S3 {storage_class} storage")


_QUESTIONS: dict[str, Callable[[str, Sequence[Any]], Sku]] = {
    "ec2_hourly": _ec2_hourly, "ebs_gb_month": _ebs_gb_month, "ebs_iops_month": _ebs_iops_month,
    "ebs_throughput_month": _ebs_throughput_month, "snapshot_gb_month": _snapshot_gb_month,
    "nat_hourly": _nat_hourly, "nat_gb": _nat_gb, "eip_hourly": _eip_hourly, "rds_hourly": _rds_hourly,
    "rds_storage_gb_month": _rds_storage_gb_month, "rds_snapshot_gb_month": _rds_snapshot_gb_month,
    "lambda_gb_second": _lambda_gb_second, "lambda_request": _lambda_request, "s3_gb_month": _s3_gb_month,
}
"""Price method -> its GetProducts question, given the region and the key's other arguments."""
