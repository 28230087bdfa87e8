"""List prices from the AWS Pricing API (GetProducts with the full SKU filter), cached on disk.

Every `PriceBook` price has a GetProducts question here (`sku_for(key)`, keys from `tools.pricing.quotes`):

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

The answer (`PriceList`, a list of JSON strings) is read down `terms.OnDemand.*.priceDimensions.*.pricePerUnit.USD`,
first tier (`beginRange` 0). A quote's `source` is "AWS Pricing API <publication date>: <what> (<service>
<filters>; sku <sku>)". Quotes are cached 7 days on disk (`CACHE_FILE`, one per endpoint: the caller picks the
directory). The first failure of a factory's Pricing API (AccessDenied, no network, an endpoint without the
service) is remembered (`unavailable_reason`) and the API is not asked again through that factory.
"""

from __future__ import annotations

import json
import logging
import threading
import weakref
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from tools.models import PriceQuote
from tools.pricing.book import LINUX, PriceBook, PriceNotFound
from tools.pricing.quotes import call_of, key_of

log = logging.getLogger(__name__)

API_SOURCE = "AWS Pricing API"
CACHE_TTL = timedelta(days=7)
CACHE_FILE = "pricing/list-prices.json"
MAX_PAGES = 3

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

_UNITS = {"hour": ("Hrs", "Hours", "hours", "hour"), "GB-month": ("GB-Mo", "GB-month"),
          "IOPS-month": ("IOPS-Mo", "IOPS-month"), "MiBps-month": ("MiBps-Mo", "GiBps-mo", "GiBps-Mo"),
          "GB": ("GB", "Quantity"), "GB-second": ("Lambda-GB-Second", "GB-Second", "Second"),
          "request": ("Requests", "Request")}
_SCALE = {"GiBps-mo": Decimal(1) / 1024, "GiBps-Mo": Decimal(1) / 1024}
"""Dimension units priced per GiB/s: the quote is per MiB/s."""

_unreachable: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
"""Factories whose Pricing API failed, with the error code (AccessDenied, a 500, a timeout ...)."""
_lock = threading.Lock()


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


class _NoPrice(Exception):
    """The API answered but had no usable on-demand price for this key."""


def sku_for(key: str) -> Sku:
    """The GetProducts question a price key asks. `PriceNotFound` for keys the API cannot price (unknown engine)."""
    method, args = call_of(key)
    region = str(args[0])
    where = {"regionCode": region}
    if method == "ec2_hourly":
        instance_type, operation = str(args[1]), str(args[2])
        if operation not in EC2_OPERATIONS:
            raise PriceNotFound(f"EC2 operation {operation!r} has no Pricing API mapping")
        os_name, software, label = EC2_OPERATIONS[operation]
        filters = {"instanceType": instance_type, **where, "operatingSystem": os_name, "tenancy": "Shared",
                   "preInstalledSw": software, "capacitystatus": "Used", "marketoption": "OnDemand",
                   "operation": operation}
        if operation == LINUX:
            filters["licenseModel"] = "No License required"
        return Sku("AmazonEC2", filters, "hour", f"{region} {instance_type} {label} on-demand")
    if method == "ebs_gb_month":
        volume = str(args[1])
        return Sku("AmazonEC2", {"productFamily": "Storage", "volumeApiName": volume, **where}, "GB-month",
                   f"{region} EBS {volume} storage")
    if method == "ebs_iops_month":
        volume = str(args[1])
        if volume not in EBS_IOPS:
            raise PriceNotFound(f"EBS {volume!r} has no provisioned IOPS price")
        return Sku("AmazonEC2", {"productFamily": "System Operation", "volumeApiName": volume, **where},
                   "IOPS-month", f"{region} EBS {volume} provisioned IOPS", usagetype=EBS_IOPS[volume])
    if method == "ebs_throughput_month":
        volume = str(args[1])
        return Sku("AmazonEC2", {"productFamily": "Provisioned Throughput", "volumeApiName": volume, **where},
                   "MiBps-month", f"{region} EBS {volume} provisioned throughput",
                   usagetype=f"EBS:VolumeP-Throughput.{volume}")
    if method == "snapshot_gb_month":
        tier = str(args[1])
        usage = {"standard": "EBS:SnapshotUsage", "archive": "EBS:SnapshotArchiveStorage"}.get(tier)
        if usage is None:
            raise PriceNotFound(f"EBS snapshot tier {tier!r} is not 'standard' or 'archive'")
        return Sku("AmazonEC2", {"productFamily": "Storage Snapshot", **where}, "GB-month",
                   f"{region} EBS snapshot {tier}", usagetype=usage)
    if method in ("nat_hourly", "nat_gb"):
        hourly = method == "nat_hourly"
        return Sku("AmazonEC2", {"productFamily": "NAT Gateway", **where}, "hour" if hourly else "GB",
                   f"{region} NAT gateway {'hour' if hourly else 'data processed'}",
                   usagetype="NatGateway-Hours" if hourly else "NatGateway-Bytes")
    if method == "eip_hourly":
        state = str(args[1])
        usage = {"idle": "PublicIPv4:IdleAddress", "in-use": "PublicIPv4:InUseAddress"}.get(state)
        if usage is None:
            raise PriceNotFound(f"public IPv4 state {state!r} is not 'idle' or 'in-use'")
        return Sku("AmazonVPC", {"group": "VPCPublicIPv4Address", **where}, "hour",
                   f"{region} public IPv4 address" + (" in use" if state == "in-use" else ""), usagetype=usage)
    if method == "rds_hourly":
        instance_class, engine, multi_az = str(args[1]), str(args[2]), bool(args[3])
        attributes = RDS_ENGINES.get(engine.lower())
        if attributes is None:
            raise PriceNotFound(f"RDS engine {engine!r} has no Pricing API mapping")
        deployment = "Multi-AZ" if multi_az else "Single-AZ"
        filters = {"productFamily": "Database Instance", "instanceType": instance_class, **where, **attributes,
                   "deploymentOption": deployment}
        return Sku("AmazonRDS", filters, "hour", f"{region} {instance_class} {engine} {deployment} on-demand")
    if method == "rds_storage_gb_month":
        storage, multi_az = str(args[1]), bool(args[2])
        if storage not in RDS_STORAGE:
            raise PriceNotFound(f"RDS storage type {storage!r} has no Pricing API mapping")
        deployment = "Multi-AZ" if multi_az else "Single-AZ"
        return Sku("AmazonRDS", {"productFamily": "Database Storage", **where, "deploymentOption": deployment},
                   "GB-month", f"{region} RDS {storage} storage {deployment}",
                   usagetype=f"RDS:{'Multi-AZ-' if multi_az else ''}{RDS_STORAGE[storage]}",
                   prefer={"databaseEngine": "Any"})
    if method == "rds_snapshot_gb_month":
        return Sku("AmazonRDS", {"productFamily": "Storage Snapshot", **where}, "GB-month",
                   f"{region} RDS snapshot (beyond free backup)", usagetype="RDS:ChargedBackupUsage")
    if method == "lambda_gb_second":
        arm = str(args[1]) == "arm64"
        return Sku("AWSLambda", {"group": "AWS-Lambda-Duration-ARM" if arm else "AWS-Lambda-Duration", **where},
                   "GB-second", f"{region} Lambda {args[1]} duration",
                   usagetype="Lambda-GB-Second-ARM" if arm else "Lambda-GB-Second")
    if method == "lambda_request":
        return Sku("AWSLambda", {"group": "AWS-Lambda-Requests", **where}, "request", f"{region} Lambda requests",
                   usagetype="Request")
    if method == "s3_gb_month":
        storage_class = str(args[1])
        if storage_class not in S3_CLASSES:
            raise PriceNotFound(f"S3 storage class {storage_class!r} has no Pricing API mapping")
        return Sku("AmazonS3", {"productFamily": "Storage", "volumeType": S3_CLASSES[storage_class], **where},
                   "GB-month", f"{region} S3 {storage_class} storage")
    raise PriceNotFound(f"no Pricing API question for {key!r}")


# ---------------------------------------------------------------- asking

def fetch_price(factory: Any, key: str, *, cache_dir: Path | None = None,
                today: date | None = None) -> PriceQuote | None:
    """The Pricing API's quote for a price key: the disk cache, else GetProducts.

    None when the API has no price for it, or cannot be asked (then `unavailable_reason(factory)` says why).
    `factory` is a `ClientFactory` (anything with `.client(service)` and `.settings.data_dir`).
    """
    today = today or date.today()
    try:
        sku = sku_for(key)
    except PriceNotFound as exc:
        log.info("no Pricing API question for %s (%s)", key, exc)
        return None
    path = (cache_dir or Path(factory.settings.data_dir)) / CACHE_FILE
    cached = _read_cache(path).get(key)
    if cached and date.fromisoformat(cached["fetched"]) + CACHE_TTL > today:
        return PriceQuote(unit_price=float(Decimal(cached["price"])), unit=cached["unit"],
                          effective_date=date.fromisoformat(cached["published"]), source=cached["source"])
    if factory in _unreachable:
        return None
    try:
        quote = ask(factory, sku)
    except (BotoCoreError, ClientError) as exc:
        code = exc.response.get("Error", {}).get("Code", "") if isinstance(exc, ClientError) else ""
        log.info("AWS Pricing API unavailable (%s); using the price book", code or type(exc).__name__)
        _unreachable[factory] = str(code or type(exc).__name__)
        return None
    except _NoPrice as exc:
        log.info("AWS Pricing API has no price for %s (%s); using the price book", key, exc)
        return None
    _write_cache(path, key, {"price": str(Decimal(str(quote.unit_price)).normalize()), "unit": quote.unit,
                             "published": (quote.effective_date or today).isoformat(), "source": quote.source,
                             "fetched": today.isoformat()})
    return quote


def fetch_ec2_price(factory: Any, region: str, instance_type: str, *, operation: str = LINUX,
                    cache_dir: Path | None = None, book: PriceBook | None = None,
                    today: date | None = None) -> PriceQuote:
    """On-demand hourly price of a type for a billing operation: disk cache, else the Pricing API, else the book.

    Raises `PriceNotFound` only when neither the API nor the book knows it (the book has Linux prices only).
    """
    quote = fetch_price(factory, key_of("ec2_hourly", region, instance_type, operation), cache_dir=cache_dir,
                        today=today)
    if quote is not None:
        return quote
    return (book or PriceBook.load()).ec2_hourly(region, instance_type, operation)


def unavailable_reason(factory: Any) -> str | None:
    """Why the Pricing API failed for this factory (its error code), or None when it has not failed."""
    return _unreachable.get(factory)


def ask(factory: Any, sku: Sku) -> PriceQuote:
    """One GetProducts question (following NextToken up to `MAX_PAGES` pages) -> the quote. `_NoPrice` if none."""
    client = factory.client("pricing")
    filters = [{"Type": "TERM_MATCH", "Field": name, "Value": value} for name, value in sku.filters.items()]
    products: list[dict[str, Any]] = []
    token: str | None = None
    for _ in range(MAX_PAGES):
        request: dict[str, Any] = {"ServiceCode": sku.service, "Filters": filters, "FormatVersion": "aws_v1",
                                   "MaxResults": 100}
        if token:
            request["NextToken"] = token
        answer = client.get_products(**request)
        products += [json.loads(raw) if isinstance(raw, str) else raw for raw in answer.get("PriceList", [])]
        token = answer.get("NextToken")
        if not token:
            break
    found = pick(products, sku)
    if found is None:
        raise _NoPrice(f"{len(products)} products, none with an on-demand USD price in {sku.unit}")
    price, published, sku_id = found
    return PriceQuote(unit_price=float(price), unit=sku.unit, effective_date=date.fromisoformat(published),
                      source=f"{API_SOURCE} {published}: {sku.what} ({sku.describe(sku_id)})")


def pick(products: list[dict[str, Any]], sku: Sku) -> tuple[Decimal, str, str] | None:
    """(price, publication date, SKU id) of the product answering `sku`: its usagetype (region prefix aside) and
    preferred attributes, then the lowest SKU id; the first-tier on-demand USD price in the wanted unit."""
    candidates = []
    for product in products:
        attributes = product.get("product", {}).get("attributes", {})
        usagetype = str(attributes.get("usagetype", ""))
        if sku.usagetype and not (usagetype == sku.usagetype or usagetype.endswith("-" + sku.usagetype)):
            continue
        found = on_demand_price(product, sku.unit)
        if found is None:
            continue
        misses = sum(1 for name, value in sku.prefer.items() if attributes.get(name) != value)
        sku_id = str(product.get("product", {}).get("sku", ""))
        candidates.append((misses, sku_id, found))
    if not candidates:
        return None
    _, sku_id, (price, published) = min(candidates, key=lambda c: (c[0], c[1]))
    return price, published, sku_id


def on_demand_price(product: dict[str, Any], unit: str) -> tuple[Decimal, str] | None:
    """The first paid tier's USD on-demand price of a product in `unit` (the non-zero dimension with the lowest
    beginRange: a free first tier is skipped), with the product's publication date."""
    published = str(product.get("publicationDate", ""))[:10] or date.today().isoformat()
    accepted = _UNITS.get(unit, (unit,))
    tiers: list[tuple[Decimal, Decimal]] = []
    for term in product.get("terms", {}).get("OnDemand", {}).values():
        for dimension in term.get("priceDimensions", {}).values():
            dim_unit = str(dimension.get("unit", ""))
            if dim_unit not in accepted:
                continue
            try:
                price = Decimal(str(dimension["pricePerUnit"]["USD"]))
                begin = Decimal(str(dimension.get("beginRange", "0")))
            except (KeyError, InvalidOperation):
                continue
            if price > 0:
                tiers.append((begin, (price * _SCALE.get(dim_unit, Decimal(1))).normalize()))
    if not tiers:
        return None
    return min(tiers)[1], published


# ---------------------------------------------------------------- the disk cache

def _read_cache(path: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(path: Path, key: str, entry: dict[str, str]) -> None:
    with _lock:
        data = _read_cache(path)
        data[key] = entry
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:  # a read-only data directory must not fail a price lookup
            log.warning("could not write the pricing cache %s: %s", path, exc)
