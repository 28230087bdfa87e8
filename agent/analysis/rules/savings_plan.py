"""A steady on-demand instance nothing covers, when AWS offers the account a Compute Savings Plan
(docs/rules.md, EC2)."""

from __future__ import annotations

from decimal import Decimal

from agent.analysis.context import Context, Hit
from agent.analysis.evidence import make_hit
from agent.analysis.instance_cost import own_quote, running_share
from agent.analysis.money import HOURS, dec, num, price_evidence, usd
from agent.analysis.prices import unit
from agent.analysis.readings import metric
from agent.analysis.rules.advice_limits import limit_savings_plan
from agent.analysis.rules.base import Rule
from agent.analysis.rules.metrics import CPU, CPU_SAMPLES
from agent.analysis.rules.needs import CPU_DAYS, INSTANCE_PRICE
from tools.models import Resource


def evaluate(resource: Resource, ctx: Context) -> Hit | None:
    s = ctx.settings
    advice, quote, cpu = ctx.savings_plan(), own_quote(resource, ctx), metric(resource, CPU.key)
    if quote is None or cpu is None:
        return None
    if str(resource.attributes.get("lifecycle") or "on-demand") == "spot" or quote.covered_share or advice is None:
        return None  # spot, already (partly) covered, or AWS offers no Savings Plan for this account
    days = cpu.days
    fraction = min(Decimal(1), Decimal(days) / Decimal(s.metrics_lookback_days))
    share = running_share(resource, ctx)
    if fraction < dec(s.steady_running_fraction) or (share and share[0] < dec(s.steady_running_fraction)):
        return None
    monthly = unit(quote) * HOURS
    pct = dec(advice.savings_percentage or 0)
    saving = monthly * pct / 100
    evidence = {
        "running_fraction": float(round(fraction, 3)), "days": days, "discount_pct": float(pct),
        "aws_purchase_recommendation": {
            "type": advice.service, "term": advice.term, "payment_option": advice.payment_option,
            "estimated_savings_pct": advice.savings_percentage, "hourly_commitment": advice.hourly_commitment,
            "account_monthly_savings": advice.estimated_monthly_savings,
            "source": "Cost Explorer GetSavingsPlansPurchaseRecommendation"},
        "hourly_price": quote.unit_price, **price_evidence(quote),
        "arithmetic": f"730 h x {usd(unit(quote), 4)}/h x {num(pct)} % (AWS's estimate for this account) = "
                      f"{usd(saving)}",
    }
    text = (f"Cover with a Compute Savings Plan: running {float(fraction) * 100:.0f} % of {s.metrics_lookback_days} "
            f"days at on-demand rates; AWS estimates {num(pct)} % off for this account")
    return make_hit("savings_plan", resource, monthly=monthly, savings=saving, recommendation=text,
                    evidence=evidence, base=0.75, days=days, settings=s, basis=quote.basis)


RULE = Rule(
    name="savings_plan", type="savings_plan", kinds=("ec2_instance",), states=("running",), evaluate=evaluate,
    metrics=(CPU, CPU_SAMPLES), prices=("instance_hourly",),
    thresholds=("min_data_days", "metrics_lookback_days", "steady_running_fraction"),
    needs=(INSTANCE_PRICE, CPU_DAYS), only_without=("rightsizing", "previous_generation", "spot"),
    managed="purchase", settle=limit_savings_plan,
    description="steady instances on on-demand rates",
)
