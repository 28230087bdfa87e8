"""A Multi-AZ database tagged non-production: half its cost, as Multi-AZ bills instance and storage twice
(docs/rules.md, RDS)."""

from __future__ import annotations

from agent.analysis.context import Context, Hit
from agent.analysis.db_cost import db_cost
from agent.analysis.evidence import make_hit
from agent.analysis.money import usd
from agent.analysis.rules.base import Rule
from agent.analysis.rules.needs import DATABASE_PRICE
from agent.analysis.tags import environment, is_non_production, is_production
from tools.models import Resource


def evaluate(db: Resource, ctx: Context) -> Hit | None:
    s = ctx.settings
    cost = db_cost(db, ctx)
    if cost is None or not db.attributes.get("multi_az") or not is_non_production(db, s) or is_production(db, s):
        return None  # an untagged database may be production: not flagged
    saving = cost.total / 2
    tag = environment(db, s)
    env = f"{tag[0]}={tag[1]}" if tag else "untagged"
    evidence = {"multi_az": True, "env": env, "price_basis": cost.basis, "price_source": cost.source,
                "arithmetic": f"({cost.arithmetic}) / 2 = {usd(saving)}"}
    text = f"Convert to Single-AZ: Multi-AZ doubles instance and storage cost outside production (tagged {env})"
    return make_hit("multi_az", db, monthly=cost.total, savings=saving, recommendation=text,
                    evidence=evidence, base=0.8, days=None, settings=s, basis=cost.basis)


RULE = Rule(
    name="multi_az", type="multi_az", kinds=("rds_instance",), evaluate=evaluate,
    prices=("rds_hourly", "rds_storage_gb_month"),
    thresholds=("production_tag_keys", "production_tag_values", "non_production_tag_values"),
    needs=(DATABASE_PRICE,), excludes=("reserved_instance",),
    description="Multi-AZ databases outside production",
)
