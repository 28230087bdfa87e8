"""Spend as Cost Explorer reports it: periods, daily rows, the seed summary, forecast, commitments, billed usage."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from tools.models.core import Model

USAGE_RECORD_TYPES = ("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage")
"""Cost Explorer record types that are usage (docs/money.md); every other record type is an adjustment."""


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
    """The linked account whose spend this is, on rows grouped by LINKED_ACCOUNT; '' on the others."""


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
    daily_by_account: list[CostRow] = Field(default_factory=list)
    """Daily rows by linked account and service (region ''), same window, metrics and filter as `daily`; asked only
    when several accounts are read (AWS_ACCOUNTS), empty otherwise."""
    account_names: dict[str, str] = Field(default_factory=dict)
    """Linked account id -> its name, as Cost Explorer gives it with the rows above (may be empty)."""
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
