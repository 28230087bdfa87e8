"""The simulated account's own rate rules: what it is billed for platforms, spot, reservations and legacy classes.

The price book (`tools.pricing.book`) knows Linux on-demand list prices only. The sandbox bills the rest by the
rules below, each stated with its source, so every billed dollar in the cost table and the ground truth can be
traced. The product never imports this module: it has to learn these rates from Cost Explorer.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from tools.pricing.book import PriceBook

Platform = Literal["linux", "windows", "rhel"]

WINDOWS_PER_VCPU_HOUR = Decimal("0.046")
"""Windows Server licence-included uplift over Linux, per vCPU-hour (AWS EC2 on-demand pricing: m5.large is
$0.096 Linux and $0.188 Windows in us-east-1, i.e. 2 vCPU x $0.046)."""
RHEL_PER_VCPU_HOUR = Decimal("0.0144")
"""Red Hat Enterprise Linux uplift over Linux, per vCPU-hour. Anchored on AWS's 2024 RHEL price change (per-vCPU
pricing from April 2024): a 4-vCPU instance (c5.xlarge, AWS's RHEL pricing FAQ example) went from the old +$0.06/h
to +$0.0576/h = 4 x $0.0144. Exact for the 4-vCPU RHEL instance the sandbox runs; an approximation elsewhere."""
SPOT_FRACTION = Decimal("0.35")
"""Spot price as a fraction of the Linux on-demand price (a fixed 65 % discount, inside the usual 60-70 %)."""
RI_EFFECTIVE_FRACTION = Decimal("0.625")
"""EC2 1-year Standard no-upfront Reserved Instance, effective hourly rate / Linux on-demand (us-east-1
m5.large: $0.060 RI vs $0.096 on demand)."""
RDS_RI_SAVINGS_PCT = Decimal(36)
"""AWS's RDS RI purchase advice in this account: 1-year no-upfront saves 36 % of the billed on-demand instance cost."""
SP_SAVINGS_PCT = Decimal(27)
"""AWS's Compute Savings Plans purchase advice in this account: 27 % of the steady on-demand EC2 spend."""
SPOT_MIGRATION_PCT = Decimal(35)
"""docs/rules.md's AWS_SPOT_SAVINGS_TARGET: the share of on-demand cost a move to spot saves."""
S3_COLD_FRACTION = Decimal("0.5")
"""docs/rules.md's S3_COLD_FRACTION."""
LEGACY_RDS_HOURLY: dict[tuple[str, str], Decimal] = {
    ("db.m3.medium", "postgres"): Decimal("0.090"),
}
"""Previous-generation RDS classes the price book no longer lists, Single-AZ us-east-1 per hour. db.m3.medium
PostgreSQL: the sandbox bills $0.090/h (the class's last published on-demand level; not verifiable in the current
price list). Other regions: x the region's db.m5.large price ratio; Multi-AZ: x 2."""
DYNAMODB_WCU_HOUR = Decimal("0.00065")
"""DynamoDB provisioned write capacity, per WCU-hour (AWS DynamoDB pricing, provisioned capacity, us-east-1)."""
TAX_RATE = Decimal("0.06")
"""Sales tax, posted on the 1st of each month on the previous calendar month's charges."""
PROMO_CREDIT_PER_DAY = Decimal("-3.00")
"""A promotional credit applied to EC2 compute every day."""
REFUND = Decimal("-42.50")
REFUND_DAYS_AGO = 12
"""One refund (RDS, first region) inside every report period."""

EC2_OPERATIONS: dict[Platform, str] = {"linux": "RunInstances", "windows": "RunInstances:0002",
                                       "rhel": "RunInstances:0010"}
"""Cost Explorer OPERATION (= DescribeInstances UsageOperation) per platform (AWS EC2 User Guide, AMI billing
information fields)."""
PLATFORM_DETAILS: dict[Platform, str] = {"linux": "Linux/UNIX", "windows": "Windows",
                                         "rhel": "Red Hat Enterprise Linux"}
SPOT_OPERATION = "RunInstances:SV001"
"""The OPERATION Cost Explorer shows on Linux SpotUsage hours."""
RDS_OPERATIONS = {"postgres": "CreateDBInstance:0014", "mysql": "CreateDBInstance:0002"}
RDS_ENGINE_NAMES = {"postgres": "PostgreSQL", "mysql": "MySQL"}
"""DatabaseEngine as AWS's RDS purchase recommendations name it."""


def _four(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def linux_hourly(prices: PriceBook, region: str, instance_type: str) -> Decimal:
    return Decimal(str(prices.ec2_hourly(region, instance_type).unit_price))


def ec2_hourly(prices: PriceBook, region: str, instance_type: str, platform: Platform = "linux") -> Decimal:
    """On-demand hourly rate the sandbox bills for a type on a platform."""
    base = linux_hourly(prices, region, instance_type)
    vcpus = prices.instance_specs(instance_type).vcpus
    if platform == "windows":
        return base + WINDOWS_PER_VCPU_HOUR * vcpus
    if platform == "rhel":
        return base + RHEL_PER_VCPU_HOUR * vcpus
    return base


def spot_hourly(prices: PriceBook, region: str, instance_type: str) -> Decimal:
    return linux_hourly(prices, region, instance_type) * SPOT_FRACTION


def ri_hourly(prices: PriceBook, region: str, instance_type: str) -> Decimal:
    """Effective hourly rate of a Linux 1-year Standard no-upfront EC2 Reserved Instance."""
    return _four(linux_hourly(prices, region, instance_type) * RI_EFFECTIVE_FRACTION)


def rds_hourly(prices: PriceBook, region: str, instance_class: str, engine: str, multi_az: bool = False) -> Decimal:
    """The price book's rate, else the legacy table's (scaled to the region, doubled for Multi-AZ)."""
    legacy = LEGACY_RDS_HOURLY.get((instance_class, engine))
    if legacy is None:
        return Decimal(str(prices.rds_hourly(region, instance_class, engine, multi_az).unit_price))
    anchor = "db.m5.large"
    ratio = (Decimal(str(prices.rds_hourly(region, anchor, engine).unit_price))
             / Decimal(str(prices.rds_hourly("us-east-1", anchor, engine).unit_price)))
    single = _four(legacy * ratio)
    return single * 2 if multi_az else single


def book_has_rds(prices: PriceBook, region: str, instance_class: str, engine: str) -> bool:
    try:
        prices.rds_hourly(region, instance_class, engine)
    except KeyError:
        return False
    return True
