"""What a collection saw: resources with their prices and measured utilization, errors, calls."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from tools.models.core import Model, ResourceKind
from tools.models.spend import (
    AwsRightsizing,
    CostSummary,
    Forecast,
    PriceSheet,
    PurchaseRecommendation,
    Utilization,
)


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
