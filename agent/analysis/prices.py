"""The slice of the price book (`tools.pricing.book.PriceBook`) that the rules read, as a structural type.

Analysis depends on this protocol rather than the concrete class so rules stay pure and testable.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from tools.models import CollectionResult, PriceQuote
from tools.pricing.book import PriceBook, PriceNotFound


class Prices(Protocol):
    def ec2_hourly(self, region: str, instance_type: str) -> PriceQuote: ...
    def instance_specs(self, instance_type: str) -> Any: ...
    def family_types(self, family: str) -> list[str]: ...
    def current_generation(self, instance_type: str) -> str | None: ...
    def ebs_gb_month(self, region: str, volume_type: str) -> PriceQuote: ...
    def ebs_iops_month(self, region: str, volume_type: str) -> PriceQuote: ...
    def snapshot_gb_month(self, region: str) -> PriceQuote: ...
    def rds_hourly(self, region: str, instance_class: str, engine: str, multi_az: bool) -> PriceQuote: ...
    def rds_storage_gb_month(self, region: str, storage_type: str, multi_az: bool) -> PriceQuote: ...
    def rds_snapshot_gb_month(self, region: str) -> PriceQuote: ...
    def lambda_gb_second(self, region: str, architecture: str) -> PriceQuote: ...
    def lambda_request(self, region: str) -> PriceQuote: ...
    def s3_gb_month(self, region: str, storage_class: str) -> PriceQuote: ...
    def eip_hourly(self, region: str) -> PriceQuote: ...
    def nat_hourly(self, region: str) -> PriceQuote: ...


def analysis_prices(collection: CollectionResult) -> Any:
    """The base the rules price from: the collection's list quotes over the packaged book (pure, no I/O)."""
    book = PriceBook.load()
    quotes = collection.price_sheet.list_quotes if collection.price_sheet else {}
    try:
        from tools.pricing.quotes import QuoteSheet
    except ImportError:  # pragma: no cover - until the quote sheet module exists
        return book
    return QuoteSheet(book, quotes)


PRICE_ERRORS: tuple[type[Exception], ...] = (PriceNotFound,)
"""What a rule catches when a price is unknown: that resource gets no finding and a `missing` line."""


def unit(quote: PriceQuote) -> Decimal:
    """The quote's unit price as an exact Decimal."""
    return Decimal(str(quote.unit_price))
