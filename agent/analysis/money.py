"""Money and numbers as the evidence shows them, and what a price quote says about itself (docs/money.md)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from agent.analysis.prices import unit
from tools.models import PriceQuote
from tools.pricing.book import HOURS_PER_MONTH

HOURS = HOURS_PER_MONTH
"""Hours in a billing month (docs/rules.md)."""
MB = Decimal(1_048_576)
GIB = Decimal(1024**3)


def dec(value: Any) -> Decimal:
    return Decimal(str(value))


def usd(value: Decimal | float, places: int = 2) -> str:
    """Money as text: $1,234.56 (or more places for unit prices)."""
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    return f"${rounded:,.{places}f}"


def num(value: Decimal | float | int) -> str:
    """A number as text without trailing zeros: 35, 0.5, 1000."""
    return format(Decimal(str(value)).normalize(), "f")


def hours_text(hours: Decimal) -> str:
    return f"{num(hours)} h"


def all_month(quote: PriceQuote) -> tuple[Decimal, str]:
    """An hourly price running the whole month: the monthly cost and its arithmetic as evidence text."""
    monthly = unit(quote) * HOURS
    return monthly, f"730 h x {usd(unit(quote), 4)}/h = {usd(monthly)}"


def marginal_factor(quote: PriceQuote) -> Decimal:
    """Share of the rate the bill actually drops by (below 1 when commitments cover part of the usage type)."""
    if quote.marginal_unit_price is None or not quote.unit_price:
        return Decimal(1)
    return Decimal(str(quote.marginal_unit_price)) / Decimal(str(quote.unit_price))


def price_evidence(quote: PriceQuote) -> dict[str, Any]:
    """The rate, its basis and source, and how commitments bear on it."""
    out: dict[str, Any] = {"price_basis": quote.basis, "price_source": quote.source}
    if quote.note:
        out["price_note"] = quote.note
    if quote.covered_share:
        out["covered_share"] = quote.covered_share
    return out


def unpriced_evidence(reason: str) -> dict[str, Any]:
    return {"price_basis": "unpriced", "unpriced_reason": reason,
            "price_source": "none: no billed usage, list price or price-book entry"}
