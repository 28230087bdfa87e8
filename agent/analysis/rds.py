"""RDS instance rules: idle databases, Multi-AZ outside production, reserved instances (docs/rules.md)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from agent.analysis.common import (
    HOURS,
    Context,
    Hit,
    Outcome,
    dec,
    environment,
    insufficient,
    is_non_production,
    is_production,
    make_hit,
    metric,
    num,
    state_of,
    unpriced_evidence,
    usd,
)
from agent.analysis.prices import PRICE_ERRORS, unit
from tools.models import PriceBasis, PurchaseRecommendation, Resource
from tools.resource_label import short_id


@dataclass(frozen=True)
class DbCost:
    instance: Decimal
    storage: Decimal
    source: str
    arithmetic: str
    basis: PriceBasis = "book"
    covered_share: float | None = None

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
    return DbCost(instance, storage, hourly.source, text, hourly.basis, hourly.covered_share)


def _idle(db: Resource, cost: DbCost | None, days: int, ctx: Context) -> Hit:
    text = f"Snapshot and delete the database: no connections in {days} days"
    if cost is None:
        evidence = {"connections_max": 0, "days": days,
                    **unpriced_evidence(f"no billed usage or price for {db.resource_type} "
                                        f"({db.attributes.get('engine') or 'engine unknown'}) in {db.region}")}
        return make_hit("idle_database", db, monthly=None, savings=None, recommendation=text, evidence=evidence,
                        base=0.9, days=days, settings=ctx.settings)
    evidence = {"connections_max": 0, "days": days, "price_basis": cost.basis, "price_source": cost.source,
                "instance_monthly": float(round(cost.instance, 2)), "storage_monthly": float(round(cost.storage, 2)),
                "arithmetic": cost.arithmetic}
    return make_hit("idle_database", db, monthly=cost.total, savings=cost.total, recommendation=text,
                    evidence=evidence, base=0.9, days=days, settings=ctx.settings, basis=cost.basis)


def _multi_az(db: Resource, cost: DbCost, ctx: Context) -> Hit:
    saving = cost.total / 2
    tag = environment(db, ctx.settings)
    env = f"{tag[0]}={tag[1]}" if tag else "untagged"
    evidence = {"multi_az": True, "env": env, "price_basis": cost.basis, "price_source": cost.source,
                "arithmetic": f"({cost.arithmetic}) / 2 = {usd(saving)}"}
    text = f"Convert to Single-AZ: Multi-AZ doubles instance and storage cost outside production (env {env})"
    return make_hit("multi_az", db, monthly=cost.total, savings=saving, recommendation=text,
                    evidence=evidence, base=0.8, days=None, settings=ctx.settings, basis=cost.basis)


def _engine_key(engine: str) -> str:
    name = "".join(ch for ch in engine.lower() if ch.isalnum())
    return {"postgres": "postgresql", "auroramysql": "auroramysql", "aurorapostgres": "aurorapostgresql"}.get(
        name, name)


def ri_advice(db: Resource, ctx: Context) -> PurchaseRecommendation | None:
    """AWS's RI purchase recommendation that matches this database's class, region, engine and deployment."""
    deployment = "Multi-AZ" if db.attributes.get("multi_az") else "Single-AZ"
    engine = _engine_key(str(db.attributes.get("engine") or ""))
    for rec in ctx.purchases:
        if (rec.kind == "reserved_instance" and rec.service == "RDS" and rec.instance_type == db.resource_type
                and rec.region == db.region and rec.count > 0 and _engine_key(rec.engine) == engine
                and (not rec.deployment or rec.deployment == deployment)):
            return rec
    return None


def _reserved(db: Resource, cost: DbCost, days: int, peak: float, ctx: Context) -> Hit | None:
    advice = ri_advice(db, ctx)
    if advice is None or cost.covered_share:
        return None  # AWS recommends no purchase for it, or reservations already cover its usage type
    saving = Decimal(str(advice.estimated_monthly_savings)) / Decimal(str(advice.count))
    evidence = {"connections_max": peak, "days": days, "instance_monthly": float(round(cost.instance, 2)),
                "price_basis": cost.basis, "price_source": cost.source,
                "aws_purchase_recommendation": {"instances": advice.count, "term": advice.term,
                                       "payment_option": advice.payment_option,
                                       "estimated_monthly_savings": advice.estimated_monthly_savings,
                                       "savings_pct": advice.savings_percentage,
                                       "break_even_months": advice.break_even_months,
                                       "source": "Cost Explorer GetReservationPurchaseRecommendation"},
                "arithmetic": f"AWS's {usd(Decimal(str(advice.estimated_monthly_savings)))} a month for "
                              f"{num(advice.count)} instance(s) / {num(advice.count)} = {usd(saving)}"}
    text = (f"Buy a 1-year Reserved DB Instance for {db.resource_type}: in steady use ({num(peak)} peak connections)"
            + (f"; breaks even in {num(advice.break_even_months)} months" if advice.break_even_months else ""))
    return make_hit("reserved_instance", db, monthly=cost.total, savings=saving, recommendation=text,
                    evidence=evidence, base=0.75, days=days, settings=ctx.settings, basis=cost.basis)


def _instance(db: Resource, ctx: Context, out: Outcome) -> None:
    s = ctx.settings
    cost = db_cost(db, ctx)
    connections = metric(db, "connections")
    days = connections.days if connections else 0
    peak = connections.maximum if connections and connections.maximum is not None else None
    if peak == 0 and days >= s.metrics_lookback_days:
        out.hits.append(_idle(db, cost, days, ctx))
        return
    if cost is None:
        out.missing.append(f"{short_id(db.resource_id, db.name)}: no price for {db.resource_type} in {db.region}")
        return
    if days < s.min_data_days or (peak == 0 and days < s.metrics_lookback_days):
        needed = s.min_data_days if days < s.min_data_days else s.metrics_lookback_days
        out.insufficient.append(insufficient(db, days, needed, "connections"))
    if db.attributes.get("multi_az") and is_non_production(db, s) and not is_production(db, s):
        out.hits.append(_multi_az(db, cost, ctx))
    elif state_of(db) == "available" and days >= s.min_data_days and peak is not None and peak > 0:
        hit = _reserved(db, cost, days, peak, ctx)
        if hit is not None:
            out.hits.append(hit)


def analyze(resources: list[Resource], ctx: Context) -> Outcome:
    """Every RDS instance rule over the (not ignored) databases."""
    out = Outcome()
    for resource in resources:
        if resource.kind == "rds_instance":
            _instance(resource, ctx, out)
    return out
