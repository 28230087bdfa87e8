"""The Pricing API path: the full SKU filter per service (tools/aws/pricing_skus.py), real-shaped GetProducts
answers, the disk cache, the silent fallback. A loopback server speaks GetProducts (tests/pricing_stub.py); moto has
no Pricing API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws
from pricing_stub import catalogue_answer, ebs_product, ec2_product, priced, serve_pricing, usage_product

from tools.aws.clients import ClientFactory
from tools.aws.pricing_api import CACHE_FILE, fetch_ec2_price, fetch_price, on_demand_price, pick, unavailable_reason
from tools.aws.pricing_skus import Sku, sku_for
from tools.pricing.book import PriceNotFound
from tools.settings import load_settings

BOOK = "price book 2026-07-20 (Karpenter AWS provider pricing table, from the AWS Pricing API)"
LINUX_FILTER = {"operatingSystem": "Linux", "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used",
                "marketoption": "OnDemand", "operation": "RunInstances", "licenseModel": "No License required"}


def _recorded_windows_sql_web() -> dict[str, Any]:
    """The product recorded at https://pastebin.com/dDPvRHxE, as it was (plus the regionCode attribute AWS has
    added since): r5.large, EU (Ireland), Windows with SQL Web, RunInstances:0202, $0.301 per hour."""
    attributes = {
        "memory": "16 GiB", "vcpu": "2", "capacitystatus": "Used", "instanceType": "r5.large", "tenancy": "Shared",
        "usagetype": "EU-BoxUsage:r5.large", "locationType": "AWS Region", "storage": "EBS only",
        "normalizationSizeFactor": "4", "instanceFamily": "Memory optimized", "operatingSystem": "Windows",
        "servicecode": "AmazonEC2", "physicalProcessor": "Intel Xeon Platinum 8175", "clockSpeed": "3.1 GHz",
        "licenseModel": "No License required", "ecu": "9", "currentGeneration": "Yes", "preInstalledSw": "SQL Web",
        "networkPerformance": "10 Gigabit", "location": "EU (Ireland)", "regionCode": "eu-west-1",
        "servicename": "Amazon Elastic Compute Cloud", "processorArchitecture": "64-bit",
        "operation": "RunInstances:0202", "marketoption": "OnDemand",
    }
    return {
        "product": {"productFamily": "Compute Instance", "attributes": attributes, "sku": "24DS9B5WSU495P6V"},
        "serviceCode": "AmazonEC2",
        "terms": {"OnDemand": {"24DS9B5WSU495P6V.JRTCKXETXF": {
            "priceDimensions": {"24DS9B5WSU495P6V.JRTCKXETXF.6YS6EN2CT7": {
                "unit": "Hrs", "endRange": "Inf",
                "description": "$0.301 per On Demand Windows with SQL Web r5.large Instance Hour", "appliesTo": [],
                "rateCode": "24DS9B5WSU495P6V.JRTCKXETXF.6YS6EN2CT7", "beginRange": "0",
                "pricePerUnit": {"USD": "0.3010000000"}}},
            "sku": "24DS9B5WSU495P6V", "effectiveDate": "2019-06-01T00:00:00Z", "offerTermCode": "JRTCKXETXF",
            "termAttributes": {}}}},
        "version": "20190703203151",
        "publicationDate": "2019-07-03T20:31:51Z",
    }


def _windows(instance_type: str, usd: str, sku: str, operation: str = "RunInstances:0002",
             license_model: str = "No License required") -> dict[str, Any]:
    item = ec2_product(instance_type, "eu-west-1", usd, operating_system="Windows", operation=operation, sku=sku)
    item["product"]["attributes"]["licenseModel"] = license_model
    return item


def _unused_reservation(instance_type: str) -> dict[str, Any]:
    item = ec2_product(instance_type, "eu-west-1", "0.1070000000", sku="UNUSED")
    item["product"]["attributes"]["capacitystatus"] = "UnusedCapacityReservation"
    return item


CATALOGUE = [
    # EC2: the Linux SKU among look-alikes (an unused-reservation SKU, Windows license-included and BYOL)
    ec2_product("m5.large", "eu-west-1", "0.1070000000", sku="LINUX"),
    _unused_reservation("m5.large"),
    _windows("m5.large", "0.2030000000", "WINLI"),
    _windows("m5.large", "0.1070000000", "WINBYOL", "RunInstances:0800", "Bring your own license"),
    _recorded_windows_sql_web(),
    # EBS storage (the aws-cli example's shape) and IOPS / throughput
    ebs_product("io1", "ap-southeast-1", "0.1380000000", "APS1-EBS:VolumeUsage.piops"),
    ebs_product("gp3", "us-east-1", "0.0800000000", "EBS:VolumeUsage.gp3", sku="GP3STORAGE"),
    usage_product("GP3IOPS", "AmazonEC2", "System Operation", "EBS:VolumeP-IOPS.gp3", "us-east-1", "IOPS-Mo",
                  "0.0050000000", volumeApiName="gp3", group="EBS IOPS"),
    usage_product("IO2T2", "AmazonEC2", "System Operation", "EBS:VolumeP-IOPS.io2.tier2", "us-east-1", "IOPS-Mo",
                  "0.0455000000", volumeApiName="io2", group="EBS IOPS"),
    usage_product("IO2T1", "AmazonEC2", "System Operation", "EBS:VolumeP-IOPS.io2", "us-east-1", "IOPS-Mo",
                  "0.0650000000", volumeApiName="io2", group="EBS IOPS"),
    usage_product("GP3TPUT", "AmazonEC2", "Provisioned Throughput", "EBS:VolumeP-Throughput.gp3", "us-east-1",
                  "GiBps-mo", "40.9600000000", volumeApiName="gp3"),
    # EBS snapshots, eu-west-2: several Storage Snapshot rows, told apart by usagetype
    usage_product("SNAPUB", "AmazonEC2", "Storage Snapshot", "EUW2-EBS:SnapshotUsageUnderBilling", "eu-west-2",
                  "GB-Mo", "0.0530000000"),
    usage_product("SNAPARCH", "AmazonEC2", "Storage Snapshot", "EUW2-EBS:SnapshotArchiveStorage", "eu-west-2",
                  "GB-Mo", "0.0132500000"),
    usage_product("SNAPSTD", "AmazonEC2", "Storage Snapshot", "EUW2-EBS:SnapshotUsage", "eu-west-2", "GB-Mo",
                  "0.0530000000"),
    # NAT gateway: us-east-1 SKUs; eu-west-2 with a regional NAT gateway row that must not be taken
    usage_product("M2YSHUBETB3JX4M4", "AmazonEC2", "NAT Gateway", "NatGateway-Hours", "us-east-1", "Hrs",
                  "0.0450000000"),
    usage_product("59S5R83GFPUAGVR5", "AmazonEC2", "NAT Gateway", "NatGateway-Bytes", "us-east-1", "GB",
                  "0.0450000000"),
    usage_product("EUW2REGNAT", "AmazonEC2", "NAT Gateway", "EUW2-RegionalNatGateway-Hours", "eu-west-2", "Hrs",
                  "0.0700000000"),
    usage_product("EUW2NAT", "AmazonEC2", "NAT Gateway", "EUW2-NatGateway-Hours", "eu-west-2", "Hrs",
                  "0.0500000000"),
    # Public IPv4 (AmazonVPC since February 2024)
    usage_product("4GQUNXTFWVSGPUZK", "AmazonVPC", "VPC Public IPv4 Address", "USE1-PublicIPv4:InUseAddress",
                  "us-east-1", "Hrs", "0.0050000000", group="VPCPublicIPv4Address"),
    usage_product("T6YDQKTMVWKNJFJ8", "AmazonVPC", "VPC Public IPv4 Address", "USE1-PublicIPv4:IdleAddress",
                  "us-east-1", "Hrs", "0.0050000000", group="VPCPublicIPv4Address"),
    # Lambda: duration is tiered; requests
    priced("LAMBDAX86", "AWSLambda", "Serverless", {"usagetype": "Lambda-GB-Second", "regionCode": "us-east-1",
                                                     "group": "AWS-Lambda-Duration"}, "Lambda-GB-Second", "",
           tiers=[("15000000000", "Inf", "0.0000133334"), ("0", "6000000000", "0.0000166667"),
                  ("6000000000", "15000000000", "0.0000150000")]),
    priced("LAMBDAARM", "AWSLambda", "Serverless", {"usagetype": "Lambda-GB-Second-ARM", "regionCode": "us-east-1",
                                                     "group": "AWS-Lambda-Duration-ARM"}, "Lambda-GB-Second", "",
           tiers=[("0", "7500000000", "0.0000133334"), ("7500000000", "Inf", "0.0000120001")]),
    usage_product("GU2ZS9HVP6QTQ7KE", "AWSLambda", "Serverless", "Request", "us-east-1", "Requests",
                  "0.0000002000", group="AWS-Lambda-Requests"),
    # S3 storage, tiered
    priced("S3STD", "AmazonS3", "Storage", {"usagetype": "TimedStorage-ByteHrs", "regionCode": "us-east-1",
                                            "volumeType": "Standard", "storageClass": "General Purpose"}, "GB-Mo", "",
           tiers=[("0", "51200", "0.0230000000"), ("51200", "512000", "0.0220000000"),
                  ("512000", "Inf", "0.0210000000")]),
    usage_product("S3GLACIER", "AmazonS3", "Storage", "TimedStorage-GlacierByteHrs", "us-east-1", "GB-Mo",
                  "0.0036000000", volumeType="Amazon Glacier"),
    # RDS
    usage_product("PGSINGLE", "AmazonRDS", "Database Instance", "InstanceUsage:db.m5.large", "us-east-1", "Hrs",
                  "0.1780000000", instanceType="db.m5.large", databaseEngine="PostgreSQL",
                  deploymentOption="Single-AZ", licenseModel="No license required", operation="CreateDBInstance:0014"),
    usage_product("PGMULTI", "AmazonRDS", "Database Instance", "Multi-AZUsage:db.m5.large", "us-east-1", "Hrs",
                  "0.3560000000", instanceType="db.m5.large", databaseEngine="PostgreSQL",
                  deploymentOption="Multi-AZ", licenseModel="No license required", operation="CreateDBInstance:0014"),
    usage_product("PGREADABLE", "AmazonRDS", "Database Instance", "Multi-AZClusterUsage:db.m5.large", "us-east-1",
                  "Hrs", "0.5340000000", instanceType="db.m5.large", databaseEngine="PostgreSQL",
                  deploymentOption="Multi-AZ (readable standbys)", licenseModel="No license required"),
    usage_product("GP3SQL", "AmazonRDS", "Database Storage", "RDS:GP3-Storage", "us-east-1", "GB-Mo", "0.1380000000",
                  deploymentOption="Single-AZ", databaseEngine="SQL Server"),
    usage_product("GP3ANY", "AmazonRDS", "Database Storage", "RDS:GP3-Storage", "us-east-1", "GB-Mo", "0.1150000000",
                  deploymentOption="Single-AZ", databaseEngine="Any"),
    usage_product("AURORABAK", "AmazonRDS", "Storage Snapshot", "Aurora:BackupUsage", "us-east-1", "GB-Mo",
                  "0.0210000000"),
    usage_product("RDSBAK", "AmazonRDS", "Storage Snapshot", "RDS:ChargedBackupUsage", "us-east-1", "GB-Mo",
                  "0.0950000000"),
]


@pytest.fixture
def pricing_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    with serve_pricing(catalogue_answer(CATALOGUE)) as (url, requests):
        monkeypatch.setenv("AWS_ENDPOINT_URL_PRICING", url)
        yield requests


def _filters(request: dict[str, Any]) -> dict[str, str]:
    assert all(f["Type"] == "TERM_MATCH" for f in request["Filters"])
    return {f["Field"]: f["Value"] for f in request["Filters"]}


def test_linux_price_is_used_and_cached(pricing_server: list[dict[str, Any]], tmp_path: Path) -> None:
    factory = ClientFactory(load_settings())
    quote = fetch_ec2_price(factory, "eu-west-1", "m5.large", cache_dir=tmp_path, today=date(2026, 11, 24))
    assert (quote.unit_price, quote.unit, quote.effective_date) == (0.107, "hour", date(2026, 11, 5))
    assert quote.source == (
        "AWS Pricing API 2026-11-05: eu-west-1 m5.large Linux on-demand (AmazonEC2 instanceType=m5.large, "
        "regionCode=eu-west-1, operatingSystem=Linux, tenancy=Shared, preInstalledSw=NA, capacitystatus=Used, "
        "marketoption=OnDemand, operation=RunInstances, licenseModel=No License required; sku LINUX)")
    assert len(pricing_server) == 1
    assert pricing_server[0]["target"] == "AWSPriceListService.GetProducts"
    assert (pricing_server[0]["ServiceCode"], pricing_server[0]["FormatVersion"]) == ("AmazonEC2", "aws_v1")
    assert _filters(pricing_server[0]) == {"instanceType": "m5.large", "regionCode": "eu-west-1", **LINUX_FILTER}
    assert factory.ledger.count(service="pricing", operation="GetProducts") == 1

    again = fetch_ec2_price(factory, "eu-west-1", "m5.large", cache_dir=tmp_path, today=date(2026, 11, 30))
    assert again == quote
    assert len(pricing_server) == 1  # served from the disk cache
    cache = json.loads((tmp_path / CACHE_FILE).read_text())
    assert cache == {"ec2_hourly|eu-west-1|m5.large|RunInstances": {
        "fetched": "2026-11-24", "price": "0.107", "published": "2026-11-05", "source": quote.source,
        "unit": "hour"}}

    stale = fetch_ec2_price(factory, "eu-west-1", "m5.large", cache_dir=tmp_path, today=date(2026, 12, 1))
    assert stale.unit_price == 0.107
    assert len(pricing_server) == 2  # 7-day cache expired


def test_windows_is_asked_by_operation(pricing_server: list[dict[str, Any]], tmp_path: Path) -> None:
    factory = ClientFactory(load_settings())
    windows = fetch_ec2_price(factory, "eu-west-1", "m5.large", operation="RunInstances:0002", cache_dir=tmp_path)
    assert windows.unit_price == 0.203  # license included: not the BYOL SKU (0800), not Linux
    assert windows.source.startswith("AWS Pricing API 2026-11-05: eu-west-1 m5.large Windows on-demand (AmazonEC2 ")
    assert windows.source.endswith("operation=RunInstances:0002; sku WINLI)")
    assert _filters(pricing_server[0]) == {
        "instanceType": "m5.large", "regionCode": "eu-west-1", "operatingSystem": "Windows", "tenancy": "Shared",
        "preInstalledSw": "NA", "capacitystatus": "Used", "marketoption": "OnDemand",
        "operation": "RunInstances:0002"}  # licenseModel: Windows SKUs say "No License required" too


def test_the_recorded_windows_sql_web_answer(pricing_server: list[dict[str, Any]], tmp_path: Path) -> None:
    factory = ClientFactory(load_settings())
    quote = fetch_ec2_price(factory, "eu-west-1", "r5.large", operation="RunInstances:0202", cache_dir=tmp_path)
    assert (quote.unit_price, quote.effective_date) == (0.301, date(2019, 7, 3))
    assert quote.source.startswith("AWS Pricing API 2019-07-03: eu-west-1 r5.large Windows with SQL Server Web "
                                   "on-demand (AmazonEC2 ")
    assert "preInstalledSw=SQL Web" in quote.source and quote.source.endswith("; sku 24DS9B5WSU495P6V)")


def test_what_the_api_lacks_is_the_book_s(pricing_server: list[dict[str, Any]], tmp_path: Path) -> None:
    factory = ClientFactory(load_settings())
    quote = fetch_ec2_price(factory, "us-east-1", "c5.large", cache_dir=tmp_path)
    assert (quote.unit_price, quote.source) == (0.085, f"{BOOK}: us-east-1 c5.large Linux on-demand")
    with pytest.raises(PriceNotFound, match="RunInstances:0010"):  # RHEL: the book has Linux prices only
        fetch_ec2_price(factory, "us-east-1", "c5.large", operation="RunInstances:0010", cache_dir=tmp_path)
    assert len(pricing_server) == 2 and unavailable_reason(factory) is None
    assert not (tmp_path / CACHE_FILE).exists()


@pytest.mark.parametrize(("key", "price", "unit", "service", "filters", "sku"), [
    ("ebs_gb_month|us-east-1|gp3", 0.08, "GB-month", "AmazonEC2",
     {"productFamily": "Storage", "volumeApiName": "gp3", "regionCode": "us-east-1"}, "GP3STORAGE"),
    ("ebs_gb_month|ap-southeast-1|io1", 0.138, "GB-month", "AmazonEC2",
     {"productFamily": "Storage", "volumeApiName": "io1", "regionCode": "ap-southeast-1"}, "3MKHN58N7RDDVGKJ"),
    ("ebs_iops_month|us-east-1|gp3", 0.005, "IOPS-month", "AmazonEC2",
     {"productFamily": "System Operation", "volumeApiName": "gp3", "regionCode": "us-east-1"}, "GP3IOPS"),
    ("ebs_iops_month|us-east-1|io2", 0.065, "IOPS-month", "AmazonEC2",
     {"productFamily": "System Operation", "volumeApiName": "io2", "regionCode": "us-east-1"}, "IO2T1"),
    ("ebs_throughput_month|us-east-1|gp3", 0.04, "MiBps-month", "AmazonEC2",
     {"productFamily": "Provisioned Throughput", "volumeApiName": "gp3", "regionCode": "us-east-1"}, "GP3TPUT"),
    ("snapshot_gb_month|eu-west-2|standard", 0.053, "GB-month", "AmazonEC2",
     {"productFamily": "Storage Snapshot", "regionCode": "eu-west-2"}, "SNAPSTD"),
    ("snapshot_gb_month|eu-west-2|archive", 0.01325, "GB-month", "AmazonEC2",
     {"productFamily": "Storage Snapshot", "regionCode": "eu-west-2"}, "SNAPARCH"),
    ("nat_hourly|us-east-1", 0.045, "hour", "AmazonEC2",
     {"productFamily": "NAT Gateway", "regionCode": "us-east-1"}, "M2YSHUBETB3JX4M4"),
    ("nat_hourly|eu-west-2", 0.05, "hour", "AmazonEC2",
     {"productFamily": "NAT Gateway", "regionCode": "eu-west-2"}, "EUW2NAT"),
    ("nat_gb|us-east-1", 0.045, "GB", "AmazonEC2",
     {"productFamily": "NAT Gateway", "regionCode": "us-east-1"}, "59S5R83GFPUAGVR5"),
    ("eip_hourly|us-east-1|idle", 0.005, "hour", "AmazonVPC",
     {"group": "VPCPublicIPv4Address", "regionCode": "us-east-1"}, "T6YDQKTMVWKNJFJ8"),
    ("eip_hourly|us-east-1|in-use", 0.005, "hour", "AmazonVPC",
     {"group": "VPCPublicIPv4Address", "regionCode": "us-east-1"}, "4GQUNXTFWVSGPUZK"),
    ("lambda_gb_second|us-east-1|x86_64", 0.0000166667, "GB-second", "AWSLambda",
     {"group": "AWS-Lambda-Duration", "regionCode": "us-east-1"}, "LAMBDAX86"),
    ("lambda_gb_second|us-east-1|arm64", 0.0000133334, "GB-second", "AWSLambda",
     {"group": "AWS-Lambda-Duration-ARM", "regionCode": "us-east-1"}, "LAMBDAARM"),
    ("lambda_request|us-east-1", 0.0000002, "request", "AWSLambda",
     {"group": "AWS-Lambda-Requests", "regionCode": "us-east-1"}, "GU2ZS9HVP6QTQ7KE"),
    ("s3_gb_month|us-east-1|STANDARD", 0.023, "GB-month", "AmazonS3",
     {"productFamily": "Storage", "volumeType": "Standard", "regionCode": "us-east-1"}, "S3STD"),
    ("s3_gb_month|us-east-1|GLACIER", 0.0036, "GB-month", "AmazonS3",
     {"productFamily": "Storage", "volumeType": "Amazon Glacier", "regionCode": "us-east-1"}, "S3GLACIER"),
    ("rds_hourly|us-east-1|db.m5.large|postgres|single-az", 0.178, "hour", "AmazonRDS",
     {"productFamily": "Database Instance", "instanceType": "db.m5.large", "regionCode": "us-east-1",
      "databaseEngine": "PostgreSQL", "licenseModel": "No license required", "deploymentOption": "Single-AZ"},
     "PGSINGLE"),
    ("rds_hourly|us-east-1|db.m5.large|postgres|multi-az", 0.356, "hour", "AmazonRDS",
     {"productFamily": "Database Instance", "instanceType": "db.m5.large", "regionCode": "us-east-1",
      "databaseEngine": "PostgreSQL", "licenseModel": "No license required", "deploymentOption": "Multi-AZ"},
     "PGMULTI"),
    ("rds_storage_gb_month|us-east-1|gp3|single-az", 0.115, "GB-month", "AmazonRDS",
     {"productFamily": "Database Storage", "regionCode": "us-east-1", "deploymentOption": "Single-AZ"}, "GP3ANY"),
    ("rds_snapshot_gb_month|us-east-1", 0.095, "GB-month", "AmazonRDS",
     {"productFamily": "Storage Snapshot", "regionCode": "us-east-1"}, "RDSBAK"),
])
def test_every_service_is_asked_with_its_sku_filter(pricing_server: list[dict[str, Any]], tmp_path: Path, key: str,
                                                     price: float, unit: str, service: str, filters: dict[str, str],
                                                     sku: str) -> None:
    factory = ClientFactory(load_settings())
    quote = fetch_price(factory, key, cache_dir=tmp_path)
    assert quote is not None
    assert (Decimal(str(quote.unit_price)), quote.unit) == (Decimal(str(price)), unit)
    assert quote.source.startswith("AWS Pricing API 2026-11-05: ")
    assert quote.source.endswith(f"; sku {sku})")
    assert (pricing_server[0]["ServiceCode"], _filters(pricing_server[0])) == (service, filters)
    assert factory.ledger.count(service="pricing", operation="GetProducts") == 1


def test_keys_the_api_cannot_price(pricing_server: list[dict[str, Any]], tmp_path: Path) -> None:
    factory = ClientFactory(load_settings())
    assert fetch_price(factory, "rds_hourly|us-east-1|db.m5.large|db2-se|single-az", cache_dir=tmp_path) is None
    assert fetch_price(factory, "ec2_hourly|us-east-1|m5.large|RunInstances:9999", cache_dir=tmp_path) is None
    assert fetch_price(factory, "s3_gb_month|us-east-1|EXPRESS_ONEZONE", cache_dir=tmp_path) is None
    assert pricing_server == []  # nothing to ask
    with pytest.raises(PriceNotFound):
        sku_for("snapshot_gb_month|us-east-1|cold")


def test_moto_without_pricing_degrades_to_the_book_once(tmp_path: Path) -> None:
    with mock_aws():
        factory = ClientFactory(load_settings())
        first = fetch_ec2_price(factory, "us-east-1", "m5.large", cache_dir=tmp_path)
        second = fetch_ec2_price(factory, "eu-west-1", "m5.large", cache_dir=tmp_path)
        gp3 = fetch_price(factory, "ebs_gb_month|us-east-1|gp3", cache_dir=tmp_path)
    assert first.unit_price == 0.096
    assert first.source == f"{BOOK}: us-east-1 m5.large Linux on-demand"
    assert second.unit_price == 0.107
    assert gp3 is None and unavailable_reason(factory)
    assert factory.ledger.count(service="pricing") == 1  # not asked again after the first failure


def test_the_first_paid_tier_is_the_price() -> None:
    free_first = priced("T", "AWSLambda", "Serverless", {"usagetype": "Request"}, "Requests", "",
                        tiers=[("1000000", "Inf", "0.0000002000"), ("0", "1000000", "0.0000000000")])
    assert on_demand_price(free_first, "request") == (Decimal("2E-7"), "2026-11-05")
    assert on_demand_price(free_first, "hour") is None  # no dimension in that unit
    sku = Sku("AWSLambda", {}, "request", "x", usagetype="Request")
    assert pick([free_first], sku) == (Decimal("2E-7"), "2026-11-05", "T")
    assert pick([free_first], Sku("AWSLambda", {}, "request", "x", usagetype="Request-ARM")) is None
