"""The on-demand price book: unit prices for EC2, EBS, RDS, Lambda, S3 and VPC, each with its named, dated source.

The data lives in `tools/pricing/price_data/*.json`: the EC2 catalogue (`ec2_catalogue`, generated from the
Karpenter AWS provider's pricing table) and the service tables (`service_tables`, per category, with the public
sources their values were checked against). Other regions are estimated from per-region anchors or multipliers
stated in the data (or an exact regional price where the data lists one); a region without either borrows its proxy
region's (ec2.json `region_proxies`). The quote's `source` says which (`estimates`), so every dollar can be traced.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from tools.models import PriceQuote
from tools.pricing.ec2_catalogue import LINUX, Ec2Catalogue, InstanceSpec, size_rank, split_type
from tools.pricing.estimates import BASE_REGION, PriceNotFound
from tools.pricing.service_tables import PriceTables

__all__ = ["BASE_REGION", "HOURS_PER_MONTH", "LINUX", "InstanceSpec", "PriceBook", "PriceNotFound",
           "lambda_architecture", "monthly", "size_rank", "split_type"]

HOURS_PER_MONTH = Decimal(730)
_HOURLY_UNITS = {"hour", "hours", "hr", "Hrs"}


def monthly(quote: PriceQuote, quantity: Decimal | float | int = 1) -> Decimal:
    """Monthly cost of `quantity` units: hourly prices x 730 hours, other units x quantity."""
    amount = Decimal(str(quote.unit_price)) * Decimal(str(quantity))
    if quote.unit in _HOURLY_UNITS:
        return amount * HOURS_PER_MONTH
    return amount


def _read(name: str) -> dict[str, Any]:
    text = (resources.files("tools.pricing") / "price_data" / name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


class PriceBook:
    """Unit prices from the packaged JSON. Every method returns a `PriceQuote` or raises `PriceNotFound`."""

    def __init__(self, ec2: dict[str, Any], rds: dict[str, Any], services: dict[str, Any]) -> None:
        self._ec2 = Ec2Catalogue(ec2)
        self.effective_date = self._ec2.effective_date
        self.source_name = self._ec2.source_name
        regions = self._ec2.regions()
        self._engines: dict[str, str] = rds["engine_aliases"]
        self._rds = PriceTables(rds, self._ec2.proxies, self.label, regions)
        self._services = PriceTables(services, self._ec2.proxies, self.label, regions)

    @classmethod
    def load(cls) -> PriceBook:
        """The packaged book, read once per process."""
        return _default_book()

    # ------------------------------------------------------------ catalogue

    @property
    def label(self) -> str:
        """The EC2 price book and its date, e.g. 'price book 2026-07-20 (Karpenter AWS provider pricing table ...)'."""
        return self._ec2.label

    def regions(self) -> list[str]:
        """Regions every method can price (anchored regions and those estimated through a proxy region)."""
        return self._ec2.regions()

    def instance_types(self) -> list[str]:
        return self._ec2.instance_types()

    def families(self) -> list[str]:
        return self._ec2.families()

    def previous_generation_map(self) -> dict[str, str]:
        """Previous-generation family -> its current-generation successor."""
        return self._ec2.previous_generation_map()

    def instance_specs(self, instance_type: str) -> InstanceSpec:
        return self._ec2.instance_specs(instance_type)

    def family_types(self, family: str) -> list[str]:
        """Instance types of one family, smallest to largest (metal sizes last)."""
        return self._ec2.family_types(family)

    def current_generation(self, instance_type: str) -> str | None:
        """Same size in the current-generation family, or None (already current, or no such size)."""
        return self._ec2.current_generation(instance_type)

    # ------------------------------------------------------------ EC2

    def ec2_hourly(self, region: str, instance_type: str, operation: str = LINUX) -> PriceQuote:
        """On-demand hourly price, shared tenancy. The book has Linux (`RunInstances`) prices only: any other
        billing operation (Windows `RunInstances:0002`, RHEL `RunInstances:0010` ...) raises `PriceNotFound`."""
        return self._ec2.hourly(region, instance_type, operation)

    # ------------------------------------------------------------ EBS, snapshots

    def ebs_gb_month(self, region: str, volume_type: str) -> PriceQuote:
        return self._services.price("ebs_gb_month", region, volume_type, f"{region} EBS {volume_type} storage")

    def ebs_iops_month(self, region: str, volume_type: str) -> PriceQuote:
        """Provisioned IOPS (io1, io2 first tier; gp3 above the free 3,000)."""
        return self._services.price("ebs_iops_month", region, volume_type,
                                    f"{region} EBS {volume_type} provisioned IOPS")

    def ebs_throughput_month(self, region: str, volume_type: str = "gp3") -> PriceQuote:
        """gp3 throughput above the free 125 MiB/s, per MiB/s-month (other regions: the EBS storage ratio)."""
        return self._services.price("ebs_throughput_month", region, volume_type,
                                    f"{region} EBS {volume_type} provisioned throughput", "ebs_gb_month")

    def snapshot_gb_month(self, region: str, tier: str = "standard") -> PriceQuote:
        """EBS snapshot storage: the `standard` tier, or `archive`."""
        return self._services.price("ebs_snapshot_gb_month", region, tier, f"{region} EBS snapshot {tier}")

    # ------------------------------------------------------------ RDS

    def rds_hourly(self, region: str, instance_class: str, engine: str, multi_az: bool = False) -> PriceQuote:
        """Single-AZ on-demand price; Multi-AZ is twice that."""
        canonical = self._engines.get(engine.lower())
        if canonical is None:
            raise PriceNotFound(f"RDS engine {engine!r} is not in the {self.label}; "
                                f"known engines: {', '.join(sorted(self._engines))}")
        deployment = "Multi-AZ (2x Single-AZ)" if multi_az else "Single-AZ"
        what = f"{region} {instance_class} {canonical} {deployment} on-demand"
        quote = self._rds.price(f"rds_instance_{canonical}", region, instance_class, what, "rds_instance")
        return self._doubled(quote) if multi_az else quote

    def rds_storage_gb_month(self, region: str, storage_type: str, multi_az: bool = False) -> PriceQuote:
        deployment = "Multi-AZ (2x Single-AZ)" if multi_az else "Single-AZ"
        what = f"{region} RDS {storage_type} storage {deployment}"
        quote = self._rds.price("rds_storage", region, storage_type, what)
        return self._doubled(quote) if multi_az else quote

    def rds_snapshot_gb_month(self, region: str) -> PriceQuote:
        return self._rds.price("rds_snapshot", region, "standard", f"{region} RDS snapshot (beyond free backup)")

    # ------------------------------------------------------------ Lambda, S3, VPC

    def lambda_gb_second(self, region: str, architecture: str = "x86_64") -> PriceQuote:
        arch = lambda_architecture(architecture)
        return self._services.price("lambda_gb_second", region, arch, f"{region} Lambda {arch} duration")

    def lambda_request(self, region: str) -> PriceQuote:
        """Price of one request ($0.20 per million)."""
        return self._services.price("lambda_request", region, "request", f"{region} Lambda requests")

    def s3_gb_month(self, region: str, storage_class: str = "STANDARD") -> PriceQuote:
        key = storage_class.upper()
        return self._services.price("s3_gb_month", region, key, f"{region} S3 {key} storage")

    def s3_transition_per_1000(self, region: str, storage_class: str = "STANDARD_IA") -> PriceQuote:
        """Lifecycle transition requests into `storage_class`, per 1,000 objects moved (a one-time fee)."""
        key = storage_class.upper()
        return self._services.price("s3_transition_per_1000", region, key,
                                    f"{region} S3 lifecycle transitions to {key}")

    def eip_hourly(self, region: str, state: str = "idle") -> PriceQuote:
        """Public IPv4 address (Elastic IP or not), per hour: `idle` or `in-use` (the same price since 2024-02)."""
        if state not in ("idle", "in-use"):
            raise PriceNotFound(f"public IPv4 state {state!r} is not 'idle' or 'in-use'")
        what = f"{region} public IPv4 address" + (" in use" if state == "in-use" else "")
        return self._services.price("eip_hourly", region, "public_ipv4", what)

    def nat_hourly(self, region: str) -> PriceQuote:
        return self._services.price("nat_hourly", region, "nat_gateway", f"{region} NAT gateway hour")

    def nat_gb(self, region: str) -> PriceQuote:
        return self._services.price("nat_gb", region, "nat_gateway", f"{region} NAT gateway data processed")

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
