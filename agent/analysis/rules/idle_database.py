"""A database without a single connection in the whole lookback: instance plus storage (docs/rules.md, RDS)."""

from __future__ import annotations

from agent.analysis.context import Context, Hit
from agent.analysis.db_cost import db_cost
from agent.analysis.evidence import make_hit
from agent.analysis.money import unpriced_evidence
from agent.analysis.readings import metric
from agent.analysis.rules.base import DataNeed, Rule
from agent.analysis.rules.metrics import CONNECTIONS
from tools.models import Resource


def evaluate(db: Resource, ctx: Context) -> Hit | None:
    connections = metric(db, CONNECTIONS.key)
    if connections is None or connections.maximum != 0:
        return None
    days = connections.days
    text = f"Snapshot and delete the database: no connections in {days} days"
    cost = db_cost(db, ctx)
    if cost is None:  # idle is reported even when nothing can price it
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


RULE = Rule(
    name="idle_database", type="idle_database", kinds=("rds_instance",), evaluate=evaluate,
    metrics=(CONNECTIONS,), prices=("rds_hourly", "rds_storage_gb_month"), thresholds=("metrics_lookback_days",),
    needs=(DataNeed(CONNECTIONS, "metrics_lookback_days", listed=False),),
    excludes=("multi_az", "reserved_instance"),
    description="databases without connections",
)
