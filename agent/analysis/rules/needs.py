"""Needs several rules share: an instance's or a database's own price, and enough days of CPU."""

from __future__ import annotations

from agent.analysis import db_cost, instance_cost
from agent.analysis.context import Context
from agent.analysis.rules.base import DataNeed, PriceNeed
from agent.analysis.rules.metrics import CPU
from tools.models import Resource


def _instance_unpriced(resource: Resource, ctx: Context) -> str | None:
    return None if instance_cost.own_quote(resource, ctx) is not None else instance_cost.no_price(resource)


def _database_unpriced(db: Resource, ctx: Context) -> str | None:
    return None if db_cost.db_cost(db, ctx) is not None else db_cost.no_price(db)


INSTANCE_PRICE = PriceNeed("instance price", ("instance_hourly",), _instance_unpriced)
"""The instance's billed (else list, else book) hourly rate for its own type, usage type and operation."""
DATABASE_PRICE = PriceNeed("database price", ("rds_hourly", "rds_storage_gb_month"), _database_unpriced)
"""The database's instance-hour and storage prices."""
CPU_DAYS = DataNeed(CPU, "min_data_days")
"""MIN_DATA_DAYS of CPU: fewer lists a running instance in `insufficient_data` (docs/rules.md)."""
