"""How the price book writes a quote: the price, its named and dated source, and for a region without its own price
an estimate from us-east-1 x a stated factor, rounded as AWS publishes. `PriceNotFound` when the book has no answer.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tools.models import PriceQuote

BASE_REGION = "us-east-1"


class PriceNotFound(KeyError):
    """No price for this key in the book (unknown type, class, region, storage class ...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def dec(value: Any) -> Decimal:
    return Decimal(str(value))


def estimate(base: Decimal, factor: Decimal) -> Decimal:
    """base x factor to 4 decimals, as AWS publishes, or to the base price's own precision when finer."""
    exponent = base.normalize().as_tuple().exponent
    digits = max(4, -exponent if isinstance(exponent, int) else 4)
    return (base * factor).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def factor_text(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP)}"


def book_quote(price: Decimal, unit: str, what: str, source_name: str, when: date,
               note: str | None = None) -> PriceQuote:
    """'price book <date> (<source>[; <note>]): <what>'."""
    book = f"price book {when.isoformat()} ({source_name}{'; ' + note if note else ''})"
    return PriceQuote(unit_price=float(price), unit=unit, source=f"{book}: {what}", effective_date=when)


def no_region(region: str, what: str, label: str, regions: list[str]) -> str:
    return f"region {region!r} has no {what} prices in the {label}; known regions: {', '.join(regions)}"
