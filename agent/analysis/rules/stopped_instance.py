"""A stopped instance still paying for its EBS volumes past the grace period (docs/rules.md, EC2)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from agent.analysis.context import Context, Hit
from agent.analysis.evidence import make_hit
from agent.analysis.money import unpriced_evidence, usd
from agent.analysis.readings import as_datetime, utc
from agent.analysis.rules.base import Rule
from agent.analysis.rules.metrics import CPU
from agent.analysis.volume_cost import volume_monthly
from tools.models import Resource


def stopped_for(resource: Resource, ctx: Context) -> timedelta | None:
    """How long the instance has been stopped: EC2's state-transition time, else the end of its last CPU data."""
    at = as_datetime(resource.attributes.get("stopped_at"))
    if at is not None:
        return utc(ctx.now) - at
    cpu = resource.utilization.get(CPU.key)
    if cpu is None:
        return None
    if not cpu.daily:  # measured, and not a single datapoint in the whole lookback
        return timedelta(days=ctx.settings.metrics_lookback_days)
    return utc(ctx.now) - datetime.combine(max(cpu.daily) + timedelta(days=1), time(), tzinfo=UTC)


def attached_volumes(resource: Resource, ctx: Context) -> list[Resource]:
    ids = set(resource.attributes.get("volume_ids") or [])
    ids |= {v.resource_id for v in ctx.volumes.values() if v.attributes.get("attached_to") == resource.resource_id}
    return [ctx.volumes[i] for i in sorted(ids) if i in ctx.volumes]


def evaluate(resource: Resource, ctx: Context) -> Hit | None:
    stopped = stopped_for(resource, ctx)
    if stopped is not None and stopped < timedelta(days=ctx.settings.stopped_grace_days):
        return None
    attached = attached_volumes(resource, ctx)
    priced = [(v, p) for v in attached if (p := volume_monthly(v, ctx)) is not None]
    if attached and not priced:
        text = "Snapshot and delete the volumes, or terminate: stopped, still paying for its EBS volumes"
        evidence = {"state": "stopped", "covered_resources": [v.resource_id for v in attached],
                    **unpriced_evidence("no billed usage or price for its volume types")}
        return make_hit("idle_resource", resource, monthly=None, savings=None, recommendation=text,
                        evidence=evidence, base=0.85, days=None, settings=ctx.settings,
                        covered=tuple(v.resource_id for v in attached))
    if not priced:
        return None
    monthly = sum((p[0] for _, p in priced), Decimal(0))
    parts = " + ".join(f"{v.resource_id} {usd(p[0])}" for v, p in priced)
    evidence = {
        "state": "stopped", "stopped_days": stopped.days if stopped is not None else "unknown",
        "covered_resources": [v.resource_id for v, _ in priced],
        "volume_gb": sum(int(v.attributes.get("size_gb") or 0) for v, _ in priced),
        "price_source": priced[0][1][1], "arithmetic": f"{parts} = {usd(monthly)}",
    }
    text = f"Snapshot and delete the volumes, or terminate: stopped, still paying {usd(monthly)} a month for EBS"
    return make_hit("idle_resource", resource, monthly=monthly, savings=monthly, recommendation=text,
                    evidence=evidence, base=0.85, days=None, settings=ctx.settings,
                    covered=tuple(v.resource_id for v, _ in priced))


RULE = Rule(
    name="stopped_instance", type="idle_resource", kinds=("ec2_instance",), states=("stopped",), evaluate=evaluate,
    metrics=(CPU,), prices=("ebs_gb_month", "ebs_iops_month"),
    thresholds=("stopped_grace_days", "metrics_lookback_days"),
    corroborated=True,
)
