"""EBS rules: unattached volumes, volume type upgrades, old snapshots (EBS and RDS manual) (docs/rules.md)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from agent.analysis.common import (
    Context,
    Hit,
    Outcome,
    as_datetime,
    dec,
    make_hit,
    num,
    price_evidence,
    state_of,
    unpriced_evidence,
    usd,
    utc,
)
from agent.analysis.prices import PRICE_ERRORS, unit
from tools.models import PriceQuote, Resource, cents

INCREMENTAL_NOTE = ("snapshots are incremental: deleting one frees only the blocks no other snapshot shares, so this "
                    "is an upper bound")
GP3_FREE_IOPS = 3000
GP3_FREE_MIBS = 125
GP2_FULL_THROUGHPUT_GB = 334
IO_MAX_MIBS = 500
IO_TO_GP3_MAX_IOPS = 16000


def _iops(volume: Resource) -> int:
    return int(volume.attributes.get("iops") or 0)


def _cost(volume: Resource, volume_type: str, ctx: Context, iops: int | None = None) -> tuple[Decimal, str, str]:
    """Monthly cost of the volume as `volume_type` (provisioned IOPS `iops`): (dollars, price source, arithmetic)."""
    total, quote, text = _priced(volume, volume_type, ctx, iops)
    return total, quote.source, text


def _priced(volume: Resource, volume_type: str, ctx: Context,
            iops: int | None = None) -> tuple[Decimal, PriceQuote, str]:
    size = dec(volume.attributes.get("size_gb") or 0)
    gb = ctx.prices.ebs_gb_month(volume.region, volume_type)
    total = size * unit(gb)
    text = f"{num(size)} GB x {usd(unit(gb), 4)}/GB-month"
    iops = _iops(volume) if iops is None else iops
    billable_iops = iops if volume_type in ("io1", "io2") else max(0, iops - GP3_FREE_IOPS)
    if volume_type in ("io1", "io2", "gp3") and billable_iops > 0:
        iops_price = ctx.prices.ebs_iops_month(volume.region, volume_type)
        total += billable_iops * unit(iops_price)
        text += f" + {billable_iops} IOPS x {usd(unit(iops_price), 4)}/IOPS-month"
    return total, gb, text


def volume_monthly(volume: Resource, ctx: Context) -> tuple[Decimal, str] | None:
    """The volume's monthly cost from the price book and the price source; None when it cannot be priced."""
    try:
        total, source, _ = _cost(volume, volume.resource_type, ctx)
    except PRICE_ERRORS:
        return None
    return total, source


def _unattached(volume: Resource, ctx: Context) -> Hit | None:
    evidence: dict[str, Any] = {"state": "available", "volume_type": volume.resource_type,
                                "size_gb": volume.attributes.get("size_gb")}
    recommendation = f"Snapshot if needed, then delete: unattached {volume.resource_type} volume"
    try:
        monthly, quote, text = _priced(volume, volume.resource_type, ctx)
    except PRICE_ERRORS as exc:
        evidence |= unpriced_evidence(str(exc))
        return make_hit("unattached_volume", volume, monthly=None, savings=None, recommendation=recommendation,
                        evidence=evidence, base=0.95, days=None, settings=ctx.settings)
    evidence |= {**price_evidence(quote), "arithmetic": f"{text} = {usd(monthly)}"}
    return make_hit("unattached_volume", volume, monthly=monthly, savings=monthly,
                    recommendation=recommendation, evidence=evidence, base=0.95, days=None, settings=ctx.settings,
                    basis=quote.basis)


def equal_performance(volume: Resource) -> tuple[int, int]:
    """(IOPS, MiB/s) a gp3 volume needs to match this gp2/io1/io2 volume's sustained performance.

    gp2: 3 IOPS per GiB (100 to 16,000); 250 MiB/s from 334 GiB, else about 128 MiB/s, which gp3's free 125 MiB/s
    matches. io1/io2: the provisioned IOPS; up to 500 MiB/s (0.25 MiB/s per IOPS)."""
    size = int(volume.attributes.get("size_gb") or 0)
    if volume.resource_type == "gp2":
        return min(16_000, max(100, 3 * size)), 250 if size >= GP2_FULL_THROUGHPUT_GB else GP3_FREE_MIBS
    iops = _iops(volume)
    return iops, max(GP3_FREE_MIBS, min(IO_MAX_MIBS, iops // 4))


def _gp3_cost(volume: Resource, ctx: Context) -> tuple[Decimal, str, str]:
    """gp3 at equal performance: GB + IOPS above 3,000 + throughput above 125 MiB/s."""
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


def _upgrade(volume: Resource, ctx: Context) -> Hit | None:
    vtype = volume.resource_type
    if vtype not in ("gp2", "io1", "io2") or (vtype != "gp2" and _iops(volume) > IO_TO_GP3_MAX_IOPS):
        return None
    try:
        now_cost, now_quote, now_text = _priced(volume, vtype, ctx)
        new_cost, new_source, new_text = _gp3_cost(volume, ctx)
    except PRICE_ERRORS:
        return None
    source = now_quote.source
    target_iops, target_mibs = equal_performance(volume)
    saving = now_cost - new_cost
    if saving <= 0:
        return None
    evidence = {"volume_type": vtype, "size_gb": volume.attributes.get("size_gb"), "iops": _iops(volume),
                "gp3_iops": target_iops, "gp3_throughput_mibs": target_mibs,
                "price_basis": now_quote.basis, "price_source": source, "target_price_source": new_source,
                "arithmetic": f"({now_text}) - ({new_text}) = {usd(now_cost)} - {usd(new_cost)} = {usd(saving)}"}
    text = (f"Change volume type {vtype} -> gp3 (online, no downtime) with {target_iops:,} IOPS and "
            f"{target_mibs} MiB/s: the same sustained performance")
    return make_hit("volume_type_upgrade", volume, monthly=now_cost, savings=saving, recommendation=text,
                    evidence=evidence, base=0.9, days=None, settings=ctx.settings, basis=now_quote.basis)


def _started(resource: Resource) -> datetime | None:
    return as_datetime(resource.attributes.get("start_time") or resource.attributes.get("snapshot_create_time")
                       or resource.created)


def _old_snapshot(snap: Resource, ctx: Context) -> Hit | None:
    started = _started(snap)
    now = utc(ctx.now)
    limit = ctx.settings.snapshot_max_age_days
    if started is None or now - started <= timedelta(days=limit):
        return None
    rds = snap.kind == "rds_snapshot"
    if rds and str(snap.attributes.get("snapshot_type") or "manual").lower() != "manual":
        return None
    if snap.attributes.get("backs_ami"):
        return None  # deleting it would break a registered AMI; deregister the image first
    age = (now - started).days
    size = dec(snap.attributes.get("size_gb") or 0)
    text = f"Delete the snapshot ({age} days old) unless a retention rule needs it"
    evidence: dict[str, Any] = {"age_days": age, "max_age_days": limit, "size_gb": float(size),
                                "note": INCREMENTAL_NOTE}
    service = "RDS" if rds else "EBS"
    try:
        quote = (ctx.prices.rds_snapshot_gb_month(snap.region) if rds
                 else ctx.prices.snapshot_gb_month(snap.region))
    except PRICE_ERRORS as exc:
        evidence |= unpriced_evidence(str(exc))
        return make_hit("old_snapshot", snap, monthly=None, savings=None, recommendation=text, evidence=evidence,
                        base=0.7, days=None, settings=ctx.settings, service=service)
    monthly = size * unit(quote)
    evidence |= {**price_evidence(quote),
                 "arithmetic": f"{num(size)} GB x {usd(unit(quote), 4)}/GB-month = {usd(monthly)}"}
    return make_hit("old_snapshot", snap, monthly=monthly, savings=monthly, recommendation=text,
                    evidence=evidence, base=0.7, days=None, settings=ctx.settings, service=service,
                    basis=quote.basis)


def cap_snapshots(hits: list[Hit], ctx: Context) -> list[Hit]:
    """Old snapshots of one region never claim more than that region's snapshot spend (Cost Explorer)."""
    groups: dict[tuple[str, str], list[Hit]] = defaultdict(list)
    for hit in hits:
        if hit.type == "old_snapshot" and hit.finding.estimated_savings is not None:
            groups[(hit.finding.region, hit.service)].append(hit)
    for key, members in groups.items():
        spend = ctx.snapshot_spend.get(key)
        claimed = sum((dec(h.finding.estimated_savings) for h in members), Decimal(0))
        if spend is None or claimed <= spend or claimed == 0:
            continue
        share = spend / claimed
        for hit in members:
            saving = dec(hit.finding.estimated_savings) * share
            hit.finding = hit.finding.model_copy(update={
                "estimated_savings": cents(saving),
                "evidence": {**hit.finding.evidence,
                             "capped": f"the {key[1]} snapshots of {key[0]} cost {usd(spend)} a month in Cost "
                                       f"Explorer; the {len(members)} old ones together claimed {usd(claimed)}, so "
                                       f"each is scaled by {num(round(share, 4))}"}})
    return hits


def analyze(resources: list[Resource], ctx: Context) -> Outcome:
    """Every EBS rule over the (not ignored) volumes and snapshots."""
    out = Outcome()
    for resource in resources:
        hit: Hit | None = None
        if resource.kind == "ebs_volume":
            hit = _unattached(resource, ctx) if state_of(resource) == "available" else _upgrade(resource, ctx)
        elif resource.kind in ("ebs_snapshot", "rds_snapshot"):
            hit = _old_snapshot(resource, ctx)
        if hit is not None:
            out.hits.append(hit)
    out.hits = cap_snapshots(out.hits, ctx)
    return out
