"""Network rules: unassociated Elastic IPs and NAT gateways without traffic (docs/rules.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from agent.analysis.common import (
    MB,
    Context,
    Hit,
    Outcome,
    all_month,
    dec,
    insufficient,
    make_hit,
    metric,
    price_evidence,
    state_of,
    unpriced_evidence,
)
from agent.analysis.prices import PRICE_ERRORS
from tools.models import Resource


def _eip(eip: Resource, ctx: Context) -> Hit | None:
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


def _nat(nat: Resource, ctx: Context, out: Outcome) -> Hit | None:
    if state_of(nat) != "available":
        return None
    needed = ctx.settings.metrics_lookback_days
    bytes_out, bytes_in = metric(nat, "bytes_out"), metric(nat, "bytes_in")
    days = bytes_out.days if bytes_out else 0
    if bytes_out is None or days < needed:
        out.insufficient.append(insufficient(nat, days, needed, "bytes_out"))
        return None
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


def analyze(resources: list[Resource], ctx: Context) -> Outcome:
    """Every network rule over the (not ignored) Elastic IPs and NAT gateways."""
    out = Outcome()
    for resource in resources:
        hit = None
        if resource.kind == "elastic_ip":
            hit = _eip(resource, ctx)
        elif resource.kind == "nat_gateway":
            hit = _nat(resource, ctx, out)
        if hit is not None:
            out.hits.append(hit)
    return out
