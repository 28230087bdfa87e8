"""Small helpers every inventory collector shares: tags, names, and pricing a resource with its source."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from tools.models import PriceQuote, Resource, cents
from tools.pricing.book import PriceNotFound, monthly

log = logging.getLogger(__name__)


def tag_dict(tags: Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    """AWS's [{'Key': k, 'Value': v}] -> {k: v}."""
    return {t["Key"]: t.get("Value", "") for t in tags or []}


def quote(price: Callable[..., PriceQuote], *args: Any) -> tuple[PriceQuote | None, str | None]:
    """A price book quote, or None and a plain note when the book has no price for it."""
    try:
        return price(*args), None
    except PriceNotFound as exc:
        return None, f"no price in the price book ({exc}); monthly cost shown as 0"


def monthly_of(q: PriceQuote | None, quantity: Decimal | float | int = 1) -> Decimal:
    return monthly(q, Decimal(str(quantity))) if q is not None else Decimal(0)


def set_cost(resource: Resource, amount: Decimal, q: PriceQuote | None, note: str | None = None) -> Resource:
    resource.monthly_cost = cents(amount)
    resource.price = q
    if note and note not in resource.notes:
        resource.notes.append(note)
    return resource


def summary_value(resource: Resource, key: str, field: str = "average") -> float | None:
    summary = resource.utilization.get(key)
    return getattr(summary, field) if summary is not None else None


def days_of(resource: Resource, key: str) -> int:
    summary = resource.utilization.get(key)
    return summary.days if summary is not None else 0
