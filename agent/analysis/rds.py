"""RDS instance rules: idle databases, Multi-AZ outside production, reserved instances (docs/rules.md)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from agent.analysis.common import (
    HOURS,
    Context,
    Hit,
    Outcome,
    coverage_note,
    dec,
    insufficient,
    is_production,
    make_hit,
    metric,
    num,
    state_of,
    usd,
)
from agent.analysis.prices import PRICE_ERRORS, unit
from tools.models import Resource
from tools.resource_label import short_id


@dataclass(frozen=True)
class DbCost:
    instance: Decimal
    storage: Decimal
    source: str
    arithmetic: str

    @property
    def total(self) -> Decimal:
        return self.instance + self.storage


def db_cost(db: Resource, ctx: Context) -> DbCost | None:
    """Instance and storage monthly cost from the price book (Multi-AZ prices when Multi-AZ)."""
    multi_az = bool(db.attributes.get("multi_az"))
    engine = str(db.attributes.get("engine") or "")
    storage_type = str(db.attributes.get("storage_type") or "gp2")
    size = dec(db.attributes.get("allocated_storage_gb") or 0)
    try:
        hourly = ctx.prices.rds_hourly(db.region, db.resource_type, engine, multi_az)
        gb = ctx.prices.rds_storage_gb_month(db.region, storage_type, multi_az)
    except PRICE_ERRORS:
        return None
    instance, storage = unit(hourly) * HOURS, size * unit(gb)
    text = (f"730 h x {usd(unit(hourly), 4)}/h + {num(size)} GB x {usd(unit(gb), 4)}/GB-month = "
            f"{usd(instance)} + {usd(storage)} = {usd(instance + storage)}")
    return DbCost(instance, storage, hourly.source, text)


def _idle(db: Resource, cost: DbCost, days: int, ctx: Context) -> Hit:
    evidence = {"connections_max": 0, "days": days, "price_source": cost.source,
                "instance_monthly": float(round(cost.instance, 2)), "storage_monthly": float(round(cost.storage, 2)),
                "arithmetic": cost.arithmetic}
    text = f"Snapshot and delete the database: no connections in {days} days"
    return make_hit("idle_database", db, monthly=cost.total, savings=cost.total, recommendation=text,
                    evidence=evidence, base=0.9, days=days, settings=ctx.settings)


def _multi_az(db: Resource, cost: DbCost, ctx: Context) -> Hit:
    saving = cost.total / 2
    env = next((v for k, v in db.tags.items() if k.lower() == "env"), "untagged")
    evidence = {"multi_az": True, "env": env, "price_source": cost.source,
                "arithmetic": f"({cost.arithmetic}) / 2 = {usd(saving)}"}
    text = f"Convert to Single-AZ: Multi-AZ doubles instance and storage cost outside production (env {env})"
    return make_hit("multi_az", db, monthly=cost.total, savings=saving, recommendation=text,
                    evidence=evidence, base=0.8, days=None, settings=ctx.settings)


def _reserved(db: Resource, cost: DbCost, days: int, peak: float, ctx: Context) -> Hit:
    pct = dec(ctx.settings.ri_discount_pct)
    covered = dec(ctx.ri_coverage) if ctx.ri_coverage is not None else Decimal(0)
    saving = cost.instance * pct / 100 * (1 - covered / 100)
    evidence = {"connections_max": peak, "days": days, "discount_pct": float(pct),
                "reserved_instance_coverage_pct": ctx.ri_coverage, "coverage": coverage_note("RI", ctx.ri_coverage),
                "instance_monthly": float(round(cost.instance, 2)), "price_source": cost.source,
                "arithmetic": f"{usd(cost.instance)} x {num(pct)} % x (1 - {num(covered)} %) = {usd(saving)}"}
    text = f"Buy a 1-year Reserved DB Instance for {db.resource_type}: in steady use ({num(peak)} peak connections)"
    return make_hit("reserved_instance", db, monthly=cost.total, savings=saving, recommendation=text,
                    evidence=evidence, base=0.75, days=days, settings=ctx.settings)


def _instance(db: Resource, ctx: Context, out: Outcome) -> None:
    s = ctx.settings
    cost = db_cost(db, ctx)
    if cost is None:
        out.missing.append(f"{short_id(db.resource_id, db.name)}: no price for {db.resource_type} in {db.region}")
        return
    connections = metric(db, "connections")
    days = connections.days if connections else 0
    peak = connections.maximum if connections and connections.maximum is not None else None
    if peak == 0 and days >= s.metrics_lookback_days:
        out.hits.append(_idle(db, cost, days, ctx))
        return
    if days < s.min_data_days or (peak == 0 and days < s.metrics_lookback_days):
        needed = s.min_data_days if days < s.min_data_days else s.metrics_lookback_days
        out.insufficient.append(insufficient(db, days, needed, "connections"))
    if db.attributes.get("multi_az") and not is_production(db):
        out.hits.append(_multi_az(db, cost, ctx))
    elif state_of(db) == "available" and days >= s.min_data_days and peak is not None and peak > 0:
        out.hits.append(_reserved(db, cost, days, peak, ctx))


def analyze(resources: list[Resource], ctx: Context) -> Outcome:
    """Every RDS instance rule over the (not ignored) databases."""
    out = Outcome()
    for resource in resources:
        if resource.kind == "rds_instance":
            _instance(resource, ctx, out)
    return out
