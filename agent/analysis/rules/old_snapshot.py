"""An EBS snapshot, or a manual RDS snapshot, older than the retention limit; a region's old snapshots never claim
more than its snapshot spend (docs/rules.md, EBS)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from agent.analysis.context import Context, Hit
from agent.analysis.evidence import make_hit
from agent.analysis.money import dec, num, price_evidence, unpriced_evidence, usd
from agent.analysis.prices import PRICE_ERRORS, unit
from agent.analysis.readings import as_datetime, utc
from agent.analysis.rules.base import Rule
from tools.models import Resource, cents

INCREMENTAL_NOTE = ("snapshots are incremental: deleting one frees only the blocks no other snapshot shares, so this "
                    "is an upper bound")


def _started(resource: Resource) -> datetime | None:
    return as_datetime(resource.attributes.get("start_time") or resource.attributes.get("snapshot_create_time")
                       or resource.created)


def evaluate(snap: Resource, ctx: Context) -> Hit | None:
    started, now, limit = _started(snap), utc(ctx.now), ctx.settings.snapshot_max_age_days
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
        quote = ctx.prices.rds_snapshot_gb_month(snap.region) if rds else ctx.prices.snapshot_gb_month(snap.region)
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


RULE = Rule(
    name="old_snapshot", type="old_snapshot", kinds=("ebs_snapshot", "rds_snapshot"), evaluate=evaluate,
    prices=("snapshot_gb_month", "rds_snapshot_gb_month"), thresholds=("snapshot_max_age_days",),
    settle=cap_snapshots,
    description="snapshots older than the retention limit",
)
