"""List prices from the AWS Pricing API: ask the SKU question (`tools.aws.pricing_skus`), read the answer, cache it.

The answer (`PriceList`, a list of JSON strings) is read down `terms.OnDemand.*.priceDimensions.*.pricePerUnit.USD`,
first tier (`beginRange` 0). A quote's `source` is "AWS Pricing API <publication date>: <what> (<service>
<filters>; sku <sku>)". Quotes are cached 7 days on disk (`CACHE_FILE`, one per endpoint: the caller picks the
directory). The first failure of a factory's Pricing API (AccessDenied, no network, an endpoint without the
service) is remembered (`unavailable_reason`) and the API is not asked again through that factory.
"""

from __future__ import annotations

import json
import logging
import threading
import weakref
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from tools.aws.pricing_skus import Sku, sku_for
from tools.models import PriceQuote
from tools.pricing.book import LINUX, PriceBook, PriceNotFound
from tools.pricing.quotes import key_of

log = logging.getLogger(__name__)

API_SOURCE = "AWS Pricing API"
CACHE_TTL = timedelta(days=7)
CACHE_FILE = "pricing/list-prices.json"
MAX_PAGES = 3

_UNITS = {"hour": ("Hrs", "Hours", "hours", "hour"), "GB-month": ("GB-Mo", "GB-month"),
          "IOPS-month": ("IOPS-Mo", "IOPS-month"), "MiBps-month": ("MiBps-Mo", "GiBps-mo", "GiBps-Mo"),
          "GB": ("GB", "Quantity"), "GB-second": ("Lambda-GB-Second", "GB-Second", "Second"),
          "request": ("Requests", "Request")}
_SCALE = {"GiBps-mo": Decimal(1) / 1024, "GiBps-Mo": Decimal(1) / 1024}
"""Dimension units priced per GiB/s: the quote is per MiB/s."""

_unreachable: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
"""Factories whose Pricing API failed, with the error code (AccessDenied, a 500, a timeout ...)."""
_lock = threading.Lock()


class _NoPrice(Exception):
    """The API answered but had no usable on-demand price for this key."""



# ---------------------------------------------------------------- asking

def fetch_price(factory: Any, key: str, *, cache_dir: Path | None = None,
                today: date | None = None) -> PriceQuote | None:
    """The Pricing API's quote for a price key: the disk cache, else GetProducts.

    None when the API has no price for it, or cannot be asked (then `unavailable_reason(factory)` says why).
    `factory` is a `ClientFactory` (anything with `.client(service)` and `.settings.data_dir`).
    """
    today = today or date.today()
    try:
        sku = sku_for(key)
    except PriceNotFound as exc:
        log.info("no Pricing API question for %s (%s)", key, exc)
        return None
    path = (cache_dir or Path(factory.settings.data_dir)) / CACHE_FILE
    cached = _read_cache(path).get(key)
    if cached and date.fromisoformat(cached["fetched"]) + CACHE_TTL > today:
        return PriceQuote(unit_price=float(Decimal(cached["price"])), unit=cached["unit"],
                          effective_date=date.fromisoformat(cached["published"]), source=cached["source"])
    if factory in _unreachable:
        return None
    try:
        quote = ask(factory, sku)
    except (BotoCoreError, ClientError) as exc:
        code = exc.response.get("Error", {}).get("Code", "") if isinstance(exc, ClientError) else ""
        log.info("AWS Pricing API unavailable (%s); using the price book", code or type(exc).__name__)
        _unreachable[factory] = str(code or type(exc).__name__)
        return None
    except _NoPrice as exc:
        log.info("AWS Pricing API has no price for %s (%s); using the price book", key, exc)
        return None
    _write_cache(path, key, {"price": str(Decimal(str(quote.unit_price)).normalize()), "unit": quote.unit,
                             "published": (quote.effective_date or today).isoformat(), "source": quote.source,
                             "fetched": today.isoformat()})
    return quote


def fetch_ec2_price(factory: Any, region: str, instance_type: str, *, operation: str = LINUX,
                    cache_dir: Path | None = None, book: PriceBook | None = None,
                    today: date | None = None) -> PriceQuote:
    """On-demand hourly price of a type for a billing operation: disk cache, else the Pricing API, else the book.

    Raises `PriceNotFound` only when neither the API nor the book knows it (the book has Linux prices only).
    """
    quote = fetch_price(factory, key_of("ec2_hourly", region, instance_type, operation), cache_dir=cache_dir,
                        today=today)
    if quote is not None:
        return quote
    return (book or PriceBook.load()).ec2_hourly(region, instance_type, operation)


def unavailable_reason(factory: Any) -> str | None:
    """Why the Pricing API failed for this factory (its error code), or None when it has not failed."""
    return _unreachable.get(factory)


def ask(factory: Any, sku: Sku) -> PriceQuote:
    """One GetProducts question (following NextToken up to `MAX_PAGES` pages) -> the quote. `_NoPrice` if none."""
    client = factory.client("pricing")
    filters = [{"Type": "TERM_MATCH", "Field": name, "Value": value} for name, value in sku.filters.items()]
    products: list[dict[str, Any]] = []
    token: str | None = None
    for _ in range(MAX_PAGES):
        request: dict[str, Any] = {"ServiceCode": sku.service, "Filters": filters, "FormatVersion": "aws_v1",
                                   "MaxResults": 100}
        if token:
            request["NextToken"] = token
        answer = client.get_products(**request)
        products += [json.loads(raw) if isinstance(raw, str) else raw for raw in answer.get("PriceList", [])]
        token = answer.get("NextToken")
        if not token:
            break
    found = pick(products, sku)
    if found is None:
        raise _NoPrice(f"{len(products)} products, none with an on-demand USD price in {sku.unit}")
    price, published, sku_id = found
    return PriceQuote(unit_price=float(price), unit=sku.unit, effective_date=date.fromisoformat(published),
                      source=f"{API_SOURCE} {published}: {sku.what} ({sku.describe(sku_id)})")


def pick(products: list[dict[str, Any]], sku: Sku) -> tuple[Decimal, str, str] | None:
    """(price, publication date, SKU id) of the product answering `sku`: its usagetype (region prefix aside) and
    preferred attributes, then the lowest SKU id; the first-tier on-demand USD price in the wanted unit."""
    candidates = []
    for product in products:
        attributes = product.get("product", {}).get("attributes", {})
        usagetype = str(attributes.get("usagetype", ""))
        if sku.usagetype and not (usagetype == sku.usagetype or usagetype.endswith("-" + sku.usagetype)):
            continue
        found = on_demand_price(product, sku.unit)
        if found is None:
            continue
        misses = sum(1 for name, value in sku.prefer.items() if attributes.get(name) != value)
        sku_id = str(product.get("product", {}).get("sku", ""))
        candidates.append((misses, sku_id, found))
    if not candidates:
        return None
    _, sku_id, (price, published) = min(candidates, key=lambda c: (c[0], c[1]))
    return price, published, sku_id


def on_demand_price(product: dict[str, Any], unit: str) -> tuple[Decimal, str] | None:
    """The first paid tier's USD on-demand price of a product in `unit` (the non-zero dimension with the lowest
    beginRange: a free first tier is skipped), with the product's publication date."""
    published = str(product.get("publicationDate", ""))[:10] or date.today().isoformat()
    accepted = _UNITS.get(unit, (unit,))
    tiers: list[tuple[Decimal, Decimal]] = []
    for term in product.get("terms", {}).get("OnDemand", {}).values():
        for dimension in term.get("priceDimensions", {}).values():
            dim_unit = str(dimension.get("unit", ""))
            if dim_unit not in accepted:
                continue
            try:
                price = Decimal(str(dimension["pricePerUnit"]["USD"]))
                begin = Decimal(str(dimension.get("beginRange", "0")))
            except (KeyError, InvalidOperation):
                continue
            if price > 0:
                tiers.append((begin, (price * _SCALE.get(dim_unit, Decimal(1))).normalize()))
    if not tiers:
        return None
    return min(tiers)[1], published


# ---------------------------------------------------------------- the disk cache

def _read_cache(path: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(path: Path, key: str, entry: dict[str, str]) -> None:
    with _lock:
        data = _read_cache(path)
        data[key] = entry
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:  # a read-only data directory must not fail a price lookup
            log.warning("could not write the pricing cache %s: %s", path, exc)
