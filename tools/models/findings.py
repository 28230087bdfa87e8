"""What the analysis concludes and the report holds: findings, opportunities, anomalies, the run's bill."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import ConfigDict, Field

from tools.models.core import Effort, Model, OpportunityType, PriceBasis, Priority, SavingsCategory
from tools.models.inventory import ApiCallCount, CollectionError
from tools.models.spend import Forecast, TimePeriod


class Finding(Model):
    """One resource inside an opportunity."""

    resource_id: str
    region: str
    monthly_cost: float | None
    """None only when `price_basis` is 'unpriced'."""
    estimated_savings: float | None
    """None only when `price_basis` is 'unpriced'."""
    recommendation: str
    evidence: dict[str, Any]
    """Metric values and days used, price and its source, and the arithmetic ('730 h x $0.096 = $70.08')."""
    confidence: float = Field(0.9, ge=0, le=1)
    name: str = ""
    resource_type: str = ""
    price_basis: PriceBasis = "book"
    account_id: str = ""
    counted: bool = True
    """False when another finding on the same resource carries it in the savings total (agent.analysis.savings)."""

    @property
    def savings(self) -> float:
        """The saving as a number for sums and ranking: an unpriced finding adds nothing."""
        return self.estimated_savings or 0.0


class Opportunity(Model):
    type: OpportunityType
    service: str
    resource_count: int
    estimated_savings: float
    confidence: float = Field(ge=0, le=1)
    priority: Priority
    resources: list[Finding]
    description: str = ""


class CountedSavings(Model):
    """One opportunity's share of the deduplicated savings total (the report's bars add up to the total)."""

    type: OpportunityType
    service: str
    category: SavingsCategory
    found: float
    """The sum of its findings' savings, as `Opportunity.estimated_savings`."""
    counted: float
    """The part of `SavingsTotals.total` it carries: its findings that are their resource's counted action."""
    resources_counted: int


class SavingsTotals(Model):
    """The one monthly savings total every surface shows, split into waste and pricing levers, and what was merged.

    `total` = `waste` + `pricing_levers`, to the cent; the `counted` values of `by_opportunity` add up to it."""

    total: float = 0.0
    waste: float = 0.0
    """Idle, unused, oversized and misconfigured resources (the report's `total_waste`)."""
    pricing_levers: float = 0.0
    """Paying less for what stays: Reserved Instances, Savings Plans, spot."""
    found: float = 0.0
    """The sum of every finding's savings before overlaps are merged."""
    merged_resources: int = 0
    """Resources with more than one finding, counted once."""
    by_opportunity: list[CountedSavings] = Field(default_factory=list)
    merged: list[str] = Field(default_factory=list)
    """One sentence per merged resource: which saving counts and which were left out."""
    rule: str = ""
    """How overlaps are merged, in one sentence."""
    by_account: dict[str, float] = Field(default_factory=dict)
    """Account id -> its part of `total` (many accounts; '' for findings without an account), adding up to it."""


class Action(Model):
    """One row of "do this first": a single change to a single resource, with its counted saving."""

    rank: int
    resource_id: str
    name: str = ""
    region: str
    account_id: str = ""
    service: str
    type: OpportunityType
    category: SavingsCategory
    action: str
    monthly_saving: float
    confidence: float = Field(ge=0, le=1)
    effort: Effort
    risk: str
    """What the change puts at risk, in one sentence."""
    arithmetic: str = ""
    price_source: str = ""
    also_found: list[str] = Field(default_factory=list)
    """The resource's other findings, merged into this one ('spot_migration $196.20')."""


class UsageDriver(Model):
    usage_type: str
    expected_cost: float
    actual_cost: float
    change: float


class Anomaly(Model):
    service: str
    region: str = ""
    metric: str = "daily_cost"
    date: date
    expected_cost: float
    actual_cost: float
    change_percentage: float
    drivers: list[UsageDriver] = Field(default_factory=list)
    baseline: str = ""
    """How the expected cost was computed, e.g. 'mean of the same weekday over the previous 4 weeks'."""


class RunCost(Model):
    """What this run cost the user: Bedrock tokens, Redshift RPU time, Lambda GB-seconds, paid AWS requests."""

    bedrock: float = 0.0
    redshift: float = 0.0
    # `lambda` is a keyword; the JSON key is "lambda".
    lambda_: float = Field(0.0, alias="lambda")
    aws_api: float = 0.0
    total: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)


class Report(Model):
    """DESIGN.md's report; `contract/check_report.py` checks its JSON."""

    time_period: TimePeriod
    total_monthly_cost: float
    total_waste: float
    waste_percentage: float
    by_service: dict[str, float]
    by_region: dict[str, float]
    by_account: dict[str, float] = Field(default_factory=dict)
    """Linked account id -> its part of `total_monthly_cost` (same month, adds up to it to the cent); empty unless
    several accounts are read."""
    by_tag: dict[str, dict[str, float]] = Field(default_factory=dict)
    """Cost allocation tag key -> value ('' untagged) -> its part of `total_monthly_cost` (Cost Explorer's tag
    grouping, made one month like the total; each key adds up to it)."""
    opportunities: list[Opportunity]
    anomalies: list[Anomaly]
    run_cost: RunCost = Field(default_factory=RunCost)
    partial: bool = False
    errors: list[CollectionError] = Field(default_factory=list)
    insufficient_data: list[dict[str, Any]] = Field(default_factory=list)
    """Resources skipped for too little data: {resource_id, region, kind, days, needed}."""
    skipped_ignored: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    forecast: Forecast | None = None
    executive_summary: str = ""
    summary_source: str = ""
    """'bedrock:<model id>' or 'deterministic (no LLM configured)' / 'deterministic (Bedrock failed: ...)'."""
    generated_at: datetime | None = None
    regions: list[str] = Field(default_factory=list)
    account_id: str = ""
    api_calls: list[ApiCallCount] = Field(default_factory=list)
    monthly_basis: str = ""
    """How `total_monthly_cost` was made one month (docs/money.md)."""
    adjustments: dict[str, float] = Field(default_factory=dict)
    """Credits, refunds, tax, fees over `time_period`, by record type: shown apart, never in the spend."""
    unpriced_findings: int = 0
    """Findings reported without dollars because nothing could price them."""
    savings: SavingsTotals = Field(default_factory=SavingsTotals)
    """The deduplicated monthly savings: the one total on every surface."""
    do_first: list[Action] = Field(default_factory=list)
    """The best single actions, ranked by saving x confidence (agent.analysis.actions)."""
