"""What every rule reads besides the resource (`Context`), and what rules produce (`Hit`, `Outcome`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from tools.models import AwsRightsizing, Finding, OpportunityType, PurchaseRecommendation, Resource
from tools.pricing.billed import BilledPrices
from tools.settings import Settings


@dataclass(frozen=True)
class Context:
    """Everything a rule may read besides the resource itself."""

    settings: Settings
    prices: BilledPrices
    """Billed rates first, then list quotes gathered at collection, then the book: never I/O."""
    now: datetime
    ri_coverage: float | None = None
    """Reserved Instance coverage % from Cost Explorer, None when not reported."""
    sp_coverage: float | None = None
    """Savings Plans coverage % from Cost Explorer, None when not reported."""
    volumes: dict[str, Resource] = field(default_factory=dict)
    """EBS volumes by id (not ignored), so a stopped instance can price what it still pays for."""
    aws_rightsizing: dict[str, AwsRightsizing] = field(default_factory=dict)
    """AWS's own rightsizing recommendations (Cost Explorer) by instance id: corroboration, never a finding."""
    purchases: tuple[PurchaseRecommendation, ...] = ()
    """AWS's RI and Savings Plans purchase recommendations for the account."""
    snapshot_spend: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    """(region, 'EBS'|'RDS') -> monthly snapshot spend from Cost Explorer: old snapshots never claim more."""
    account_id: str = ""
    autoscaling: dict[tuple[str, str], Resource] = field(default_factory=dict)
    """Auto Scaling groups by (region, name): group findings name their capacity and launch template."""

    def __post_init__(self) -> None:
        if not isinstance(self.prices, BilledPrices):  # a bare book (tests, no collection): list prices only
            object.__setattr__(self, "prices", BilledPrices(self.prices))

    def savings_plan(self) -> PurchaseRecommendation | None:
        return next((p for p in self.purchases if p.kind == "savings_plan" and p.savings_percentage), None)


@dataclass
class Hit:
    """One finding of one rule, with the opportunity it belongs to."""

    type: OpportunityType
    service: str
    finding: Finding
    covered: tuple[str, ...] = ()
    """Other resources whose cost this finding already includes (a stopped instance's volumes)."""


@dataclass
class Outcome:
    """What the rules found over a set of resources, and what they could not judge."""

    hits: list[Hit] = field(default_factory=list)
    insufficient: list[dict[str, Any]] = field(default_factory=list)
    """Resources with too few days of a metric: {resource_id, region, kind, metric, days, needed[, name]}."""
    missing: list[str] = field(default_factory=list)
    """Prices the rules needed and did not find, one line each."""
