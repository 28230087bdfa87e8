"""The price book's EC2 catalogue (price_data/ec2.json): instance types with their sizes, families and generations,
and their Linux on-demand hourly prices.

The data is generated (scripts/price_book/gen_ec2_from_karpenter.py) from the Karpenter AWS provider's pricing
table, itself generated from the AWS Pricing API for us-east-1. Other regions are estimated from per-region anchor
prices (one anchor type per instance class); a region without anchors borrows its proxy region's
(`region_proxies`).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel

from tools.models import PriceQuote
from tools.pricing.estimates import BASE_REGION, PriceNotFound, book_quote, dec, estimate, factor_text, no_region

LINUX = "RunInstances"
"""The EC2 billing operation of Linux/UNIX on-demand usage, the only platform the book prices."""

_NAMED_SIZES = {"nano": 0, "micro": 1, "small": 2, "medium": 3, "large": 4, "xlarge": 5}
_MULTI_XLARGE = re.compile(r"^(\d+)xlarge$")


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


class Ec2Catalogue:
    """EC2 instance types from ec2.json: what they are and what they cost on demand (Linux, shared tenancy)."""

    def __init__(self, ec2: dict[str, Any]) -> None:
        self._ec2 = ec2
        self._types: dict[str, dict[str, Any]] = ec2["types"]
        self._previous: dict[str, str] = ec2["previous_generation"]
        self.proxies: dict[str, str] = ec2.get("region_proxies", {})
        """Region -> the region whose prices estimate it."""
        self.effective_date: date = date.fromisoformat(ec2["effective_date"])
        self.source_name: str = str(ec2.get("source_name") or ec2["source"])
        self._families: dict[str, list[str]] = {}
        for name in self._types:
            self._families.setdefault(split_type(name)[0], []).append(name)
        for members in self._families.values():
            members.sort(key=lambda t: (size_rank(split_type(t)[1]), t))

    @property
    def label(self) -> str:
        """The EC2 price book and its date, e.g. 'price book 2026-07-20 (Karpenter AWS provider pricing table ...)'."""
        return f"price book {self.effective_date.isoformat()} ({self.source_name})"

    def regions(self) -> list[str]:
        """Anchored regions and those estimated through a proxy region."""
        return sorted(set(self._ec2["regions"]) | set(self.proxies))

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

    def hourly(self, region: str, instance_type: str, operation: str = LINUX) -> PriceQuote:
        """On-demand hourly price, shared tenancy. Linux (`RunInstances`) prices only: any other billing operation
        (Windows `RunInstances:0002`, RHEL `RunInstances:0010` ...) raises `PriceNotFound`."""
        if operation != LINUX:
            raise PriceNotFound(f"the {self.label} has Linux (RunInstances) prices only, not {operation!r} "
                                f"({region} {instance_type})")
        base = dec(self._type_entry(instance_type)["hourly"])
        what = f"{region} {instance_type} Linux on-demand"
        if region == BASE_REGION:
            return self._quote(base, what)
        anchored, proxy = self._anchor_region(region)
        anchors = self._ec2["regions"][anchored]
        klass = self._ec2["class_of_letter"].get(instance_type[0], "m")
        anchor_type = self._ec2["anchors"][klass]
        factor = dec(anchors[klass]) / dec(self._types[anchor_type]["hourly"])
        if proxy:
            note = (f"regional estimate: {region} has no anchor prices, {anchored}'s {anchor_type} price ratio used, "
                    f"{BASE_REGION} x {factor_text(factor)}")
        else:
            note = f"regional estimate: {region} = {BASE_REGION} x {factor_text(factor)}, the {anchor_type} price ratio"
        return self._quote(estimate(base, factor), what, note)

    def _anchor_region(self, region: str) -> tuple[str, bool]:
        """(the region whose anchors price `region`, whether that is a proxy)."""
        if region in self._ec2["regions"]:
            return region, False
        proxy = self.proxies.get(region)
        if proxy is None or proxy not in self._ec2["regions"]:
            raise PriceNotFound(no_region(region, "EC2", self.label, self.regions()))
        return proxy, True

    def _type_entry(self, instance_type: str) -> dict[str, Any]:
        entry = self._types.get(instance_type)
        if entry is None:
            raise PriceNotFound(
                f"EC2 instance type {instance_type!r} is not in the {self.label}; "
                f"known families: {', '.join(self.families())}")
        return entry

    def _quote(self, price: Decimal, what: str, note: str | None = None) -> PriceQuote:
        return book_quote(price, "hour", what, self.source_name, self.effective_date, note)
