"""The on-demand price book: unit prices for EC2, EBS, RDS, Lambda, S3 and VPC, each with its named, dated source.

The data lives in `tools/pricing/price_data/*.json`. EC2 is generated (scripts/price_book/gen_ec2_from_karpenter.py)
from the Karpenter AWS provider's pricing table, itself generated from the AWS Pricing API for us-east-1; the other
services name, per category, the public sources their values were checked against and what could not be confirmed.
Other regions are estimated from per-region anchors or multipliers stated in the data (or an exact regional price
where the data lists one); a region without either borrows its proxy region's (ec2.json `region_proxies`). The
quote's `source` says which, so every dollar can be traced.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel

from tools.models import PriceQuote

HOURS_PER_MONTH = Decimal(730)
BASE_REGION = "us-east-1"
LINUX = "RunInstances"
"""The EC2 billing operation of Linux/UNIX on-demand usage, the only platform the book prices."""

_NAMED_SIZES = {"nano": 0, "micro": 1, "small": 2, "medium": 3, "large": 4, "xlarge": 5}
_MULTI_XLARGE = re.compile(r"^(\d+)xlarge$")
_HOURLY_UNITS = {"hour", "hours", "hr", "Hrs"}


class PriceNotFound(KeyError):
    """No price for this key in the book (unknown type, class, region, storage class ...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InstanceSpec(BaseModel):
    """Size of one EC2 instance type as the price book knows it."""

    vcpus: int
    memory_gib: float
    family: str
    size: str
    generation: Literal["current", "previous"]


def split_type(instance_type: str) -> tuple[str, str]:
    """'m5.large' -> ('m5', 'large'); 'db.r5.large' -> ('db.r5', 'large')."""
    family, _, size = instance_type.rpartition(".")
    if not family or not size:
        raise PriceNotFound(f"{instance_type!r} is not an instance type (expected family.size, e.g. m5.large)")
    return family, size


def size_rank(size: str) -> int:
    """Order sizes smallest to largest: nano < micro < small < medium < large < xlarge < 2xlarge < ... < metal."""
    if size in _NAMED_SIZES:
        return _NAMED_SIZES[size]
    match = _MULTI_XLARGE.match(size)
    if match:
        return 5 + int(match.group(1))
    return 10_000


def monthly(quote: PriceQuote, quantity: Decimal | float | int = 1) -> Decimal:
    """Monthly cost of `quantity` units: hourly prices x 730 hours, other units x quantity."""
    amount = Decimal(str(quote.unit_price)) * Decimal(str(quantity))
    if quote.unit in _HOURLY_UNITS:
        return amount * HOURS_PER_MONTH
    return amount


def _round(value: Decimal, like: Decimal) -> Decimal:
    """Round to 4 decimals, as AWS publishes, or to the base price's own precision when finer."""
    exponent = like.normalize().as_tuple().exponent
    digits = max(4, -exponent if isinstance(exponent, int) else 4)
    return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


def _fmt(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP)}"


def _read(name: str) -> dict[str, Any]:
    text = (resources.files("tools.pricing") / "price_data" / name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


class PriceBook:
    """Unit prices from the packaged JSON. Every method returns a `PriceQuote` or raises `PriceNotFound`."""

    def __init__(self, ec2: dict[str, Any], rds: dict[str, Any], services: dict[str, Any]) -> None:
        self._ec2 = ec2
        self._rds = rds
        self._services = services
        self._types: dict[str, dict[str, Any]] = ec2["types"]
        self._previous: dict[str, str] = ec2["previous_generation"]
        self._proxies: dict[str, str] = ec2.get("region_proxies", {})
        self.effective_date: date = date.fromisoformat(ec2["effective_date"])
        self.source_name: str = str(ec2.get("source_name") or ec2["source"])
        self._families: dict[str, list[str]] = {}
        for name in self._types:
            self._families.setdefault(split_type(name)[0], []).append(name)
        for members in self._families.values():
            members.sort(key=lambda t: (size_rank(split_type(t)[1]), t))

    @classmethod
    def load(cls) -> PriceBook:
        """The packaged book, read once per process."""
        return _default_book()

    # ------------------------------------------------------------ catalogue

    @property
    def label(self) -> str:
        """The EC2 price book and its date, e.g. 'price book 2026-07-20 (Karpenter AWS provider pricing table ...)'."""
        return f"price book {self.effective_date.isoformat()} ({self.source_name})"

    def regions(self) -> list[str]:
        """Regions every method can price (anchored regions and those estimated through a proxy region)."""
        return sorted(set(self._ec2["regions"]) | set(self._proxies))

    def instance_types(self) -> list[str]:
        return list(self._types)

    def families(self) -> list[str]:
        return sorted(self._families)

    def previous_generation_map(self) -> dict[str, str]:
        """Previous-generation family -> its current-generation successor."""
        return dict(self._previous)

    def instance_specs(self, instance_type: str) -> InstanceSpec:
        entry = self._type_entry(instance_type)
        family, size = split_type(instance_type)
        generation: Literal["current", "previous"] = "previous" if family in self._previous else "current"
        return InstanceSpec(vcpus=int(entry["vcpus"]), memory_gib=float(entry["memory_gib"]),
                            family=family, size=size, generation=generation)

    def family_types(self, family: str) -> list[str]:
        """Instance types of one family, smallest to largest (metal sizes last)."""
        if family not in self._families:
            raise PriceNotFound(f"instance family {family!r} is not in the {self.label}")
        return list(self._families[family])

    def current_generation(self, instance_type: str) -> str | None:
        """Same size in the current-generation family, or None (already current, or no such size)."""
        family, size = split_type(instance_type)
        target = self._previous.get(family)
        if target is None:
            return None
        candidate = f"{target}.{size}"
        return candidate if candidate in self._types else None

    # ------------------------------------------------------------ EC2

    def ec2_hourly(self, region: str, instance_type: str, operation: str = LINUX) -> PriceQuote:
        """On-demand hourly price, shared tenancy. The book has Linux (`RunInstances`) prices only: any other
        billing operation (Windows `RunInstances:0002`, RHEL `RunInstances:0010` ...) raises `PriceNotFound`."""
        if operation != LINUX:
            raise PriceNotFound(f"the {self.label} has Linux (RunInstances) prices only, not {operation!r} "
                                f"({region} {instance_type})")
        base = _dec(self._type_entry(instance_type)["hourly"])
        what = f"{region} {instance_type} Linux on-demand"
        if region == BASE_REGION:
            return self._ec2_quote(base, what)
        anchored, proxy = self._anchor_region(region)
        anchors = self._ec2["regions"][anchored]
        klass = self._ec2["class_of_letter"].get(instance_type[0], "m")
        anchor_type = self._ec2["anchors"][klass]
        factor = _dec(anchors[klass]) / _dec(self._types[anchor_type]["hourly"])
        if proxy:
            note = (f"regional estimate: {region} has no anchor prices, {anchored}'s {anchor_type} price ratio used, "
                    f"{BASE_REGION} x {_fmt(factor)}")
        else:
            note = f"regional estimate: {region} = {BASE_REGION} x {_fmt(factor)}, the {anchor_type} price ratio"
        return self._ec2_quote(_round(base * factor, base), what, note)

    def _anchor_region(self, region: str) -> tuple[str, bool]:
        """(the region whose anchors price `region`, whether that is a proxy)."""
        if region in self._ec2["regions"]:
            return region, False
        proxy = self._proxies.get(region)
        if proxy is None or proxy not in self._ec2["regions"]:
            raise PriceNotFound(self._no_region(region, "EC2"))
        return proxy, True

    def _type_entry(self, instance_type: str) -> dict[str, Any]:
        entry = self._types.get(instance_type)
        if entry is None:
            raise PriceNotFound(
                f"EC2 instance type {instance_type!r} is not in the {self.label}; "
                f"known families: {', '.join(self.families())}")
        return entry

    def _ec2_quote(self, price: Decimal, what: str, note: str | None = None) -> PriceQuote:
        book = f"price book {self.effective_date.isoformat()} ({self.source_name}{'; ' + note if note else ''})"
        return PriceQuote(unit_price=float(price), unit="hour", source=f"{book}: {what}",
                          effective_date=self.effective_date)

    # ------------------------------------------------------------ EBS, snapshots

    def ebs_gb_month(self, region: str, volume_type: str) -> PriceQuote:
        return self._table(self._services, "ebs_gb_month", region, volume_type, f"{region} EBS {volume_type} storage")

    def ebs_iops_month(self, region: str, volume_type: str) -> PriceQuote:
        """Provisioned IOPS (io1, io2 first tier; gp3 above the free 3,000)."""
        return self._table(self._services, "ebs_iops_month", region, volume_type,
                           f"{region} EBS {volume_type} provisioned IOPS")

    def ebs_throughput_month(self, region: str, volume_type: str = "gp3") -> PriceQuote:
        """gp3 throughput above the free 125 MiB/s, per MiB/s-month (other regions: the EBS storage ratio)."""
        return self._table(self._services, "ebs_throughput_month", region, volume_type,
                           f"{region} EBS {volume_type} provisioned throughput", "ebs_gb_month")

    def snapshot_gb_month(self, region: str, tier: str = "standard") -> PriceQuote:
        """EBS snapshot storage: the `standard` tier, or `archive`."""
        return self._table(self._services, "ebs_snapshot_gb_month", region, tier, f"{region} EBS snapshot {tier}")

    # ------------------------------------------------------------ RDS

    def rds_hourly(self, region: str, instance_class: str, engine: str, multi_az: bool = False) -> PriceQuote:
        """Single-AZ on-demand price; Multi-AZ is twice that."""
        canonical = self._rds["engine_aliases"].get(engine.lower())
        if canonical is None:
            raise PriceNotFound(f"RDS engine {engine!r} is not in the {self.label}; "
                                f"known engines: {', '.join(sorted(self._rds['engine_aliases']))}")
        deployment = "Multi-AZ (2x Single-AZ)" if multi_az else "Single-AZ"
        what = f"{region} {instance_class} {canonical} {deployment} on-demand"
        quote = self._table(self._rds, f"rds_instance_{canonical}", region, instance_class, what, "rds_instance")
        return self._doubled(quote) if multi_az else quote

    def rds_storage_gb_month(self, region: str, storage_type: str, multi_az: bool = False) -> PriceQuote:
        deployment = "Multi-AZ (2x Single-AZ)" if multi_az else "Single-AZ"
        what = f"{region} RDS {storage_type} storage {deployment}"
        quote = self._table(self._rds, "rds_storage", region, storage_type, what)
        return self._doubled(quote) if multi_az else quote

    def rds_snapshot_gb_month(self, region: str) -> PriceQuote:
        return self._table(self._rds, "rds_snapshot", region, "standard", f"{region} RDS snapshot (beyond free backup)")

    # ------------------------------------------------------------ Lambda, S3, VPC

    def lambda_gb_second(self, region: str, architecture: str = "x86_64") -> PriceQuote:
        arch = lambda_architecture(architecture)
        return self._table(self._services, "lambda_gb_second", region, arch, f"{region} Lambda {arch} duration")

    def lambda_request(self, region: str) -> PriceQuote:
        """Price of one request ($0.20 per million)."""
        return self._table(self._services, "lambda_request", region, "request", f"{region} Lambda requests")

    def s3_gb_month(self, region: str, storage_class: str = "STANDARD") -> PriceQuote:
        key = storage_class.upper()
        return self._table(self._services, "s3_gb_month", region, key, f"{region} S3 {key} storage")

    def s3_transition_per_1000(self, region: str, storage_class: str = "STANDARD_IA") -> PriceQuote:
        """Lifecycle transition requests into `storage_class`, per 1,000 objects moved (a one-time fee)."""
        key = storage_class.upper()
        return self._table(self._services, "s3_transition_per_1000", region, key,
                           f"{region} S3 lifecycle transitions to {key}")

    def eip_hourly(self, region: str, state: str = "idle") -> PriceQuote:
        """Public IPv4 address (Elastic IP or not), per hour: `idle` or `in-use` (the same price since 2024-02)."""
        if state not in ("idle", "in-use"):
            raise PriceNotFound(f"public IPv4 state {state!r} is not 'idle' or 'in-use'")
        what = f"{region} public IPv4 address" + (" in use" if state == "in-use" else "")
        return self._table(self._services, "eip_hourly", region, "public_ipv4", what)

    def nat_hourly(self, region: str) -> PriceQuote:
        return self._table(self._services, "nat_hourly", region, "nat_gateway", f"{region} NAT gateway hour")

    def nat_gb(self, region: str) -> PriceQuote:
        return self._table(self._services, "nat_gb", region, "nat_gateway", f"{region} NAT gateway data processed")

    # ------------------------------------------------------------ internals

    def _table(self, data: dict[str, Any], category: str, region: str, key: str, what: str,
               multiplier_key: str | None = None) -> PriceQuote:
        """A price from a category table: exact regional entry, else us-east-1 x the region's multiplier."""
        sources = data.get("sources", {})
        named = sources.get(category) or sources.get(multiplier_key or category, {})
        source_name = str(named.get("name") or data["source"])
        when = date.fromisoformat(str(named.get("date") or data["effective_date"]))
        table = data["prices"].get(category)
        if table is None:
            raise PriceNotFound(f"no {category} prices in the price book ({source_name}); "
                                "only the Pricing API has them")
        base_value = table[BASE_REGION].get(key)
        if base_value is None:
            raise PriceNotFound(f"no {category} price for {key!r} in the price book ({source_name}); "
                                f"known: {', '.join(table[BASE_REGION])}")
        base = _dec(base_value)
        exact = table.get(region, {}).get(key)
        if exact is not None:
            return self._quote(_dec(exact), table["unit"], what, source_name, when)
        factors = data["region_multipliers"].get(region)
        proxy = None
        if factors is None:
            proxy = self._proxies.get(region)
            factors = data["region_multipliers"].get(proxy) if proxy else None
        if factors is None:
            raise PriceNotFound(self._no_region(region, category))
        factor = _dec(factors[multiplier_key or category])
        if region == BASE_REGION:
            return self._quote(base, table["unit"], what, source_name, when)
        if proxy:
            note = (f"regional estimate: {region} has no multipliers, {proxy}'s used, "
                    f"{BASE_REGION} x {_fmt(factor)}")
        else:
            note = f"regional estimate: {region} = {BASE_REGION} x {_fmt(factor)} regional multiplier"
        return self._quote(_round(base * factor, base), table["unit"], what, source_name, when, note)

    def _no_region(self, region: str, what: str) -> str:
        return f"region {region!r} has no {what} prices in the {self.label}; known regions: {', '.join(self.regions())}"

    @staticmethod
    def _quote(price: Decimal, unit: str, what: str, source_name: str, when: date,
               note: str | None = None) -> PriceQuote:
        book = f"price book {when.isoformat()} ({source_name}{'; ' + note if note else ''})"
        return PriceQuote(unit_price=float(price), unit=unit, source=f"{book}: {what}", effective_date=when)

    @staticmethod
    def _doubled(quote: PriceQuote) -> PriceQuote:
        price = Decimal(str(quote.unit_price)) * 2
        return quote.model_copy(update={"unit_price": float(price)})


def lambda_architecture(architecture: str) -> str:
    """'x86', 'amd64' -> 'x86_64'; 'arm' -> 'arm64'; anything else unchanged."""
    return {"x86": "x86_64", "x86_64": "x86_64", "amd64": "x86_64", "arm": "arm64", "arm64": "arm64"}.get(
        architecture.lower(), architecture)


@lru_cache(maxsize=1)
def _default_book() -> PriceBook:
    return PriceBook(_read("ec2.json"), _read("rds.json"), _read("services.json"))
