"""Managed capacity: instances of an Auto Scaling group, EKS node group or Karpenter node pool are never told to
stop (the group would relaunch them). When every member of a group is idle, oversized or of a previous
generation, the finding is the group's: its capacity or its launch template's instance type."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from agent.analysis.context import Context, Hit
from agent.analysis.evidence import make_hit
from agent.analysis.money import usd
from tools.models import OpportunityType, Resource

MANAGERS = (
    ("eks:nodegroup-name", "EKS node group"),
    ("aws:autoscaling:groupName", "Auto Scaling group"),
    ("karpenter.sh/nodepool", "Karpenter node pool"),
    ("karpenter.sh/provisioner-name", "Karpenter provisioner"),
)


def managed_by(resource: Resource) -> tuple[str, str] | None:
    """(what manages the instance, its name), e.g. ('Auto Scaling group', 'web-asg'); None for a plain instance."""
    for tag, label in MANAGERS:
        name = resource.tags.get(tag)
        if name:
            return label, name
    asg = resource.attributes.get("asg_name")
    return ("Auto Scaling group", str(asg)) if asg else None


@dataclass
class Member:
    """One running instance of a managed group and what its instance-level rules (`Rule.managed == 'group'`) found
    for it: never reported alone, only as part of a group finding."""

    resource: Resource
    hits: dict[OpportunityType, Hit] = field(default_factory=dict)

    def found(self, kind: OpportunityType) -> Hit | None:
        return self.hits.get(kind)


def _sum(values: list[float | None]) -> Decimal | None:
    if any(v is None for v in values):
        return None
    return sum((Decimal(str(v)) for v in values), Decimal(0))


def _group_resource(region: str, label: str, name: str, members: list[Member], ctx: Context) -> Resource:
    asg = ctx.autoscaling.get((region, name)) if label in ("Auto Scaling group", "EKS node group") else None
    if asg is not None:
        return asg
    slug = label.lower().replace(" ", "-")
    types = sorted({m.resource.resource_type for m in members})
    return Resource(resource_id=f"{slug}/{name}", kind="autoscaling_group", service="EC2", region=region,
                    resource_type=",".join(types), name=name, attributes={})


def _capacity(group: Resource) -> str:
    low, desired = group.attributes.get("min_size"), group.attributes.get("desired_capacity")
    return f" (min {low}, desired {desired})" if low is not None and desired is not None else ""


def _hit(kind: OpportunityType, group: Resource, hits: list[Hit], text: str, label: str, ctx: Context,
         extra: dict[str, Any]) -> Hit:
    monthly = _sum([h.finding.monthly_cost for h in hits])
    savings = _sum([h.finding.estimated_savings for h in hits])
    bases = {h.finding.price_basis for h in hits}
    members = [{"resource_id": h.finding.resource_id, "estimated_savings": h.finding.estimated_savings,
                "arithmetic": h.finding.evidence.get("arithmetic", "")} for h in hits]
    evidence = {"managed_by": label, "group": group.name, "members": members, **extra,
                "covered_resources": [h.finding.resource_id for h in hits],
                "price_basis": bases.pop() if len(bases) == 1 else "mixed",
                "price_source": hits[0].finding.evidence.get("price_source", ""),
                "arithmetic": " + ".join(usd(Decimal(str(h.finding.estimated_savings or 0))) for h in hits)
                + (f" = {usd(savings)}" if savings is not None else " (some members unpriced)")}
    confidence = min(h.finding.confidence for h in hits)
    basis = hits[0].finding.price_basis if len({h.finding.price_basis for h in hits}) == 1 else "billed"
    return make_hit(kind, group, monthly=monthly, savings=savings, recommendation=text, evidence=evidence,
                    base=confidence, days=None, settings=ctx.settings, basis=basis,
                    covered=tuple(h.finding.resource_id for h in hits))


def group_hits(groups: dict[tuple[str, str, str], list[Member]], ctx: Context) -> list[Hit]:
    """One finding per group whose every running member is idle, oversized to the same target, or of a previous
    generation with the same successor."""
    out: list[Hit] = []
    for (region, label, name), members in sorted(groups.items()):
        group = _group_resource(region, label, name, members, ctx)
        n = len(members)
        idle = [h for m in members if (h := m.found("idle_resource")) is not None]
        sized = [h for m in members if (h := m.found("rightsizing")) is not None]
        older = [h for m in members if (h := m.found("previous_generation")) is not None]
        if len(idle) == n:
            text = (f"Scale {label} {name} in: all {n} instance(s) idle{_capacity(group)}; lower its minimum and "
                    "desired capacity (to 0 if nothing needs it) rather than stopping instances it would relaunch")
            out.append(_hit("idle_resource", group, idle, text, label, ctx, {}))
            continue
        targets = {h.finding.evidence.get("target_type") for h in sized}
        if len(sized) == n and len(targets) == 1:
            target = targets.pop()
            text = (f"Change {label} {name}'s instance type {members[0].resource.resource_type} -> {target} in its "
                    f"launch template: all {n} instance(s) use little of their CPU")
            out.append(_hit("rightsizing", group, sized, text, label, ctx, {"target_type": target}))
        successors = {h.finding.evidence.get("target_type") for h in older}
        if len(older) == n and len(successors) == 1:
            target = successors.pop()
            text = (f"Move {label} {name} to {target} in its launch template: "
                    f"{members[0].resource.resource_type} is a previous generation")
            out.append(_hit("previous_generation", group, older, text, label, ctx, {"target_type": target}))
    return out
