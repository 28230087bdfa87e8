"""The sandbox fleet without moto: synthetic ids, its history, cost table, ground truth (shared by tests)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from tools.pricing.book import PriceBook
from tools.sandbox.billing import purchase_advice
from tools.sandbox.costs import build_cost_table, reservations
from tools.sandbox.fleet import Variant, build_fleet
from tools.sandbox.metrics import History
from tools.sandbox.selfcheck import offline_plant
from tools.sandbox.truth import aws_rightsizing, ground_truth

TODAY = date.fromisoformat(os.environ["SANDBOX_TEST_TODAY"]) if os.environ.get("SANDBOX_TEST_TODAY") \
    else datetime.now(UTC).date()
"""Today's date, or SANDBOX_TEST_TODAY (YYYY-MM-DD) to run the offline tests as of another day."""


class Offline:
    def __init__(self, scale: int = 40, variant: Variant = "standard", today: Any = None) -> None:
        self.today = today or TODAY
        self.prices = PriceBook.load()
        self.fleet = build_fleet(scale, ["us-east-1", "eu-west-1"], variant=variant)
        self.planted = offline_plant(self.fleet)
        self.history = History(self.today).build(self.planted)
        self.lines = build_cost_table(self.fleet, self.prices, self.today)
        self.advice = purchase_advice(self.fleet, self.lines, self.prices, self.today)
        self.reservations = reservations(self.fleet, self.prices)
        self.truth = ground_truth(self.fleet, self.planted, self.lines, self.today, self.history, self.prices,
                                  self.advice)
        self.rightsizing = aws_rightsizing(self.planted, self.history, self.prices)

    def total(self, start: Any = None, end: Any = None) -> Decimal:
        """Unblended cost of every line (usage and adjustments) with start <= day < end."""
        return sum((ln.cost for ln in self.lines if (start is None or ln.day >= start) and (end is None or ln.day < end)),
                   Decimal(0))

    def usage(self, start: Any = None, end: Any = None) -> Decimal:
        """Usage basis (amortized cost of the usage record types) with start <= day < end."""
        return sum((ln.amortized for ln in self.lines if ln.is_usage and (start is None or ln.day >= start)
                    and (end is None or ln.day < end)), Decimal(0))
