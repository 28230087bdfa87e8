"""A NAT gateway that moved under 1 MB in the whole lookback: 730 hours of its price (docs/rules.md, Network)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from agent.analysis.context import Context, Hit
from agent.analysis.evidence import make_hit
from agent.analysis.money import MB, all_month, dec, price_evidence, unpriced_evidence
from agent.analysis.prices import PRICE_ERRORS
from agent.analysis.readings import metric
from agent.analysis.rules.base import DataNeed, Rule
from agent.analysis.rules.metrics import BYTES_IN, BYTES_OUT
from tools.models import Resource


def evaluate(nat: Resource, ctx: Context) -> Hit | None:
    bytes_out, bytes_in = metric(nat, BYTES_OUT.key), metric(nat, BYTES_IN.key)
    if bytes_out is None:
        return None
    days = bytes_out.days
    traffic = dec(bytes_out.total or 0) + (dec(bytes_in.total or 0) if bytes_in else Decimal(0))
    if traffic >= MB:
        return None
    text = f"Delete NAT gateway {nat.resource_id}: {float(traffic / MB):.3f} MB of traffic in {days} days"
    evidence: dict[str, Any] = {"bytes_total": float(traffic), "days": days}
    try:
        quote = ctx.prices.nat_hourly(nat.region)
    except PRICE_ERRORS as exc:
        return make_hit("idle_nat_gateway", nat, monthly=None, savings=None, recommendation=text,
                        evidence=evidence | unpriced_evidence(str(exc)), base=0.9, days=days, settings=ctx.settings)
    monthly, arithmetic = all_month(quote)
    evidence |= {"hourly_price": quote.unit_price, **price_evidence(quote), "arithmetic": arithmetic}
    return make_hit("idle_nat_gateway", nat, monthly=monthly, savings=monthly, recommendation=text,
                    evidence=evidence, base=0.9, days=days, settings=ctx.settings, basis=quote.basis)


RULE = Rule(
    name="idle_nat_gateway", type="idle_nat_gateway", kinds=("nat_gateway",), states=("available",),
    evaluate=evaluate, metrics=(BYTES_OUT, BYTES_IN), prices=("nat_hourly",),
    thresholds=("metrics_lookback_days",),
    needs=(DataNeed(BYTES_OUT, "metrics_lookback_days"),),
    description="NAT gateways without traffic",
)
