"""What an EBS volume costs as its own type or as gp3 at equal performance (docs/rules.md, EBS)."""

from __future__ import annotations

from decimal import Decimal

from agent.analysis.context import Context
from agent.analysis.money import dec, num, usd
from agent.analysis.prices import PRICE_ERRORS, unit
from tools.models import PriceQuote, Resource

GP3_FREE_IOPS = 3000
GP3_FREE_MIBS = 125
GP2_FULL_THROUGHPUT_GB = 334
IO_MAX_MIBS = 500


def provisioned_iops(volume: Resource) -> int:
    return int(volume.attributes.get("iops") or 0)


def priced(volume: Resource, volume_type: str, ctx: Context,
           iops: int | None = None) -> tuple[Decimal, PriceQuote, str]:
    """Monthly cost of the volume as `volume_type` (provisioned IOPS `iops`): (dollars, GB quote, arithmetic).
    Raises what the price book raises when a price is unknown."""
    size = dec(volume.attributes.get("size_gb") or 0)
    gb = ctx.prices.ebs_gb_month(volume.region, volume_type)
    total = size * unit(gb)
    text = f"{num(size)} GB x {usd(unit(gb), 4)}/GB-month"
    iops = provisioned_iops(volume) if iops is None else iops
    billable_iops = iops if volume_type in ("io1", "io2") else max(0, iops - GP3_FREE_IOPS)
    if volume_type in ("io1", "io2", "gp3") and billable_iops > 0:
        iops_price = ctx.prices.ebs_iops_month(volume.region, volume_type)
        total += billable_iops * unit(iops_price)
        text += f" + {billable_iops} IOPS x {usd(unit(iops_price), 4)}/IOPS-month"
    return total, gb, text


def volume_monthly(volume: Resource, ctx: Context) -> tuple[Decimal, str] | None:
    """The volume's monthly cost and the price source; None when it cannot be priced."""
    try:
        total, quote, _ = priced(volume, volume.resource_type, ctx)
    except PRICE_ERRORS:
        return None
    return total, quote.source


def equal_performance(volume: Resource) -> tuple[int, int]:
    """(IOPS, MiB/s) a gp3 volume needs to match this gp2/io1/io2 volume's sustained performance.

    gp2: 3 IOPS per GiB (100 to 16,000); 250 MiB/s from 334 GiB, else about 128 MiB/s, which gp3's free 125 MiB/s
    matches. io1/io2: the provisioned IOPS; up to 500 MiB/s (0.25 MiB/s per IOPS)."""
    size = int(volume.attributes.get("size_gb") or 0)
    if volume.resource_type == "gp2":
        return min(16_000, max(100, 3 * size)), 250 if size >= GP2_FULL_THROUGHPUT_GB else GP3_FREE_MIBS
    iops = provisioned_iops(volume)
    return iops, max(GP3_FREE_MIBS, min(IO_MAX_MIBS, iops // 4))


def gp3_cost(volume: Resource, ctx: Context) -> tuple[Decimal, str, str]:
    """gp3 at equal performance: GB + IOPS above 3,000 + throughput above 125 MiB/s; (dollars, source, arithmetic)."""
    iops, mibs = equal_performance(volume)
    size = dec(volume.attributes.get("size_gb") or 0)
    gb = ctx.prices.ebs_gb_month(volume.region, "gp3")
    total, text = size * unit(gb), f"{num(size)} GB x {usd(unit(gb), 4)}/GB-month"
    if iops > GP3_FREE_IOPS:
        price = ctx.prices.ebs_iops_month(volume.region, "gp3")
        total += (iops - GP3_FREE_IOPS) * unit(price)
        text += f" + {iops - GP3_FREE_IOPS} IOPS x {usd(unit(price), 4)}/IOPS-month"
    if mibs > GP3_FREE_MIBS:
        price = ctx.prices.ebs_throughput_month(volume.region, "gp3")
        total += (mibs - GP3_FREE_MIBS) * unit(price)
        text += f" + {mibs - GP3_FREE_MIBS} MiB/s x {usd(unit(price), 4)}/MiB/s-month"
    return total, gb.source, text
