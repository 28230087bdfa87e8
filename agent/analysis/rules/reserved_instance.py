"""A database in steady use on on-demand rates, when AWS recommends a reservation for its class, region, engine and
deployment (docs/rules.md, RDS)."""

from __future__ import annotations

from decimal import Decimal

from agent.analysis.context import Context, Hit
from agent.analysis.db_cost import db_cost
from agent.analysis.evidence import make_hit
from agent.analysis.money import num, usd
from agent.analysis.readings import metric, state_of
from agent.analysis.rules.advice_limits import limit_reservations
from agent.analysis.rules.base import DataNeed, Rule
from agent.analysis.rules.metrics import CONNECTIONS
from agent.analysis.rules.needs import DATABASE_PRICE
from tools.models import PurchaseRecommendation, Resource


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


def _no_connections(db: Resource) -> bool:
    connections = metric(db, CONNECTIONS.key)
    return connections is not None and connections.maximum == 0


def evaluate(db: Resource, ctx: Context) -> Hit | None:
    cost, connections = db_cost(db, ctx), metric(db, CONNECTIONS.key)
    if cost is None or connections is None or state_of(db) != "available":
        return None
    peak, days = connections.maximum, connections.days
    advice = ri_advice(db, ctx)
    if peak is None or peak <= 0 or advice is None or cost.covered_share:
        return None  # idle, AWS recommends no purchase for it, or reservations already cover its usage type
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


RULE = Rule(
    name="reserved_instance", type="reserved_instance", kinds=("rds_instance",), evaluate=evaluate,
    metrics=(CONNECTIONS,), prices=("rds_hourly", "rds_storage_gb_month"),
    thresholds=("min_data_days", "metrics_lookback_days"),
    # Zero connections on fewer than 14 days can be neither idle nor steady: listed as insufficient data.
    needs=(DATABASE_PRICE, DataNeed(CONNECTIONS, "min_data_days"),
           DataNeed(CONNECTIONS, "metrics_lookback_days", when=_no_connections)),
    managed="purchase", settle=limit_reservations,
    description="steady databases on on-demand rates",
)
