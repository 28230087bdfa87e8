"""The one savings total: each resource counted once, waste apart from pricing levers (docs/rules.md).

A resource flagged by several rules (an instance both oversized and a spot candidate, a stopped instance and its
own volumes) would be counted two or three times by summing findings. Here each resource carries one counted
finding: its largest waste saving; only a resource with no waste finding counts its largest pricing-lever saving.
Waste comes first because fixing it changes what a commitment or spot move should cover: a Reserved Instance
bought for an oversized instance buys the wrong size. Everything else on the resource is listed as merged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from tools.models import CountedSavings, Finding, Opportunity, OpportunityType, SavingsCategory, SavingsTotals, cents
from tools.resource_label import label

PRICING_LEVERS: frozenset[OpportunityType] = frozenset({"reserved_instance", "savings_plan", "spot_migration"})
MAX_MERGED_LINES = 50
RULE = ("Each resource is counted once: at its largest waste saving (idle, unused, oversized, misconfigured), or, "
        "when it has no waste finding, at its largest pricing-lever saving (Reserved Instances, Savings Plans, "
        "spot); waste is fixed before commitments are bought, so a lever on a resource with waste is not added.")

ResourceKey = tuple[str, str, str]
"""(account id, region, resource id): RDS names and bucket names repeat across accounts and regions."""


def category_of(kind: OpportunityType) -> SavingsCategory:
    return "pricing_lever" if kind in PRICING_LEVERS else "waste"


@dataclass(frozen=True)
class Counted:
    """A resource's counted finding and the findings merged into it."""

    key: ResourceKey
    opportunity: Opportunity
    finding: Finding
    merged: tuple[tuple[Opportunity, Finding], ...]

    @property
    def category(self) -> SavingsCategory:
        return category_of(self.opportunity.type)

    @property
    def saving(self) -> Decimal:
        return Decimal(str(self.finding.savings))


def _key(finding: Finding) -> ResourceKey:
    return finding.account_id, finding.region, finding.resource_id


def _owners(opportunities: Iterable[Opportunity]) -> dict[ResourceKey, ResourceKey]:
    """Covered resource -> the resource whose finding already includes its cost (a stopped instance's volumes)."""
    owners: dict[ResourceKey, ResourceKey] = {}
    for opportunity in opportunities:
        for finding in opportunity.resources:
            for covered in finding.evidence.get("covered_resources") or []:
                owners[(finding.account_id, finding.region, str(covered))] = _key(finding)
    return owners


def _preference(pair: tuple[Opportunity, Finding]) -> tuple[int, Decimal, str]:
    opportunity, finding = pair
    return (1 if opportunity.type in PRICING_LEVERS else 0, -Decimal(str(finding.savings)), opportunity.type)


def counted_findings(opportunities: list[Opportunity]) -> list[Counted]:
    """One `Counted` per resource, in the order resources first appear."""
    owners = _owners(opportunities)
    by_resource: dict[ResourceKey, list[tuple[Opportunity, Finding]]] = {}
    for opportunity in opportunities:
        for finding in opportunity.resources:
            key = owners.get(_key(finding), _key(finding))
            by_resource.setdefault(key, []).append((opportunity, finding))
    counted = []
    for key, pairs in by_resource.items():
        ranked = sorted(pairs, key=_preference)
        counted.append(Counted(key=key, opportunity=ranked[0][0], finding=ranked[0][1], merged=tuple(ranked[1:])))
    return counted


def _merged_line(item: Counted) -> str:
    finding = item.finding
    where = label(finding.resource_id, finding.region, finding.name)
    kept = f"{item.opportunity.type} ${item.saving:,.2f}"
    left = ", ".join(f"{o.type} ${Decimal(str(f.savings)):,.2f}" for o, f in item.merged)
    why = ("covered by the same resource's waste finding" if item.category == "waste"
           and any(o.type in PRICING_LEVERS for o, _ in item.merged) else "a smaller saving on the same resource")
    return f"{where}: counted {kept}; not added: {left} ({why})"


def savings_totals(opportunities: list[Opportunity]) -> SavingsTotals:
    """The deduplicated total, its waste / pricing-lever split, each opportunity's counted share, and the merges."""
    counted = counted_findings(opportunities)
    share: dict[tuple[str, str], tuple[Decimal, int]] = {}
    for item in counted:
        key = (item.opportunity.type, item.opportunity.service)
        amount, count = share.get(key, (Decimal(0), 0))
        share[key] = (amount + item.saving, count + 1)
    by_opportunity = []
    for opportunity in opportunities:
        amount, count = share.get((opportunity.type, opportunity.service), (Decimal(0), 0))
        by_opportunity.append(CountedSavings(
            type=opportunity.type, service=opportunity.service, category=category_of(opportunity.type),
            found=opportunity.estimated_savings, counted=cents(amount), resources_counted=count))
    waste = sum((i.saving for i in counted if i.category == "waste"), Decimal(0))
    levers = sum((i.saving for i in counted if i.category == "pricing_lever"), Decimal(0))
    found = sum((Decimal(str(f.savings)) for o in opportunities for f in o.resources), Decimal(0))
    by_account: dict[str, Decimal] = {}
    for item in counted:
        by_account[item.key[0]] = by_account.get(item.key[0], Decimal(0)) + item.saving
    merges = sorted((i for i in counted if i.merged), key=lambda i: (-i.saving, i.key))
    lines = [_merged_line(i) for i in merges[:MAX_MERGED_LINES]]
    if len(merges) > MAX_MERGED_LINES:
        lines.append(f"... and {len(merges) - MAX_MERGED_LINES} more resources merged the same way")
    return SavingsTotals(total=cents(waste + levers), waste=cents(waste), pricing_levers=cents(levers),
                         found=cents(found), merged_resources=len(merges), by_opportunity=by_opportunity,
                         merged=lines, rule=RULE,
                         by_account={k: cents(v) for k, v in sorted(by_account.items(), key=lambda kv: -kv[1])})


def with_counted_flags(opportunities: list[Opportunity]) -> list[Opportunity]:
    """The opportunities with each finding's `counted` flag set: True on the finding that carries its resource."""
    chosen = {(item.opportunity.type, item.opportunity.service, item.finding.resource_id, item.finding.region,
               item.finding.account_id) for item in counted_findings(opportunities)}
    out = []
    for opportunity in opportunities:
        findings = [f.model_copy(update={"counted": (opportunity.type, opportunity.service, f.resource_id, f.region,
                                                     f.account_id) in chosen}) for f in opportunity.resources]
        out.append(opportunity.model_copy(update={"resources": findings}))
    return out


def waste_by_service(opportunities: list[Opportunity]) -> dict[str, Decimal]:
    """Counted waste per service (pricing levers apart): what `aws_waste_identified_usd{service}` shows."""
    out: dict[str, Decimal] = {}
    for item in counted_findings(opportunities):
        if item.category == "waste":
            out[item.opportunity.service] = out.get(item.opportunity.service, Decimal(0)) + item.saving
    return dict(sorted(out.items()))


def of_account(opportunities: list[Opportunity], account_id: str) -> list[Opportunity]:
    """The opportunities as one account sees them: its findings only, each opportunity's count and savings summed
    again over them (opportunities with none left are dropped)."""
    out = []
    for opportunity in opportunities:
        findings = [f for f in opportunity.resources if f.account_id == account_id]
        if findings:
            total = sum((Decimal(str(f.savings)) for f in findings), Decimal(0))
            out.append(opportunity.model_copy(update={"resources": findings, "resource_count": len(findings),
                                                      "estimated_savings": cents(total)}))
    return out
