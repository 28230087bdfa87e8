"""What the simulated account is billed, read back from its own cost table: the billed rate of a usage type.

A resource's billed rate is what Cost Explorer reveals for its own usage: the unblended cost of the `Usage` lines
of its usage type (and operation) in the report period divided by their UsageQuantity (docs/money.md's
`billed` basis). Where the account has no such usage (a rightsizing target it does not run yet, gp3 IOPS,
Standard-IA), the sandbox's rate rules (rates.py; list prices for Linux and storage) price it. An instance is billed
for 730 h x its hours a day / 24. AWS's purchase advice (advice.py) and the billed dollars of every planted waste
item (waste_pricing.py) are priced at these rates, from the table and the rules' formulas only, never from the
product's code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tools.pricing.book import PriceBook
from tools.sandbox import rates
from tools.sandbox.cost_lines import Line, region_code

HOURS = Decimal(730)
CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def usd(value: Decimal, places: int = 2) -> str:
    return f"${value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,}"


def rate_text(value: Decimal) -> str:
    """A unit rate with enough places to read: $0.095840, $0.0000166667."""
    return usd(value, 6 if abs(value) >= Decimal("0.01") else 10)


def suffix(usage_type: str, region: str) -> str:
    """'USE1-BoxUsage:m5.large' -> 'BoxUsage:m5.large'."""
    return usage_type.removeprefix(f"{region_code(region)}-")


class BilledRates:
    """Cost / UsageQuantity of the table's `Usage` lines in start..end, per (region, usage type, operation)."""

    def __init__(self, lines: list[Line], start: date, end: date) -> None:
        self.start, self.end = start, end
        self.cost: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
        self.quantity: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
        for ln in lines:
            if start <= ln.day <= end and ln.record_type == "Usage" and ln.quantity:
                key = (ln.region, suffix(ln.usage_type, ln.region), ln.operation)
                self.cost[key] += ln.cost
                self.quantity[key] += ln.quantity

    def rate(self, region: str, usage: str, operation: str | None = None) -> Decimal | None:
        keys = [k for k in self.quantity if k[0] == region and k[1] == usage and operation in (None, k[2])]
        quantity = sum((self.quantity[k] for k in keys), Decimal(0))
        if not quantity:
            return None
        return sum((self.cost[k] for k in keys), Decimal(0)) / quantity

    def priced(self, region: str, usage: str, operation: str | None, rule: Callable[[], Decimal],
               unit: str = "h") -> tuple[Decimal, str]:
        """(rate, how it was priced): billed when the account has that usage, else the sandbox's rule."""
        billed = self.rate(region, usage, operation)
        label = f"{region_code(region)}-{usage}" + (f" {operation}" if operation else "")
        if billed is not None:
            return billed, f"{rate_text(billed)}/{unit} billed ({label})"
        value = rule()
        return value, f"{rate_text(value)}/{unit} rule ({label} not billed)"


def ec2_hourly(billed: BilledRates, prices: PriceBook, region: str, template: Any) -> tuple[Decimal, str]:
    """Billed hourly rate of an instance's own usage (spot: its SpotUsage type, any operation)."""
    if template.spot:
        return billed.priced(region, f"SpotUsage:{template.instance_type}", None,
                             lambda: rates.spot_hourly(prices, region, template.instance_type))
    return billed.priced(region, f"BoxUsage:{template.instance_type}", rates.EC2_OPERATIONS[template.platform],
                         lambda: rates.ec2_hourly(prices, region, template.instance_type, template.platform))


def rds_hourly(billed: BilledRates, prices: PriceBook, region: str, db: Any) -> tuple[Decimal, str]:
    usage = f"{'Multi-AZUsage' if db.multi_az else 'InstanceUsage'}:{db.instance_class}"
    return billed.priced(region, usage, rates.RDS_OPERATIONS[db.engine],
                         lambda: rates.rds_hourly(prices, region, db.instance_class, db.engine, db.multi_az))


def instance_hours(template: Any) -> Decimal:
    """Hours a month the instance is billed for: 730, or 730 x its hours a day / 24."""
    return HOURS * template.hours_per_day / 24

