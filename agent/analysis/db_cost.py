"""What an RDS instance costs a month: instance hours plus storage, Multi-AZ prices when Multi-AZ."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from agent.analysis.context import Context
from agent.analysis.money import HOURS, dec, num, usd
from agent.analysis.prices import PRICE_ERRORS, unit
from tools.models import PriceBasis, Resource
from tools.resource_label import short_id


@dataclass(frozen=True)
class DbCost:
    instance: Decimal
    storage: Decimal
    source: str
    arithmetic: str
    basis: PriceBasis = "book"
    covered_share: float | None = None

    @property
    def total(self) -> Decimal:
        return self.instance + self.storage


def db_cost(db: Resource, ctx: Context) -> DbCost | None:
    """Instance and storage monthly cost from the price book (Multi-AZ prices when Multi-AZ); None if unpriced."""
    multi_az = bool(db.attributes.get("multi_az"))
    engine = str(db.attributes.get("engine") or "")
    storage_type = str(db.attributes.get("storage_type") or "gp2")
    size = dec(db.attributes.get("allocated_storage_gb") or 0)
    try:
        hourly = ctx.prices.rds_hourly(db.region, db.resource_type, engine, multi_az)
        gb = ctx.prices.rds_storage_gb_month(db.region, storage_type, multi_az)
    except PRICE_ERRORS:
        return None
    instance, storage = unit(hourly) * HOURS, size * unit(gb)
    text = (f"730 h x {usd(unit(hourly), 4)}/h + {num(size)} GB x {usd(unit(gb), 4)}/GB-month = "
            f"{usd(instance)} + {usd(storage)} = {usd(instance + storage)}")
    return DbCost(instance, storage, hourly.source, text, hourly.basis, hourly.covered_share)


def no_price(db: Resource) -> str:
    """The `missing` line of a database nothing can price."""
    return f"{short_id(db.resource_id, db.name)}: no price for {db.resource_type} in {db.region}"
