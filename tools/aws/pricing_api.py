"""Live EC2 on-demand prices from the AWS Pricing API, cached on disk, with the price book as the fallback.

The Pricing API is optional: an account or endpoint without it (no permission, no network, a simulator
that lacks it) gets the packaged price book, silently, and the factory is not asked again this process.
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

from tools.models import PriceQuote
from tools.pricing.book import PriceBook

log = logging.getLogger(__name__)

CACHE_TTL = timedelta(days=7)
CACHE_FILE = "pricing/ec2-ondemand.json"
_LINUX_SHARED = {"operatingSystem": "Linux", "tenancy": "Shared", "preInstalledSw": "NA",
                 "capacitystatus": "Used", "licenseModel": "No License required"}
_unreachable: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
"""Factories whose Pricing API failed, with the error code (AccessDenied, a 500, a timeout ...)."""
_lock = threading.Lock()


class _NoPrice(Exception):
    """The API answered but had no usable on-demand price for this key."""


def fetch_ec2_price(factory: Any, region: str, instance_type: str, *, cache_dir: Path | None = None,
                    book: PriceBook | None = None, today: date | None = None) -> PriceQuote:
    """Linux on-demand hourly price: disk cache, else the Pricing API, else the price book.

    `factory` is a `ClientFactory` (anything with `.client(service)` and `.settings.data_dir`).
    Raises `PriceNotFound` only when neither the API nor the book knows the type.
    """
    book = book or PriceBook.load()
    today = today or date.today()
    path = (cache_dir or Path(factory.settings.data_dir)) / CACHE_FILE
    key = f"{region}|{instance_type}"
    cached = _read_cache(path).get(key)
    if cached and date.fromisoformat(cached["fetched"]) + CACHE_TTL > today:
        return _quote(Decimal(cached["price"]), cached["published"], region, instance_type)
    if factory in _unreachable:
        return book.ec2_hourly(region, instance_type)
    try:
        price, published = _get_products(factory, region, instance_type)
    except (BotoCoreError, ClientError) as exc:
        code = exc.response.get("Error", {}).get("Code", "") if isinstance(exc, ClientError) else ""
        log.info("AWS Pricing API unavailable (%s); using the %s", code or type(exc).__name__, book.label)
        _unreachable[factory] = str(code or type(exc).__name__)
        return book.ec2_hourly(region, instance_type)
    except _NoPrice as exc:
        log.info("AWS Pricing API has no price for %s in %s (%s); using the price book", instance_type, region, exc)
        return book.ec2_hourly(region, instance_type)
    _write_cache(path, key, {"price": str(price), "published": published, "fetched": today.isoformat()})
    return _quote(price, published, region, instance_type)


def unavailable_reason(factory: Any) -> str | None:
    """Why the Pricing API failed for this factory (its error code), or None when it has not failed."""
    return _unreachable.get(factory)


def _get_products(factory: Any, region: str, instance_type: str) -> tuple[Decimal, str]:
    filters = {"instanceType": instance_type, "regionCode": region, **_LINUX_SHARED}
    answer = factory.client("pricing").get_products(
        ServiceCode="AmazonEC2", MaxResults=10,
        Filters=[{"Type": "TERM_MATCH", "Field": field, "Value": value} for field, value in filters.items()])
    for raw in answer.get("PriceList", []):
        found = _on_demand_hourly(json.loads(raw) if isinstance(raw, str) else raw)
        if found is not None:
            return found
    raise _NoPrice(f"{len(answer.get('PriceList', []))} products, none with an hourly on-demand USD price")


def _on_demand_hourly(product: dict[str, Any]) -> tuple[Decimal, str] | None:
    """The first non-zero hourly USD on-demand dimension of one price-list product, with its publication date."""
    published = str(product.get("publicationDate", ""))[:10]
    for term in product.get("terms", {}).get("OnDemand", {}).values():
        for dimension in term.get("priceDimensions", {}).values():
            if dimension.get("unit") not in ("Hrs", "Hours", "hour"):
                continue
            try:
                price = Decimal(str(dimension["pricePerUnit"]["USD"]))
            except (KeyError, InvalidOperation):
                continue
            if price > 0:
                return price.normalize(), published or date.today().isoformat()
    return None


def _quote(price: Decimal, published: str, region: str, instance_type: str) -> PriceQuote:
    return PriceQuote(unit_price=float(price), unit="hour", effective_date=date.fromisoformat(published),
                      source=f"AWS Pricing API {published}: {region} {instance_type} Linux on-demand")


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
