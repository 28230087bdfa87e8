"""The sandbox fleet without moto: synthetic ids, its history, cost table, ground truth (shared by tests)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tools.pricing.book import PriceBook
from tools.sandbox.costs import build_cost_table
from tools.sandbox.fleet import build_fleet
from tools.sandbox.metrics import History
from tools.sandbox.selfcheck import offline_plant
from tools.sandbox.truth import aws_rightsizing, ground_truth

TODAY = datetime.now(UTC).date()


class Offline:
    def __init__(self, scale: int = 40) -> None:
        self.prices = PriceBook.load()
        self.fleet = build_fleet(scale, ["us-east-1", "eu-west-1"])
        self.planted = offline_plant(self.fleet)
        self.history = History(TODAY).build(self.planted)
        self.lines = build_cost_table(self.fleet, self.prices, TODAY)
        self.truth = ground_truth(self.fleet, self.planted, self.lines, TODAY)
        self.rightsizing = aws_rightsizing(self.planted, self.history, self.prices)

    def total(self, start: Any = None, end: Any = None) -> Decimal:
        return sum((ln.cost for ln in self.lines if (start is None or ln.day >= start) and (end is None or ln.day < end)),
                   Decimal(0))
