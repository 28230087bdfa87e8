"""Shared pieces of the models: the names of kinds and types, money rounding, the strict base model."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

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
SavingsCategory = Literal["waste", "pricing_lever"]
"""Waste: idle, unused, oversized, misconfigured. A pricing lever: paying less for what stays (RI, SP, spot)."""
Effort = Literal["online change", "restart", "data deletion", "removal", "purchase", "code change"]
"""What acting on a finding takes: the report's effort/risk column."""


PriceBasis = Literal["billed", "list", "book", "unpriced"]
"""Where a finding's rate came from (docs/money.md): the account's bill, the Pricing API, the packaged book, or
nothing (then its dollars are null and the evidence says why)."""


CENT = Decimal("0.01")


def cents(value: Decimal | float | int | str) -> float:
    """Round half-up to the cent and return a float for JSON."""
    return float(Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP))


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")
