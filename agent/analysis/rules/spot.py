"""An interruptible on-demand instance (Auto Scaling, non-production or stateless) that could run on Spot
(docs/rules.md, EC2)."""

from __future__ import annotations

from agent.analysis.context import Context, Hit
from agent.analysis.evidence import make_hit
from agent.analysis.instance_cost import instance_hours, own_quote
from agent.analysis.money import dec, hours_text, marginal_factor, num, price_evidence, usd
from agent.analysis.prices import unit
from agent.analysis.readings import metric
from agent.analysis.rules.base import Rule
from agent.analysis.rules.metrics import CPU, CPU_SAMPLES
from agent.analysis.rules.needs import CPU_DAYS, INSTANCE_PRICE
from agent.analysis.tags import is_non_production
from tools.models import Resource


def evaluate(resource: Resource, ctx: Context) -> Hit | None:
    quote, cpu = own_quote(resource, ctx), metric(resource, CPU.key)
    if quote is None or cpu is None or str(resource.attributes.get("lifecycle") or "on-demand") == "spot":
        return None
    asg = resource.tags.get("aws:autoscaling:groupName") or resource.attributes.get("asg_name")
    stateless = resource.tags.get("stateless", "").lower() == "true"
    non_production = is_non_production(resource, ctx.settings)
    if not (asg or non_production or stateless):
        return None
    pct = dec(ctx.settings.aws_spot_savings_target)
    hours, _ = instance_hours(resource, ctx)
    monthly = unit(quote) * hours
    saving = monthly * pct / 100 * marginal_factor(quote)
    reason = f"Auto Scaling group {asg}" if asg else ("non-production" if non_production else
                                                       "tagged stateless=true")
    evidence = {
        "reason": reason, "days": cpu.days, "spot_savings_pct": float(pct), "hourly_price": quote.unit_price,
        **price_evidence(quote),
        "arithmetic": f"{hours_text(hours)} x {usd(unit(quote), 4)}/h x {num(pct)} % = {usd(saving)}",
    }
    text = f"Run on Spot ({reason}): about {num(pct)} % cheaper than on-demand"
    return make_hit("spot_migration", resource, monthly=monthly, savings=saving, recommendation=text,
                    evidence=evidence, base=0.7, days=cpu.days, settings=ctx.settings, basis=quote.basis)


RULE = Rule(
    name="spot", type="spot_migration", kinds=("ec2_instance",), states=("running",), evaluate=evaluate,
    metrics=(CPU, CPU_SAMPLES), prices=("instance_hourly",),
    thresholds=("min_data_days", "aws_spot_savings_target", "production_tag_keys", "non_production_tag_values",
                "metrics_lookback_days"),
    needs=(INSTANCE_PRICE, CPU_DAYS), managed="purchase",
    description="interruptible instances that could run on Spot",
)
