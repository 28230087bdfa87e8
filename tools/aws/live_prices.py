"""The price book with live list prices: the AWS Pricing API when it answers, the packaged book otherwise.

`LivePriceBook` is a `QuoteSheet` (so a `PriceBook`: every method, same data) whose priced methods ask the Pricing
API first, through `tools.aws.pricing_api.fetch_price` (7-day disk cache under the data directory, one cache per
endpoint): EC2 per billing operation (`ec2_hourly(region, type, operation="RunInstances")`), EBS, snapshots, RDS,
Lambda, S3, public IPv4 and NAT. A key the API has no price for is the book's. The first failure (no network,
AccessDenied, an endpoint without the service) ends the asking for the rest of the run: every later price comes
from the book, and `notes()` says so. A quote's `source` always names where its price came from.

One run prices alike: every quote given (API or book) is kept, `snapshot()` is the run's quotes and API status as
JSON, and a `LivePriceBook` built from it (`state=`) serves the same quotes and never retries an API that already
failed. `prefetch(keys)` asks a set of keys ahead (collection asks every list price the analysis may need), so the
analysis can be handed `QuoteSheet(book, snapshot)`, which never does I/O.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tools.aws.pricing_api import API_SOURCE, fetch_price, unavailable_reason
from tools.models import PriceQuote
from tools.pricing.book import PriceBook, PriceNotFound
from tools.pricing.quotes import QuoteSheet, call_of, key_of
from tools.settings import Settings

_AWS_HOST = re.compile(r"^https://api\.pricing\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/?$")
PREFETCH_THREADS = 8


class LivePriceBook(QuoteSheet):
    """A `PriceBook` whose list prices come from the Pricing API when it is reachable, the book otherwise."""

    def __init__(self, book: PriceBook, factory: Any, settings: Settings, *,
                 state: dict[str, Any] | None = None) -> None:
        super().__init__(book, state)
        self.factory = factory
        self.settings = settings
        state = state or {}
        self.status = str(state.get("status") or ("unknown" if settings.pricing_api else "off"))
        self._probe = threading.Lock()  # until the API has answered once, one request at a time
        self._memo = threading.Lock()

    # ------------------------------------------------------------ the one place prices are asked

    def _answer(self, key: str, fallback: Callable[[], PriceQuote]) -> PriceQuote:
        """This run's quote, else the Pricing API (cached), else the book; the quote is kept for the snapshot."""
        with self._memo:
            known = self._quotes.get(key)
        if known is not None:
            return known
        quote = None
        if self.status == "unknown":
            with self._probe:
                quote = self._ask(key)
        elif self.status == "ok":
            quote = self._ask(key)
        if quote is None:
            quote = fallback()  # PriceNotFound propagates: nothing is kept
        with self._memo:
            return self._quotes.setdefault(key, quote)

    def _ask(self, key: str) -> PriceQuote | None:
        if self.status in ("down", "off"):  # another thread's probe failed while this one waited
            return None
        quote = fetch_price(self.factory, key, cache_dir=self._cache_dir())
        reason = unavailable_reason(self.factory)
        if reason is not None:
            self.status, self.reason = "down", reason
        elif self.status == "unknown" and self.factory.ledger.count(service="pricing"):
            self.status = "ok"  # it answered (a disk-cache hit proves nothing about today)
        return quote if quote is not None and quote.source.startswith(API_SOURCE) else None

    def _cache_dir(self) -> Path:
        """The data directory for AWS's own endpoint; a directory per endpoint for any other (a simulator)."""
        endpoint = str(self.factory.client("pricing").meta.endpoint_url)
        if _AWS_HOST.match(endpoint):
            return Path(self.settings.data_dir)
        slug = re.sub(r"[^a-z0-9]+", "-", endpoint.lower()).strip("-")
        return Path(self.settings.data_dir) / "pricing-endpoints" / slug

    # ------------------------------------------------------------ asking ahead

    def prefetch(self, keys: Iterable[str | tuple[Any, ...]]) -> dict[str, PriceQuote | None]:
        """Ask every key now (price keys, or calls as tuples: ("ec2_hourly", region, type[, operation]) ...).

        The first is asked alone (it tells whether the API answers), the rest concurrently. Returns each key's
        quote, None where neither the API nor the book has a price. The quotes are then in `snapshot()`.
        """
        wanted = sorted({k if isinstance(k, str) else key_of(str(k[0]), *k[1:]) for k in keys})
        results: dict[str, PriceQuote | None] = {}

        def one(key: str) -> None:
            method, args = call_of(key)
            try:
                results[key] = getattr(self, method)(*args)
            except PriceNotFound:
                results[key] = None

        if wanted:
            one(wanted[0])
            with ThreadPoolExecutor(max_workers=PREFETCH_THREADS, thread_name_prefix="prices") as pool:
                list(pool.map(one, wanted[1:]))
        return {key: results[key] for key in wanted}

    def snapshot(self) -> dict[str, Any]:
        """The run's Pricing API status and quotes, as JSON (graph state), for `LivePriceBook(..., state=)` or
        `QuoteSheet(book, snapshot)`."""
        with self._memo:
            return super().snapshot()

    def sheet(self) -> QuoteSheet:
        """A pure `QuoteSheet` of this run's quotes (no I/O from here on)."""
        return QuoteSheet(self.book, self.snapshot())


def run_prices(factory: Any, settings: Settings, state: dict[str, Any] | None = None) -> LivePriceBook:
    """The prices of one run: the packaged book with live list prices (`state`: an earlier step's snapshot)."""
    return LivePriceBook(PriceBook.load(), factory, settings, state=state)
