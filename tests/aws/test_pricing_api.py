"""The Pricing API path: a real loopback server speaking GetProducts, the disk cache, and the silent fallback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws
from pricing_stub import serve_pricing

from tools.aws.clients import ClientFactory
from tools.aws.pricing_api import fetch_ec2_price
from tools.settings import load_settings


@pytest.fixture
def pricing_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    with serve_pricing({"m5.large": "0.1070000000"}) as (url, requests):
        monkeypatch.setenv("AWS_ENDPOINT_URL_PRICING", url)
        yield requests


def test_api_price_is_used_and_cached(pricing_server: list[dict[str, Any]], tmp_path: Path) -> None:
    factory = ClientFactory(load_settings())
    quote = fetch_ec2_price(factory, "eu-west-1", "m5.large", cache_dir=tmp_path, today=date(2026, 11, 24))
    assert (quote.unit_price, quote.unit, quote.effective_date) == (0.107, "hour", date(2026, 11, 5))
    assert quote.source == "AWS Pricing API 2026-11-05: eu-west-1 m5.large Linux on-demand"
    assert len(pricing_server) == 1
    assert pricing_server[0]["target"] == "AWSPriceListService.GetProducts"
    assert pricing_server[0]["ServiceCode"] == "AmazonEC2"
    assert {f["Field"]: f["Value"] for f in pricing_server[0]["Filters"]} == {
        "instanceType": "m5.large", "regionCode": "eu-west-1", "operatingSystem": "Linux", "tenancy": "Shared",
        "preInstalledSw": "NA", "capacitystatus": "Used", "licenseModel": "No License required"}
    assert factory.ledger.count(service="pricing", operation="GetProducts") == 1

    again = fetch_ec2_price(factory, "eu-west-1", "m5.large", cache_dir=tmp_path, today=date(2026, 11, 30))
    assert again == quote
    assert len(pricing_server) == 1  # served from the disk cache
    cache = json.loads((tmp_path / "pricing" / "ec2-ondemand.json").read_text())
    assert cache == {"eu-west-1|m5.large": {"fetched": "2026-11-24", "price": "0.107", "published": "2026-11-05"}}

    stale = fetch_ec2_price(factory, "eu-west-1", "m5.large", cache_dir=tmp_path, today=date(2026, 12, 1))
    assert stale.unit_price == 0.107
    assert len(pricing_server) == 2  # 7-day cache expired


def test_type_the_api_lacks_falls_back_to_the_book(pricing_server: list[dict[str, Any]], tmp_path: Path) -> None:
    factory = ClientFactory(load_settings())
    quote = fetch_ec2_price(factory, "us-east-1", "c5.large", cache_dir=tmp_path)
    assert quote.unit_price == 0.085
    assert quote.source == "price book 2026-11-01 (AWS public price list, transcribed): us-east-1 c5.large Linux on-demand"
    assert len(pricing_server) == 1
    assert not (tmp_path / "pricing" / "ec2-ondemand.json").exists()


def test_moto_without_pricing_degrades_to_the_book_once(tmp_path: Path) -> None:
    with mock_aws():
        factory = ClientFactory(load_settings())
        first = fetch_ec2_price(factory, "us-east-1", "m5.large", cache_dir=tmp_path)
        second = fetch_ec2_price(factory, "eu-west-1", "m5.large", cache_dir=tmp_path)
    assert first.unit_price == 0.096
    assert first.source == "price book 2026-11-01 (AWS public price list, transcribed): us-east-1 m5.large Linux on-demand"
    assert second.unit_price == 0.107
    assert factory.ledger.count(service="pricing") == 1  # not asked again after the first failure
