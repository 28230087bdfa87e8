"""A line of the seeded Cost Explorer table, the names it uses, and the table's usage-basis sums.

Every line carries what Cost Explorer shows for it: OPERATION, RECORD_TYPE, UsageQuantity with its unit, and an
amortized cost apart from the unblended one (Reserved-Instance-covered hours are DiscountedUsage: unblended 0,
amortized = the reservation's effective rate). Each line is rounded to the cent (unblended and amortized alike), so
every grouping sums exactly. `costs` builds the table; `adjustments` adds what is not usage.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from tools.models import USAGE_RECORD_TYPES
from tools.pricing.billed import REGION_CODES
from tools.sandbox.fleet import ACCOUNT_ID

HISTORY_DAYS = 90
DAYS_PER_MONTH = Decimal("30.4167")
CENT = Decimal("0.01")
QUANTITY = Decimal("0.000001")
COMPUTE = "Amazon Elastic Compute Cloud - Compute"
EC2_OTHER = "EC2 - Other"
VPC = "Amazon Virtual Private Cloud"
RDS = "Amazon Relational Database Service"
LAMBDA = "AWS Lambda"
S3 = "Amazon Simple Storage Service"
CLOUDWATCH = "AmazonCloudWatch"
DYNAMODB = "Amazon DynamoDB"
TAX = "Tax"
NO_REGION = "NoRegion"
TAG_KEYS = ("env", "team", "cost-center")
ON_DEMAND = "On Demand Instances"
RESERVED = "Standard Reserved Instances"
SPOT = "Spot Instances"
NO_TAGS = ("", "", "")
EBS_OPERATIONS = {"gp2": "CreateVolume-Gp2", "gp3": "CreateVolume-Gp3", "io1": "CreateVolume-P-IOPS"}
EBS_USAGE = {"gp2": "EBS:VolumeUsage.gp2", "gp3": "EBS:VolumeUsage.gp3", "io1": "EBS:VolumeUsage.piops"}


@dataclass(frozen=True)
class Line:
    day: date
    service: str
    region: str
    usage_type: str
    instance_type: str
    tags: tuple[str, str, str]
    """Values of env, team, cost-center."""
    cost: Decimal
    """Unblended cost (also BlendedCost, NetUnblendedCost: the account has no discounts)."""
    purchase_type: str = ON_DEMAND
    operation: str = ""
    record_type: str = "Usage"
    quantity: Decimal = Decimal(0)
    """UsageQuantity, in `unit` (0 for lines that are not usage)."""
    unit: str = ""
    amortized_cost: Decimal | None = None
    """AmortizedCost (also NetAmortizedCost); None = equal to `cost`."""
    account_id: str = ACCOUNT_ID
    """LINKED_ACCOUNT: the account the line is billed to (a member's, in an organization)."""

    @property
    def amortized(self) -> Decimal:
        return self.cost if self.amortized_cost is None else self.amortized_cost

    @property
    def is_usage(self) -> bool:
        return self.record_type in USAGE_RECORD_TYPES


def region_code(region: str) -> str:
    return REGION_CODES.get(region, region.upper())


def line_order(line: Line) -> tuple[Any, ...]:
    return (line.day, line.service, line.region, line.usage_type, line.instance_type, line.tags, line.purchase_type,
            line.operation, line.record_type)


def totals(lines: list[Line], start: date, end: date) -> dict[str, Any]:
    """Usage-basis totals (docs/money.md: AmortizedCost of the usage record types) for start..end inclusive."""
    total = Decimal(0)
    by_service: dict[str, Decimal] = defaultdict(Decimal)
    by_region: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        if start <= line.day <= end and line.is_usage:
            total += line.amortized
            by_service[line.service] += line.amortized
            by_region[line.region] += line.amortized
    return {"total": float(total), "by_service": {k: float(v) for k, v in sorted(by_service.items())},
            "by_region": {k: float(v) for k, v in sorted(by_region.items())}}


def adjustments(lines: list[Line], start: date, end: date) -> dict[str, float]:
    """Record type -> unblended total of the lines that are not usage, start..end inclusive."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        if start <= line.day <= end and not line.is_usage:
            out[line.record_type] += line.cost
    return {k: float(v) for k, v in sorted(out.items())}


def monthly_spend(lines: list[Line], end: date) -> float:
    """Usage-basis spend of the 30 days ending `end` (inclusive)."""
    start = end - timedelta(days=29)
    return float(sum((ln.amortized for ln in lines if start <= ln.day <= end and ln.is_usage), Decimal(0)))

