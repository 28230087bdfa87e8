"""The extended variant's EC2 Reserved Instances: one per (region, instance type) its block marks as covered."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from tools.pricing.book import PriceBook
from tools.sandbox import rates
from tools.sandbox.cost_lines import COMPUTE
from tools.sandbox.fleet import Fleet


@dataclass(frozen=True)
class Reservation:
    """A Linux 1-year Standard no-upfront EC2 Reserved Instance of the extended variant (regional, whole history)."""

    reservation_id: str
    region: str
    instance_type: str
    count: int
    hourly: Decimal
    """Effective (recurring) hourly rate per instance."""
    on_demand_hourly: Decimal
    service: str = COMPUTE
    platform: str = "Linux/UNIX"

    @property
    def normalization(self) -> Decimal:
        return normalization_factor(self.instance_type)


def normalization_factor(instance_type: str) -> Decimal:
    """AWS's size normalization factor (large = 4, xlarge = 8, Nxlarge = 8N)."""
    size = instance_type.rpartition(".")[2]
    named = {"nano": "0.25", "micro": "0.5", "small": "1", "medium": "2", "large": "4", "xlarge": "8"}
    if size in named:
        return Decimal(named[size])
    if size.endswith("xlarge") and size[:-6].isdigit():
        return Decimal(8 * int(size[:-6]))
    return Decimal(0)


def reservations(fleet: Fleet, prices: PriceBook) -> list[Reservation]:
    """One reservation per (region, instance type) the extended block marks as covered."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for block in fleet.blocks:
        for t in block.ec2:
            if t.reserved:
                counts[(block.region, t.instance_type)] += t.reserved
    out = []
    for (region, itype), count in sorted(counts.items()):
        rid = hashlib.sha256(f"{fleet.seed}|{region}|{itype}".encode()).hexdigest()
        out.append(Reservation(f"{rid[:8]}-{rid[8:12]}-{rid[12:16]}-{rid[16:20]}-{rid[20:32]}", region, itype, count,
                               rates.ri_hourly(prices, region, itype), rates.linux_hourly(prices, region, itype)))
    return out
