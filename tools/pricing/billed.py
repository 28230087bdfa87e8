"""Prices at the rate the account is billed (docs/money.md), list prices where it has no usage to learn from.

`BilledPrices` answers every price-book question from the collection's `PriceSheet` first: the account's own
cost / usage quantity for the resource's usage type (and operation, which carries platform, engine and
licence), then the list quotes gathered during collection, then the packaged book. Pure: no network, no AWS
client; the analysis can call it freely.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tools.models import PriceQuote, PriceSheet, Resource
from tools.pricing.book import HOURS_PER_MONTH, PriceNotFound

REGION_CODES = {
    "us-east-1": "USE1", "us-east-2": "USE2", "us-west-1": "USW1", "us-west-2": "USW2", "af-south-1": "AFS1",
    "ap-east-1": "APE1", "ap-south-1": "APS3", "ap-south-2": "APS5", "ap-northeast-1": "APN1",
    "ap-northeast-2": "APN2", "ap-northeast-3": "APN3", "ap-southeast-1": "APS1", "ap-southeast-2": "APS2",
    "ap-southeast-3": "APS4", "ap-southeast-4": "APS6", "ap-southeast-5": "APS7", "ca-central-1": "CAN1",
    "ca-west-1": "CAW1", "eu-central-1": "EUC1", "eu-central-2": "EUC2", "eu-west-1": "EU", "eu-west-2": "EUW2",
    "eu-west-3": "EUW3", "eu-north-1": "EUN1", "eu-south-1": "EUS1", "eu-south-2": "EUS2", "me-south-1": "MES1",
    "me-central-1": "MEC1", "sa-east-1": "SAE1", "il-central-1": "ILC1", "mx-central-1": "MXC1",
    "us-gov-west-1": "UGW1", "us-gov-east-1": "UGE1",
}
"""Region -> the prefix Cost Explorer puts on its usage types ('EU-BoxUsage:m5.large'); us-east-1 may have none."""
_CODE_REGIONS = {code: region for region, code in REGION_CODES.items()}
PLATFORM_OPERATIONS = {
    "linux/unix": "RunInstances", "linux": "RunInstances", "": "RunInstances",
    "windows": "RunInstances:0002", "red hat enterprise linux": "RunInstances:0010",
    "suse linux": "RunInstances:000g", "windows with sql server standard": "RunInstances:0006",
    "windows with sql server enterprise": "RunInstances:0102", "windows with sql server web": "RunInstances:0202",
    "red hat enterprise linux with ha": "RunInstances:1010", "ubuntu pro": "RunInstances:0g00",
}
"""EC2 PlatformDetails -> the billing operation (what DescribeInstances' UsageOperation says on real accounts)."""
RDS_ENGINE_OPERATIONS = {
    "mysql": "CreateDBInstance:0002", "postgres": "CreateDBInstance:0014", "mariadb": "CreateDBInstance:0018",
    "aurora-mysql": "CreateDBInstance:0016", "aurora-postgresql": "CreateDBInstance:0021",
}
LINUX = "RunInstances"
HOURLY_UNITS = {"Hrs", "hours", "Hours", "hour"}
UNIT_NAMES = {"Hrs": "hour", "GB-Mo": "GB-month", "GB": "GB", "Requests": "request",
              "Lambda-GB-Second": "GB-second", "Second": "GB-second"}


def split_usage_type(usage_type: str) -> tuple[str, str]:
    """'EU-BoxUsage:m5.large' -> ('eu-west-1', 'BoxUsage:m5.large'); no known prefix -> us-east-1."""
    code, dash, rest = usage_type.partition("-")
    if dash and code in _CODE_REGIONS:
        return _CODE_REGIONS[code], rest
    return "us-east-1", usage_type


def instance_operation(resource: Resource) -> str:
    """The billing operation of an EC2 instance: UsageOperation when EC2 gave it, else from its platform."""
    given = str(resource.attributes.get("usage_operation") or "")
    if given:
        return given
    platform = str(resource.attributes.get("platform") or "").strip().lower()
    return PLATFORM_OPERATIONS.get(platform, LINUX if "linux" in platform and "red hat" not in platform else "?")


def _usd(value: Decimal, places: int = 4) -> str:
    return f"${value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,}"


@dataclass
class _Billed:
    cost: Decimal
    quantity: Decimal
    unit: str
    usage_types: set[str]


class BilledPrices:
    """A price book whose answers are the account's billed rates where it has usage, list or book otherwise."""

    def __init__(self, base: Any, sheet: PriceSheet | None = None) -> None:
        self.base = base
        self.sheet = sheet or PriceSheet()
        self._usage: dict[tuple[str, str, str], _Billed] = {}
        self._covered: dict[tuple[str, str], _Billed] = {}
        for row in self.sheet.billed:
            region, suffix = split_usage_type(row.usage_type)
            if row.record_type == "Usage":
                self._add(self._usage, (region, suffix, row.operation), row)
            else:
                self._add(self._covered, (region, suffix), row)
        self._operations: dict[tuple[str, str], set[str]] = defaultdict(set)
        for region, suffix, operation in self._usage:
            self._operations[(region, suffix)].add(operation)
        period = self.sheet.period
        self._hours = Decimal(((period.end - period.start).days + 1) * 24) if period else Decimal(0)

    @staticmethod
    def _add(index: dict[Any, _Billed], key: Any, row: Any) -> None:
        entry = index.setdefault(key, _Billed(Decimal(0), Decimal(0), row.unit, set()))
        entry.cost += Decimal(str(row.cost))
        entry.quantity += Decimal(str(row.quantity))
        entry.usage_types.add(row.usage_type)

    def __getattr__(self, name: str) -> Any:
        # Catalogue questions (instance_specs, family_types, regions ...) are the base book's.
        return getattr(self.base, name)

    # ------------------------------------------------------------------ billed lookups
    def _period_text(self) -> str:
        period = self.sheet.period
        return f"{period.start}..{period.end}" if period else "the lookback"

    def _quote(self, billed: _Billed, operation: str | None, unit: str) -> PriceQuote:
        rate = billed.cost / billed.quantity
        names = ", ".join(sorted(billed.usage_types)) + (f" {operation}" if operation else "")
        source = (f"billed: Cost Explorer {self._period_text()}, {names}: {_usd(billed.cost, 2)} / "
                  f"{billed.quantity.normalize():f} {billed.unit or unit} = {_usd(rate, 6)} per {unit}")
        return PriceQuote(unit_price=float(rate), unit=unit, source=source, basis="billed",
                          effective_date=self.sheet.period.end if self.sheet.period else None)

    def billed(self, region: str, suffix: str, operation: str | None = None, unit: str = "hour",
               single_operation_fallback: bool = False) -> PriceQuote | None:
        """The account's average rate for `suffix` (usage type without region prefix) in `region`.

        `operation` None sums every operation; otherwise that operation only, or (with the fallback) the only
        operation billed for that usage type when exactly one is."""
        operations = self._operations.get((region, suffix), set())
        if operation is not None and operation not in operations:
            if not (single_operation_fallback and len(operations) == 1):
                return None
            operation = next(iter(operations))
        chosen = operations if operation is None else {operation}
        total = _Billed(Decimal(0), Decimal(0), "", set())
        for op in chosen:
            entry = self._usage[(region, suffix, op)]
            total.cost += entry.cost
            total.quantity += entry.quantity
            total.unit = total.unit or entry.unit
            total.usage_types |= entry.usage_types
        if total.quantity <= 0:
            return None
        return self._quote(total, operation, unit)

    def _or_base(self, billed: PriceQuote | None, method: str, *args: Any) -> PriceQuote:
        if billed is not None:
            return billed
        quote: PriceQuote = getattr(self.base, method)(*args)
        return as_list_or_book(quote)

    # ------------------------------------------------------------------ EC2
    def instance_hourly(self, resource: Resource) -> PriceQuote:
        """What this instance costs per hour as billed: its usage type (spot, dedicated) and operation; the
        marginal rate when commitments cover part of that usage type. List/book only for Linux on-demand."""
        spot = str(resource.attributes.get("lifecycle") or "") == "spot"
        dedicated = str(resource.attributes.get("tenancy") or "default") == "dedicated"
        prefix = "SpotUsage" if spot else ("DedicatedUsage" if dedicated else "BoxUsage")
        suffix = f"{prefix}:{resource.resource_type}"
        operation = instance_operation(resource)
        on_demand = self.billed(resource.region, suffix, None if spot else operation)
        covered = None if spot else self._covered.get((resource.region, suffix))
        if on_demand is not None:
            return self._with_coverage(on_demand, resource.region, suffix, operation, covered)
        if covered is not None and covered.quantity > 0:
            quote = self._quote(covered, None, "hour")
            return quote.model_copy(update={
                "marginal_unit_price": 0.0, "covered_share": 1.0,
                "note": (f"every billed hour of {suffix} in {resource.region} was covered by Reserved Instances or "
                         "Savings Plans: removing this instance frees commitment but lowers the bill by nothing "
                         "until the commitment ends")})
        if spot:
            raise PriceNotFound(f"no spot usage of {resource.resource_type} billed in {resource.region} "
                                f"in {self._period_text()}")
        return self.list_hourly(resource.region, resource.resource_type, operation)

    def _with_coverage(self, quote: PriceQuote, region: str, suffix: str, operation: str,
                       covered: _Billed | None) -> PriceQuote:
        if covered is None or covered.quantity <= 0 or self._hours <= 0:
            return quote
        od_hours = self._usage[(region, suffix, operation)].quantity
        share = covered.quantity / (covered.quantity + od_hours)
        monthly_od_hours = od_hours * HOURS_PER_MONTH / self._hours
        fraction = min(Decimal(1), monthly_od_hours / HOURS_PER_MONTH)
        note = (f"{share * 100:.0f} % of {suffix} hours in {region} were covered by Reserved Instances or Savings "
                f"Plans; the bill drops by the on-demand rate while on-demand hours remain "
                f"({monthly_od_hours:.0f} h a month on demand)")
        return quote.model_copy(update={"covered_share": float(round(share, 4)), "note": note,
                                        "marginal_unit_price": float(Decimal(str(quote.unit_price)) * fraction)})

    def list_hourly(self, region: str, instance_type: str, operation: str = LINUX) -> PriceQuote:
        """List (or book) on-demand price of a type for an operation; the book knows Linux only."""
        try:
            quote = self.base.ec2_hourly(region, instance_type, operation=operation)
        except TypeError:  # a base without platforms: Linux prices only
            if operation != LINUX:
                raise PriceNotFound(f"no list price for {instance_type} {operation} in {region} "
                                    "(the price book has Linux prices only)") from None
            quote = self.base.ec2_hourly(region, instance_type)
        return as_list_or_book(quote)

    def ec2_hourly(self, region: str, instance_type: str, operation: str = LINUX) -> PriceQuote:
        return self.list_hourly(region, instance_type, operation)

    def target_hourly(self, resource: Resource, target_type: str, current: PriceQuote) -> PriceQuote:
        """The rate the account would pay for `target_type`: billed when it already runs that type on the same
        platform, else the current billed rate x list(target) / list(current) (its discount carries over). For a
        licence-included platform (Windows, RHEL ...) the licence is per vCPU and does not shrink with the Linux
        price: the target is its Linux list price plus the current licence per vCPU x its vCPUs."""
        operation = instance_operation(resource)
        billed = self.billed(resource.region, f"BoxUsage:{target_type}", operation)
        if billed is not None:
            return billed
        target_list = self.list_hourly(resource.region, target_type)
        if current.basis != "billed":
            return self.list_hourly(resource.region, target_type, operation)
        current_list = self.list_hourly(resource.region, resource.resource_type)
        if operation != LINUX:
            return self._licensed_target(resource, target_type, current, current_list, target_list)
        ratio = Decimal(str(target_list.unit_price)) / Decimal(str(current_list.unit_price))
        rate = Decimal(str(current.unit_price)) * ratio
        source = (f"billed rate {_usd(Decimal(str(current.unit_price)))}/h x list ratio {target_type}/"
                  f"{resource.resource_type} {_usd(Decimal(str(target_list.unit_price)))}/"
                  f"{_usd(Decimal(str(current_list.unit_price)))} ({target_list.source})")
        return PriceQuote(unit_price=float(rate), unit="hour", source=source, basis="billed",
                          effective_date=current.effective_date, note="account's billed rate scaled by list ratio")

    def _licensed_target(self, resource: Resource, target_type: str, current: PriceQuote, current_list: PriceQuote,
                         target_list: PriceQuote) -> PriceQuote:
        vcpus_now = Decimal(int(self.base.instance_specs(resource.resource_type).vcpus))
        vcpus_target = Decimal(int(self.base.instance_specs(target_type).vcpus))
        licence = (Decimal(str(current.unit_price)) - Decimal(str(current_list.unit_price))) / vcpus_now
        rate = Decimal(str(target_list.unit_price)) + licence * vcpus_target
        source = (f"{target_type} Linux list {_usd(Decimal(str(target_list.unit_price)))}/h + licence "
                  f"{_usd(licence)}/vCPU-h x {vcpus_target:f} vCPU (billed {_usd(Decimal(str(current.unit_price)))}/h "
                  f"- Linux list {_usd(Decimal(str(current_list.unit_price)))}/h over {vcpus_now:f} vCPU; "
                  f"{target_list.source})")
        return PriceQuote(unit_price=float(rate), unit="hour", source=source, basis="billed",
                          effective_date=current.effective_date, note="licence per vCPU carried to the target")

    # ------------------------------------------------------------------ the rest, billed first
    def ebs_gb_month(self, region: str, volume_type: str) -> PriceQuote:
        suffix = "EBS:VolumeUsage" + ("" if volume_type == "standard" else
                                      ".piops" if volume_type == "io1" else f".{volume_type}")
        return self._or_base(self.billed(region, suffix, unit="GB-month"), "ebs_gb_month", region, volume_type)

    def ebs_iops_month(self, region: str, volume_type: str) -> PriceQuote:
        suffix = "EBS:VolumeP-IOPS." + ("piops" if volume_type == "io1" else volume_type)
        return self._or_base(self.billed(region, suffix, unit="IOPS-month"), "ebs_iops_month", region, volume_type)

    def snapshot_gb_month(self, region: str) -> PriceQuote:
        return self._or_base(self.billed(region, "EBS:SnapshotUsage", unit="GB-month"), "snapshot_gb_month", region)

    def rds_hourly(self, region: str, instance_class: str, engine: str, multi_az: bool) -> PriceQuote:
        suffix = f"{'Multi-AZUsage' if multi_az else 'InstanceUsage'}:{instance_class}"
        operation = RDS_ENGINE_OPERATIONS.get(engine.lower(), "?")
        billed = self.billed(region, suffix, operation, single_operation_fallback=True)
        return self._or_base(billed, "rds_hourly", region, instance_class, engine, multi_az)

    def rds_storage_gb_month(self, region: str, storage_type: str, multi_az: bool = False) -> PriceQuote:
        name = {"gp2": "GP2-Storage", "gp3": "GP3-Storage", "io1": "PIOPS-Storage", "io2": "IO2-Storage",
                "standard": "StorageUsage"}.get(storage_type, f"{storage_type.upper()}-Storage")
        suffix = f"RDS:{'Multi-AZ-' if multi_az else ''}{name}"
        return self._or_base(self.billed(region, suffix, unit="GB-month"), "rds_storage_gb_month", region,
                             storage_type, multi_az)

    def rds_snapshot_gb_month(self, region: str) -> PriceQuote:
        return self._or_base(self.billed(region, "RDS:ChargedBackupUsage", unit="GB-month"),
                             "rds_snapshot_gb_month", region)

    def lambda_gb_second(self, region: str, architecture: str) -> PriceQuote:
        suffix = "Lambda-GB-Second-ARM" if architecture == "arm64" else "Lambda-GB-Second"
        return self._or_base(self.billed(region, suffix, unit="GB-second"), "lambda_gb_second", region,
                             architecture)

    def lambda_request(self, region: str) -> PriceQuote:
        return self._or_base(self.billed(region, "Request", unit="request"), "lambda_request", region)

    def s3_gb_month(self, region: str, storage_class: str) -> PriceQuote:
        billed = self.billed(region, "TimedStorage-ByteHrs", unit="GB-month") if storage_class == "STANDARD" else None
        return self._or_base(billed, "s3_gb_month", region, storage_class)

    def eip_hourly(self, region: str) -> PriceQuote:
        return self._or_base(self.billed(region, "PublicIPv4:IdleAddress"), "eip_hourly", region)

    def nat_hourly(self, region: str) -> PriceQuote:
        return self._or_base(self.billed(region, "NatGateway-Hours"), "nat_hourly", region)

    def nat_gb(self, region: str) -> PriceQuote:
        return self._or_base(self.billed(region, "NatGateway-Bytes", unit="GB"), "nat_gb", region)


def as_list_or_book(quote: PriceQuote) -> PriceQuote:
    """A quote labelled by where it came from: the Pricing API is 'list', the packaged book 'book'."""
    basis = "list" if quote.source.startswith("AWS Pricing API") else "book"
    return quote if quote.basis == basis else quote.model_copy(update={"basis": basis})
