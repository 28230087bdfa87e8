"""Typed data at the edges: what collectors return, what analysis reads, what the report holds.

Money: computed with `Decimal` and stored here as floats rounded to the cent (`cents()`), so JSON
reports carry plain numbers that reconcile to the cent.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

OpportunityType = Literal[
    "idle_resource", "rightsizing", "spot_migration", "reserved_instance", "savings_plan",
    "unattached_volume", "volume_type_upgrade", "old_snapshot", "unused_elastic_ip", "idle_nat_gateway",
    "idle_database", "multi_az", "previous_generation", "lambda_memory", "lambda_errors",
    "s3_lifecycle", "s3_incomplete_uploads",
]
ResourceKind = Literal[
    "ec2_instance", "ebs_volume", "ebs_snapshot", "elastic_ip", "nat_gateway",
    "rds_instance", "rds_snapshot", "lambda_function", "s3_bucket", "autoscaling_group",
]
Priority = Literal["high", "medium", "low"]
PriceBasis = Literal["billed", "list", "book", "unpriced"]
"""Where a finding's rate came from (docs/money.md): the account's bill, the Pricing API, the packaged book, or
nothing (then its dollars are null and the evidence says why)."""

CENT = Decimal("0.01")


def cents(value: Decimal | float | int | str) -> float:
    """Round half-up to the cent and return a float for JSON."""
    return float(Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP))


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- spend (Cost Explorer)

class TimePeriod(Model):
    start: date
    """First day, inclusive."""
    end: date
    """Last day, inclusive (Cost Explorer's exclusive end minus one day)."""


class CostRow(Model):
    """One day's (or month's) unblended cost for one service, region and usage type."""

    day: date
    service: str
    region: str
    usage_type: str = ""
    cost: float
    amortized_cost: float | None = None
    account_id: str = ""


class CostSummary(Model):
    """The seed's Cost Explorer shape plus the daily rows behind it."""

    time_period: TimePeriod
    total_cost: float
    by_service: dict[str, float] = Field(default_factory=dict)
    by_region: dict[str, float] = Field(default_factory=dict)
    by_tag: dict[str, dict[str, float]] = Field(default_factory=dict)
    """Tag key -> tag value ('' for untagged) -> cost."""
    daily: list[CostRow] = Field(default_factory=list)
    """Daily rows by service and region. May start before `time_period` (history for anomaly baselines);
    the totals above cover `time_period` only."""
    daily_by_usage_type: list[CostRow] = Field(default_factory=list)
    """Daily rows by service and usage type (region ''), same window as `daily`: what drove a change."""
    currency: str = "USD"
    basis: str = ""
    """Which cost the amounts are (docs/money.md): usage at amortized cost, credits and the like apart."""
    adjustments: dict[str, float] = Field(default_factory=dict)
    """Record type -> unblended amount over `time_period` for what is not usage: Credit, Refund, Tax, Fee ..."""
    estimated_days: list[date] = Field(default_factory=list)
    """Days Cost Explorer marks as estimated (not final yet)."""


class Forecast(Model):
    time_period: TimePeriod
    mean: float
    lower: float | None = None
    upper: float | None = None


class Utilization(Model):
    """RI or Savings Plans utilization and coverage as Cost Explorer reports them."""

    kind: Literal["reservation", "savings_plans"]
    utilization_percentage: float | None = None
    coverage_percentage: float | None = None
    net_savings: float | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class BilledUsage(Model):
    """What the account paid for one usage type and operation over the lookback (Cost Explorer)."""

    usage_type: str
    """As Cost Explorer gives it, region prefix included: 'EU-BoxUsage:m5.large', 'BoxUsage:m5.large'."""
    operation: str = ""
    """'RunInstances', 'RunInstances:0002' (Windows), 'CreateDBInstance:0014' (PostgreSQL) ...; '' for covered usage."""
    record_type: str = "Usage"
    """'Usage' (on demand, spot), 'DiscountedUsage' (Reserved Instances), 'SavingsPlanCoveredUsage'."""
    quantity: float
    unit: str = ""
    """Cost Explorer's UsageQuantity unit: 'Hrs', 'GB-Mo', 'GB', 'Requests' ..."""
    cost: float
    """Unblended cost of Usage records; amortized (effective) cost of commitment-covered records."""


class PriceSheet(Model):
    """Every price the analysis may use, gathered before it runs: billed usage and list quotes."""

    period: TimePeriod | None = None
    """The lookback the billed usage covers."""
    billed: list[BilledUsage] = Field(default_factory=list)
    list_quotes: dict[str, Any] = Field(default_factory=dict)
    """The run's list-price quotes and Pricing API status (a `LivePriceBook` snapshot)."""


class PurchaseRecommendation(Model):
    """AWS's own advice to buy a Reserved Instance or Savings Plan (Cost Explorer purchase recommendations)."""

    kind: Literal["reserved_instance", "savings_plan"]
    service: str = ""
    region: str = ""
    instance_type: str = ""
    engine: str = ""
    deployment: str = ""
    """'Single-AZ' / 'Multi-AZ' for RDS."""
    count: float = 0.0
    """Instances to buy (RI); 0 for Savings Plans."""
    estimated_monthly_savings: float
    savings_percentage: float | None = None
    break_even_months: float | None = None
    on_demand_monthly: float | None = None
    hourly_commitment: float | None = None
    term: str = "ONE_YEAR"
    payment_option: str = "NO_UPFRONT"


class AwsRightsizing(Model):
    """One of AWS's own rightsizing recommendations (GetRightsizingRecommendation)."""

    resource_id: str
    region: str = ""
    current_type: str
    action: Literal["MODIFY", "TERMINATE"]
    target_type: str | None = None
    estimated_monthly_savings: float = 0.0


# ---------------------------------------------------------------- inventory and utilization

class PriceQuote(Model):
    """A unit price and where it came from, so every dollar figure can be traced."""

    unit_price: float
    unit: str
    """'hour', 'GB-month', 'IOPS-month', 'GB-second', 'request' ..."""
    source: str
    """e.g. 'price book 2026-11-01 (AWS public price list), us-east-1 m5.large Linux on-demand'."""
    effective_date: date | None = None
    basis: Literal["billed", "list", "book"] = "book"
    marginal_unit_price: float | None = None
    """What the bill drops by per unit when it differs from `unit_price` (usage partly covered by commitments)."""
    covered_share: float | None = None
    """Share (0..1) of this usage type's hours that Reserved Instances or Savings Plans covered."""
    note: str = ""
    """How the rate was derived when that needs saying (coverage, the list ratio applied to a billed rate)."""


class MetricSummary(Model):
    """Daily values of one CloudWatch metric for one resource, and their summary."""

    metric: str
    statistic: str
    daily: dict[date, float] = Field(default_factory=dict)
    average: float | None = None
    maximum: float | None = None
    total: float | None = None
    days: int = 0
    insufficient: bool = True
    """True when fewer days than the configured minimum exist."""


class Resource(Model):
    """One billable resource, whatever its kind.

    `attributes` keys by kind (all optional unless noted):
    - ec2_instance: vcpus, memory_gib, platform, launch_time, asg_name, lifecycle ('spot'|'on-demand'),
      volume_ids, volume_gb (attached EBS size), state ('running'|'stopped'), running_fraction (0..1 of lookback)
    - ebs_volume: size_gb (required), iops, throughput, attached_to (instance id or None), state
    - ebs_snapshot: size_gb (required), start_time, volume_id
    - elastic_ip: allocation_id, public_ip, association_id (None when unassociated)
    - nat_gateway: subnet_id, vpc_id, state
    - rds_instance: engine, multi_az (bool), allocated_storage_gb, storage_type, iops
    - rds_snapshot: size_gb, snapshot_create_time, db_instance_id
    - lambda_function: memory_mb, architecture ('x86_64'|'arm64'), runtime, timeout_s
    - s3_bucket: lifecycle_rules (int), has_abort_incomplete_rule (bool), storage_gb_by_class (dict),
      incomplete_uploads (int), incomplete_upload_oldest (datetime)
    """

    resource_id: str
    kind: ResourceKind
    service: str
    """Report service label: 'EC2', 'EBS', 'VPC', 'RDS', 'Lambda', 'S3'."""
    region: str
    resource_type: str = ""
    """Instance type, volume type, DB class, runtime ..."""
    state: str = ""
    name: str = ""
    tags: dict[str, str] = Field(default_factory=dict)
    created: datetime | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    monthly_cost: float = 0.0
    """On-demand monthly cost from the price book (730 hours a month)."""
    price: PriceQuote | None = None
    utilization: dict[str, MetricSummary] = Field(default_factory=dict)
    """Keyed by the metric spec's key (docs/rules.md), e.g. 'cpu', 'cpu_max', 'network_in', 'connections'."""
    notes: list[str] = Field(default_factory=list)
    """What could not be measured, said plainly (e.g. 'memory used not available without Lambda Insights')."""


class CollectionError(Model):
    """A region or service that failed; the rest of the collection still completed."""

    scope: str
    """'ec2/us-west-2', 'cost_explorer/get_savings_plans_utilization' ..."""
    error: str
    code: str = ""


class ApiCallCount(Model):
    service: str
    operation: str
    region: str
    outcome: str
    """'ok' or the error code."""
    calls: int
    paid_usd: float = 0.0


class CollectionResult(Model):
    """Everything one collection saw. Input to analysis; written to storage."""

    account_id: str = ""
    collected_at: datetime
    regions: list[str]
    costs: CostSummary | None = None
    forecast: Forecast | None = None
    reservations: Utilization | None = None
    reservations_by_service: dict[str, Utilization] = Field(default_factory=dict)
    """RI utilization and coverage per Cost Explorer service name (EC2, RDS, ElastiCache ... where present)."""
    savings_plans: Utilization | None = None
    purchase_recommendations: list[PurchaseRecommendation] = Field(default_factory=list)
    price_sheet: PriceSheet | None = None
    aws_rightsizing: list[AwsRightsizing] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    """Data the account or endpoint does not offer (e.g. 'savings_plans_utilization: NotImplemented')."""
    errors: list[CollectionError] = Field(default_factory=list)
    api_calls: list[ApiCallCount] = Field(default_factory=list)

    @property
    def partial(self) -> bool:
        return bool(self.errors)


# ---------------------------------------------------------------- findings and the report

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
