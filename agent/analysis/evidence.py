"""How a rule's result becomes a finding: dollars capped by the monthly cost, confidence = base x data coverage,
evidence led by a readable name; and the entry that lists a resource with too little data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from agent.analysis.context import Hit
from tools.models import Finding, OpportunityType, PriceBasis, Resource, cents
from tools.resource_label import is_arn, label, short_id
from tools.settings import Settings


def coverage(days: int | None, settings: Settings) -> Decimal:
    """Data coverage factor of a metric rule; 1 for rules that need no metrics (days None)."""
    if days is None:
        return Decimal(1)
    return min(Decimal(1), Decimal(days) / Decimal(settings.metrics_lookback_days))


def insufficient(resource: Resource, days: int, needed: int, metric_key: str) -> dict[str, Any]:
    """The `insufficient_data` entry of a resource with `days` days of `metric_key` where a rule needs `needed`."""
    out = {"resource_id": resource.resource_id, "region": resource.region, "kind": resource.kind,
           "metric": metric_key, "days": days, "needed": needed}
    if is_arn(resource.resource_id):
        out["name"] = short_id(resource.resource_id, resource.name)
    return out


def shown_evidence(resource: Resource, evidence: dict[str, Any]) -> dict[str, Any]:
    """Evidence led by 'orders (eu-west-1)' when the id is an ARN, so people see which one without parsing it."""
    if not is_arn(resource.resource_id):
        return evidence
    return {"resource": label(resource.resource_id, resource.region, resource.name), **evidence}


def make_hit(
    kind: OpportunityType,
    resource: Resource,
    *,
    monthly: Decimal | None,
    savings: Decimal | None,
    recommendation: str,
    evidence: dict[str, Any],
    base: float,
    days: int | None,
    settings: Settings,
    service: str | None = None,
    covered: tuple[str, ...] = (),
    basis: PriceBasis = "book",
    account_id: str = "",
) -> Hit:
    """A finding whose savings never exceed its monthly cost, with confidence = base x data coverage.

    `monthly` None means nothing could price the resource: the finding is reported 'unpriced', dollars null."""
    if monthly is None or savings is None:
        monthly_out: float | None = None
        savings_out: float | None = None
        basis = "unpriced"
    else:
        monthly_out, savings_out = cents(monthly), cents(max(Decimal(0), min(savings, monthly)))
    confidence = (Decimal(str(base)) * coverage(days, settings)).quantize(Decimal("0.001"))
    finding = Finding(
        resource_id=resource.resource_id, region=resource.region, monthly_cost=monthly_out,
        estimated_savings=savings_out, recommendation=recommendation, price_basis=basis,
        account_id=account_id or str(resource.attributes.get("account_id") or ""),
        evidence=shown_evidence(resource, evidence), confidence=float(confidence),
        name=short_id(resource.resource_id, resource.name) if is_arn(resource.resource_id) else resource.name,
        resource_type=resource.resource_type,
    )
    return Hit(type=kind, service=service or resource.service, finding=finding, covered=covered)
