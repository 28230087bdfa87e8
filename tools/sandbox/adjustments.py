"""What the account is billed beside usage: a Tax line on the 1st of each month, a daily promotional Credit, one
Refund inside the report period and, where Reserved Instances exist, their monthly RIFee."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from tools.pricing.book import PriceBook
from tools.sandbox import rates
from tools.sandbox.anomalies import anomaly_region
from tools.sandbox.cost_lines import (
    CENT,
    COMPUTE,
    HISTORY_DAYS,
    NO_REGION,
    NO_TAGS,
    ON_DEMAND,
    RDS,
    RESERVED,
    TAX,
    Line,
    region_code,
)
from tools.sandbox.fleet import Fleet
from tools.sandbox.reservations import reservations


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _previous_month(day: date) -> tuple[date, date]:
    last = day - timedelta(days=1)
    return date(last.year, last.month, 1), last


def adjustment_lines(usage: list[Line], fleet: Fleet, prices: PriceBook, today: date) -> list[Line]:
    """What is not usage: monthly RIFee and Tax on the 1st, a daily Credit, one Refund in the report period."""
    first = anomaly_region(fleet)
    code = region_code(first)
    days = [today - timedelta(days=n) for n in range(HISTORY_DAYS, 0, -1)]
    out: list[Line] = []
    for day in (d for d in days if d.day == 1):
        hours = Decimal(24 * calendar.monthrange(day.year, day.month)[1])
        for r in reservations(fleet, prices):
            out.append(Line(day, COMPUTE, r.region, f"{region_code(r.region)}-HeavyUsage:{r.instance_type}",
                            r.instance_type, NO_TAGS, _cents(r.hourly * hours * r.count), RESERVED, "RunInstances",
                            "RIFee", hours * r.count, "Hrs", Decimal("0.00"), fleet.account_id))
    for day in days:
        out.append(Line(day, COMPUTE, first, f"{code}-BoxUsage:m5.large", "NoInstanceType", NO_TAGS,
                        rates.PROMO_CREDIT_PER_DAY, ON_DEMAND, "RunInstances", "Credit", Decimal(0), "",
                        rates.PROMO_CREDIT_PER_DAY, fleet.account_id))
    refund_day = today - timedelta(days=rates.REFUND_DAYS_AGO)
    out.append(Line(refund_day, RDS, first, f"{code}-InstanceUsage:db.m5.large", "NoInstanceType", NO_TAGS,
                    rates.REFUND, ON_DEMAND, rates.RDS_OPERATIONS["postgres"], "Refund", Decimal(0), "", rates.REFUND,
                    fleet.account_id))
    charged = usage + [ln for ln in out if ln.record_type == "RIFee"]
    for day in (d for d in days if d.day == 1):
        start, end = _previous_month(day)
        base = sum((ln.cost for ln in charged if start <= ln.day <= end), Decimal(0))
        tax = _cents(base * rates.TAX_RATE)
        if tax:
            out.append(Line(day, TAX, NO_REGION, "Tax", "NoInstanceType", NO_TAGS, tax, ON_DEMAND, "NoOperation", "Tax",
                            Decimal(0), "", tax, fleet.account_id))
    return out

