"""An Elastic IP associated with nothing: 730 hours of the public IPv4 price (docs/rules.md, Network)."""

from __future__ import annotations

from typing import Any

from agent.analysis.context import Context, Hit
from agent.analysis.evidence import make_hit
from agent.analysis.money import all_month, price_evidence, unpriced_evidence
from agent.analysis.prices import PRICE_ERRORS
from agent.analysis.rules.base import Rule
from tools.models import Resource


def evaluate(eip: Resource, ctx: Context) -> Hit | None:
    if eip.attributes.get("association_id"):
        return None
    address = eip.attributes.get("public_ip") or eip.resource_id
    text = f"Release Elastic IP {address}: not associated with anything"
    evidence: dict[str, Any] = {"association_id": None, "public_ip": eip.attributes.get("public_ip")}
    try:
        quote = ctx.prices.eip_hourly(eip.region)
    except PRICE_ERRORS as exc:
        return make_hit("unused_elastic_ip", eip, monthly=None, savings=None, recommendation=text,
                        evidence=evidence | unpriced_evidence(str(exc)), base=0.99, days=None, settings=ctx.settings)
    monthly, arithmetic = all_month(quote)
    evidence |= {"hourly_price": quote.unit_price, **price_evidence(quote), "arithmetic": arithmetic}
    return make_hit("unused_elastic_ip", eip, monthly=monthly, savings=monthly, recommendation=text,
                    evidence=evidence, base=0.99, days=None, settings=ctx.settings, basis=quote.basis)


RULE = Rule(
    name="unused_elastic_ip", type="unused_elastic_ip", kinds=("elastic_ip",), evaluate=evaluate,
    prices=("eip_hourly",),
    description="Elastic IPs not associated",
)
