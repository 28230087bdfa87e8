"""A function configured with far more memory than it uses (Lambda Insights): its compute cost shrinks with the
memory (docs/rules.md, Lambda)."""

from __future__ import annotations

import math
from decimal import Decimal

from agent.analysis.context import Context, Hit
from agent.analysis.evidence import make_hit
from agent.analysis.function_cost import fn_cost
from agent.analysis.money import num, usd
from agent.analysis.readings import metric
from agent.analysis.rules.base import Rule
from agent.analysis.rules.metrics import DURATION, INVOCATIONS, MEMORY_USED_MAX
from tools.models import Resource


def evaluate(fn: Resource, ctx: Context) -> Hit | None:
    cost, used = fn_cost(fn, ctx), metric(fn, MEMORY_USED_MAX.key)
    if cost is None or used is None or used.maximum is None or used.days < ctx.settings.min_data_days:
        return None  # without Lambda Insights the collector notes "memory used not measured"
    configured = int(fn.attributes.get("memory_mb") or 0)
    recommended = max(128, math.ceil(used.maximum * 1.25 / 64) * 64)
    if configured <= 0 or Decimal(recommended) > Decimal(configured) * Decimal("0.75"):
        return None
    fraction = 1 - Decimal(recommended) / Decimal(configured)
    saving = cost.compute * fraction
    evidence = {"memory_used_max_mb": used.maximum, "days": used.days, "configured_mb": configured,
                "recommended_mb": recommended, "price_source": cost.source, "monthly_cost_arithmetic": cost.arithmetic,
                "arithmetic": f"GB-second cost {usd(cost.compute)} x (1 - {recommended}/{configured}) = {usd(saving)}"}
    text = (f"Lower memory {configured} MB -> {recommended} MB: peak used {num(used.maximum)} MB "
            f"over {used.days} days")
    return make_hit("lambda_memory", fn, monthly=cost.total, savings=saving, recommendation=text,
                    evidence=evidence, base=0.7, days=used.days, settings=ctx.settings, basis=cost.basis)


RULE = Rule(
    name="lambda_memory", type="lambda_memory", kinds=("lambda_function",), evaluate=evaluate,
    metrics=(MEMORY_USED_MAX, INVOCATIONS, DURATION), prices=("lambda_request", "lambda_gb_second"),
    thresholds=("min_data_days", "metrics_lookback_days"),
    description="functions with more memory than they use",
)
