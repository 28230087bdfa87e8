"""An instance of a previous-generation family whose current-generation twin costs less (docs/rules.md, EC2)."""

from __future__ import annotations

from agent.analysis.context import Context, Hit
from agent.analysis.evidence import make_hit
from agent.analysis.instance_cost import change_arithmetic, hourly_quote, instance_hours, own_quote
from agent.analysis.money import marginal_factor, price_evidence, usd
from agent.analysis.prices import PRICE_ERRORS, unit
from agent.analysis.rules.base import Rule
from agent.analysis.rules.metrics import CPU_SAMPLES
from agent.analysis.rules.needs import INSTANCE_PRICE
from tools.models import Resource


def evaluate(resource: Resource, ctx: Context) -> Hit | None:
    current = own_quote(resource, ctx)
    try:
        new_type = ctx.prices.current_generation(resource.resource_type)
    except PRICE_ERRORS:
        return None
    if current is None or not new_type or new_type == resource.resource_type:
        return None
    new_quote = hourly_quote(resource, new_type, ctx, current)
    if new_quote is None:
        return None
    hours, _ = instance_hours(resource, ctx)
    saving = (unit(current) - unit(new_quote)) * hours * marginal_factor(current)
    if saving <= 0:
        return None
    evidence = {
        "current_type": resource.resource_type, "target_type": new_type,
        "hourly_price": current.unit_price, "target_hourly_price": new_quote.unit_price,
        **price_evidence(current), "target_price_source": new_quote.source,
        "arithmetic": change_arithmetic(current, new_quote, saving, hours),
    }
    text = (f"Move {resource.resource_type} (previous generation) -> {new_type}: same size, "
            f"{usd(saving)} a month cheaper")
    return make_hit("previous_generation", resource, monthly=unit(current) * hours, savings=saving,
                    recommendation=text, evidence=evidence, base=0.85, days=None, settings=ctx.settings,
                    basis=current.basis)


RULE = Rule(
    name="previous_generation", type="previous_generation", kinds=("ec2_instance",), states=("running",),
    evaluate=evaluate, metrics=(CPU_SAMPLES,),
    prices=("instance_hourly", "current_generation", "target_hourly"),
    thresholds=("metrics_lookback_days",),
    needs=(INSTANCE_PRICE,), managed="group",
    description="instances on previous-generation families",
)
