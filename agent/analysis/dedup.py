"""Total waste without double counting: each resource's largest saving counts once (docs/rules.md)."""

from __future__ import annotations

from decimal import Decimal

from tools.models import Opportunity


def _owners(opportunities: list[Opportunity]) -> dict[str, str]:
    """Covered resource id -> the resource whose finding already includes its cost (a stopped instance)."""
    owners: dict[str, str] = {}
    for opportunity in opportunities:
        for finding in opportunity.resources:
            for covered in finding.evidence.get("covered_resources") or []:
                owners[str(covered)] = finding.resource_id
    return owners


def waste_by_resource(opportunities: list[Opportunity]) -> dict[str, tuple[Decimal, str]]:
    """Owning resource id -> (largest saving of any of its findings, service of that finding)."""
    owners = _owners(opportunities)
    best: dict[str, tuple[Decimal, str]] = {}
    for opportunity in opportunities:
        for finding in opportunity.resources:
            key = owners.get(finding.resource_id, finding.resource_id)
            saving = Decimal(str(finding.savings))
            if key not in best or saving > best[key][0]:
                best[key] = (saving, opportunity.service)
    return best


def total_waste(opportunities: list[Opportunity]) -> tuple[Decimal, dict[str, Decimal]]:
    """(deduplicated total, the same split by service)."""
    by_service: dict[str, Decimal] = {}
    for saving, service in waste_by_resource(opportunities).values():
        by_service[service] = by_service.get(service, Decimal(0)) + saving
    return sum(by_service.values(), Decimal(0)), dict(sorted(by_service.items()))
