"""The rules of agent/analysis over a set of resources, as the seed's collector classes ask them (collectors.py).

`RuleFacade.findings` runs the single rule set, `AWSCostAnalyzer.analyze_all_services`, over the resources it is
given. A finding on a managed group (kind `autoscaling_group`) names its instances in
`evidence["covered_resources"]`: they count as found, each with its own share of the saving.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from agent.analysis import AWSCostAnalyzer
from tools.models import (
    CollectionResult,
    Finding,
    Opportunity,
    OpportunityType,
    PurchaseRecommendation,
    Resource,
    ResourceKind,
)
from tools.pricing.book import PriceBook
from tools.settings import Settings


@dataclass(frozen=True)
class Found:
    """A resource's finding of one type; `savings` is its own share (a group member's, within a group finding)."""

    finding: Finding
    savings: float | None


class Findings:
    """The rules' findings over a set of resources, by opportunity type and the resource id found."""

    def __init__(self, opportunities: Iterable[Opportunity], resources: Sequence[Resource]) -> None:
        kinds = {r.resource_id: r.kind for r in resources}
        self.by_type: dict[str, dict[str, Found]] = defaultdict(dict)
        for opportunity in opportunities:
            for f in opportunity.resources:
                found = self.by_type[opportunity.type]
                found[f.resource_id] = Found(f, f.estimated_savings)
                if kinds.get(f.resource_id, "autoscaling_group") != "autoscaling_group":
                    continue  # a group is either collected (that kind) or named by the rules (not collected)
                shares = {m.get("resource_id"): m.get("estimated_savings") for m in f.evidence.get("members", [])}
                for member in f.evidence.get("covered_resources", []):
                    found[member] = Found(f, shares.get(member))

    def of(self, kind: OpportunityType) -> dict[str, Found]:
        return self.by_type.get(kind, {})

    def on(self, resource_id: str) -> dict[str, Found]:
        """Every finding of one resource, by type."""
        return {kind: found[resource_id] for kind, found in self.by_type.items() if resource_id in found}


class RuleFacade:
    """What the seed's collectors share: the rules over a set of resources."""

    prices: PriceBook
    settings: Settings
    purchases: Sequence[PurchaseRecommendation] = ()
    """AWS's RI and Savings Plans purchase recommendations (Cost Explorer); the rules never assume a discount."""

    def findings(self, resources: Iterable[Resource], *, now: datetime | None = None,
                 purchases: Sequence[PurchaseRecommendation] | None = None) -> Findings:
        pool = list(resources)
        collection = CollectionResult(
            collected_at=now or datetime.now(UTC), regions=sorted({r.region for r in pool}), resources=pool,
            purchase_recommendations=list(self.purchases if purchases is None else purchases))
        result = AWSCostAnalyzer(self.settings, self.prices).analyze_all_services(collection)
        return Findings(result.opportunities, pool)

    def having(self, kind: OpportunityType, resource_kind: ResourceKind, resources: Iterable[Resource], *,
               now: datetime | None = None,
               purchases: Sequence[PurchaseRecommendation] | None = None) -> list[tuple[Resource, Found]]:
        """The resources of `resource_kind` with a finding of type `kind`, in the order given."""
        pool = list(resources)
        found = self.findings(pool, now=now, purchases=purchases).of(kind)
        return [(r, found[r.resource_id]) for r in pool if r.kind == resource_kind and r.resource_id in found]

    def on(self, r: Resource, resources: Iterable[Resource] | None = None) -> dict[str, Found]:
        """The findings of `r`, judged within `resources` (r alone when None)."""
        pool = [r] if resources is None else list(resources)
        if all(x.resource_id != r.resource_id for x in pool):
            pool.append(r)
        return self.findings(pool).on(r.resource_id)
