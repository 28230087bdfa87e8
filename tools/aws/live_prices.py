"""The price book with live EC2 prices: the AWS Pricing API when it answers, the packaged book otherwise.

`LivePriceBook` is a `PriceBook` (every method, same data) whose `ec2_hourly` asks the Pricing API first,
through `tools.aws.pricing_api.fetch_ec2_price` (7-day disk cache under the data directory, one cache per
endpoint). The first failure (no network, AccessDenied, an endpoint without the service) ends the asking
for the rest of the run: every later EC2 price comes from the book, and `notes()` says so. A quote's
`source` always names where its price came from.

One run prices alike: `snapshot()` is the run's quotes and API status as JSON, and a `LivePriceBook`
built from it (`state=`) serves the same quotes and never retries an API that already failed.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from tools.aws.pricing_api import fetch_ec2_price, unavailable_reason
from tools.models import PriceQuote
from tools.pricing.book import PriceBook
from tools.settings import Settings

API_SOURCE = "AWS Pricing API"
_AWS_HOST = re.compile(r"^https://api\.pricing\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/?$")


class LivePriceBook(PriceBook):
    """A `PriceBook` whose EC2 on-demand prices come from the Pricing API when it is reachable."""

    def __init__(self, book: PriceBook, factory: Any, settings: Settings, *,
                 state: dict[str, Any] | None = None) -> None:
        vars(self).update(vars(book))  # the book's own data: every inherited method answers exactly as it does
        self.book = book
        self.factory = factory
        self.settings = settings
        state = state or {}
        self.status: str = str(state.get("status") or ("unknown" if settings.pricing_api else "off"))
        """'unknown' (not asked yet), 'ok' (it answered), 'down' (it failed: book from now on), 'off' (setting)."""
        self.reason: str = str(state.get("reason") or "")
        self._quotes: dict[str, PriceQuote] = {
            key: PriceQuote.model_validate(raw) for key, raw in (state.get("quotes") or {}).items()}
        self._probe = threading.Lock()  # until the API has answered once, one request at a time
        self._memo = threading.Lock()

    def ec2_hourly(self, region: str, instance_type: str) -> PriceQuote:
        """Linux on-demand hourly price: this run's quote, else the Pricing API (cached), else the book."""
        key = f"{region}|{instance_type}"
        with self._memo:
            known = self._quotes.get(key)
        if known is not None:
            return known
        if self.status in ("off", "down"):
            return self.book.ec2_hourly(region, instance_type)
        if self.status == "unknown":
            with self._probe:
                return self._ask(key, region, instance_type)
        return self._ask(key, region, instance_type)

    def _ask(self, key: str, region: str, instance_type: str) -> PriceQuote:
        if self.status == "down":  # another thread's probe failed while this one waited
            return self.book.ec2_hourly(region, instance_type)
        quote = fetch_ec2_price(self.factory, region, instance_type, cache_dir=self._cache_dir(),
                                book=self.book)
        reason = unavailable_reason(self.factory)
        if reason is not None:
            self.status, self.reason = "down", reason
        elif self.status == "unknown" and self.factory.ledger.count(service="pricing"):
            self.status = "ok"  # it answered (a disk-cache hit proves nothing about today)
        if quote.source.startswith(API_SOURCE):
            with self._memo:
                self._quotes[key] = quote
        return quote

    def _cache_dir(self) -> Path:
        """The data directory for AWS's own endpoint; a directory per endpoint for any other (a simulator)."""
        endpoint = str(self.factory.client("pricing").meta.endpoint_url)
        if _AWS_HOST.match(endpoint):
            return Path(self.settings.data_dir)
        slug = re.sub(r"[^a-z0-9]+", "-", endpoint.lower()).strip("-")
        return Path(self.settings.data_dir) / "pricing-endpoints" / slug

    def notes(self) -> list[str]:
        """What the report's `missing` should say: the Pricing API failed, so EC2 prices are the book's."""
        if self.status != "down":
            return []
        return [f"pricing_api: {self.reason}; EC2 on-demand prices from the {self.book.label}"]

    def snapshot(self) -> dict[str, Any]:
        """The run's Pricing API status and quotes, as JSON (graph state), for `LivePriceBook(..., state=)`."""
        with self._memo:
            quotes = {key: q.model_dump(mode="json") for key, q in sorted(self._quotes.items())}
        return {"status": self.status, "reason": self.reason, "quotes": quotes}


def run_prices(factory: Any, settings: Settings, state: dict[str, Any] | None = None) -> LivePriceBook:
    """The prices of one run: the packaged book with live EC2 prices (`state`: an earlier step's snapshot)."""
    return LivePriceBook(PriceBook.load(), factory, settings, state=state)
