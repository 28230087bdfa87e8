"""AWS's purchase advice for the simulated account, as its Cost Explorer answers it: RDS Reserved Instances for
the steady on-demand databases, a Compute Savings Plan for the steady on-demand instances, priced at their billed
rates (billing.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tools.pricing.book import PriceBook
from tools.sandbox import rates
from tools.sandbox.billing import HOURS, BilledRates, cents, ec2_hourly, rds_hourly
from tools.sandbox.cost_lines import Line
from tools.sandbox.fleet import Fleet


@dataclass(frozen=True)
class RdsAdvice:
    """One RDS RI purchase recommendation line: steady on-demand databases of one class, engine and deployment."""

    region: str
    instance_class: str
    engine: str
    multi_az: bool
    count: int
    hourly: Decimal
    """Billed on-demand hourly rate of one instance."""

    @property
    def on_demand_monthly(self) -> Decimal:
        return cents(self.hourly * HOURS)

    @property
    def saving_per_instance(self) -> Decimal:
        return cents(self.hourly * HOURS * rates.RDS_RI_SAVINGS_PCT / 100)


@dataclass(frozen=True)
class SpAdvice:
    """AWS's Compute Savings Plans advice: the steady on-demand EC2 hours it would cover."""

    hourly_on_demand: Decimal
    instances: int

    @property
    def on_demand_monthly(self) -> Decimal:
        return cents(self.hourly_on_demand * HOURS)

    @property
    def savings_monthly(self) -> Decimal:
        return cents(self.hourly_on_demand * HOURS * rates.SP_SAVINGS_PCT / 100)

    @property
    def hourly_commitment(self) -> Decimal:
        return (self.hourly_on_demand * (100 - rates.SP_SAVINGS_PCT) / 100).quantize(Decimal("0.001"),
                                                                                       rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Advice:
    rds: tuple[RdsAdvice, ...]
    savings_plan: SpAdvice | None


def purchase_advice(fleet: Fleet, lines: list[Line], prices: PriceBook, today: date) -> Advice:
    """AWS's RI advice for the steady on-demand databases the fleet expects `reserved_instance` for, and its
    Compute Savings Plans advice for the steady on-demand instances it expects `savings_plan` for, priced at
    their billed rates over the 30 days ending yesterday (LookbackPeriodInDays THIRTY_DAYS)."""
    billed = BilledRates(lines, today - timedelta(days=30), today - timedelta(days=1))
    counts: dict[tuple[str, str, str, bool], int] = defaultdict(int)
    templates: dict[tuple[str, str, str, bool], Any] = {}
    sp_hourly, sp_count = Decimal(0), 0
    for block in fleet.blocks:
        for db in block.rds:
            if "reserved_instance" in db.expect:
                key = (block.region, db.instance_class, db.engine, db.multi_az)
                counts[key] += 1
                templates[key] = db
        for t in block.ec2:
            if "savings_plan" in t.expect:
                sp_hourly += ec2_hourly(billed, prices, block.region, t)[0] * t.count
                sp_count += t.count
    rds = tuple(RdsAdvice(region, klass, engine, multi_az, count,
                          rds_hourly(billed, prices, region, templates[(region, klass, engine, multi_az)])[0])
                for (region, klass, engine, multi_az), count in sorted(counts.items()))
    return Advice(rds, SpAdvice(sp_hourly, sp_count) if sp_count else None)
