"""Opportunities from findings: grouping, confidence, priority and order (docs/rules.md)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from agent.analysis.context import Hit
from tools.models import Finding, Opportunity, Priority, cents

# An opportunity matters when it is large in dollars or large against this account's bill: the share lets a
# small account see its biggest items as high, the dollar cap keeps $1,000 a month high for any account.
HIGH_CAP, HIGH_SHARE = Decimal(1000), Decimal("0.05")
MEDIUM_CAP, MEDIUM_SHARE = Decimal(100), Decimal("0.005")


def confidence(findings: list[Finding]) -> float:
    """Savings-weighted mean of the findings' confidence (plain mean when nothing is saved)."""
    weights = [Decimal(str(f.savings)) for f in findings]
    values = [Decimal(str(f.confidence)) for f in findings]
    total = sum(weights, Decimal(0))
    if total == 0:
        mean = sum(values, Decimal(0)) / len(values)
    else:
        mean = sum((w * v for w, v in zip(weights, values, strict=True)), Decimal(0)) / total
    return float(mean.quantize(Decimal("0.001")))


def weighted(opportunity: Opportunity) -> Decimal:
    return Decimal(str(opportunity.estimated_savings)) * Decimal(str(opportunity.confidence))


def priority_of(opportunity: Opportunity, total_monthly_cost: Decimal) -> Priority:
    score = weighted(opportunity)
    if score >= min(HIGH_CAP, total_monthly_cost * HIGH_SHARE):
        return "high"
    if score >= min(MEDIUM_CAP, total_monthly_cost * MEDIUM_SHARE):
        return "medium"
    return "low"


def prioritize(opportunities: list[Opportunity], total_monthly_cost: Decimal | float) -> list[Opportunity]:
    """Priorities set against the month's spend; sorted by weighted savings, largest first."""
    total = Decimal(str(total_monthly_cost))
    ranked = [o.model_copy(update={"priority": priority_of(o, total)}) for o in opportunities]
    return sorted(ranked, key=lambda o: (-weighted(o), o.type, o.service))


def group(hits: list[Hit], total_monthly_cost: Decimal | float, descriptions: Mapping[str, str]) -> list[Opportunity]:
    """One opportunity per (type, service), its findings sorted by saving; `descriptions` by type (the rules')."""
    grouped: dict[tuple[str, str], list[Hit]] = {}
    for hit in hits:
        grouped.setdefault((hit.type, hit.service), []).append(hit)
    opportunities = []
    for (_, service), members in grouped.items():
        findings = sorted((h.finding for h in members), key=lambda f: (-f.savings, f.resource_id))
        saving = sum((Decimal(str(f.savings)) for f in findings), Decimal(0))
        kind = members[0].type
        opportunities.append(Opportunity(
            type=kind, service=service, resource_count=len(findings), estimated_savings=cents(saving),
            confidence=confidence(findings), priority="low", resources=findings,
            description=f"{len(findings)} {service} {descriptions[kind]}",
        ))
    return prioritize(opportunities, total_monthly_cost)
