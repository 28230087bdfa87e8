"""`LivePriceBook`: the Pricing API's list prices when it answers, the book after its first failure, one run alike;
`prefetch` and the snapshot hand the analysis a pure `QuoteSheet`."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pricing_stub import catalogue_answer, ebs_product, ec2_product, serve_pricing

from tools.aws.clients import ClientFactory
from tools.aws.live_prices import LivePriceBook, run_prices
from tools.pricing.book import PriceBook, PriceNotFound
from tools.pricing.quotes import QuoteSheet
from tools.settings import load_settings

BOOK = "price book 2026-07-20 (Karpenter AWS provider pricing table, from the AWS Pricing API)"
API = "AWS Pricing API 2026-11-05"


def _windows(instance_type: str, usd: str) -> dict[str, Any]:
    return ec2_product(instance_type, "us-east-1", usd, operating_system="Windows", operation="RunInstances:0002",
                       sku="WIN")


CATALOGUE = [
    ec2_product("m5.large", "us-east-1", "0.1070000000"),
    ec2_product("m5.2xlarge", "us-east-1", "0.4280000000", sku="M52X"),
    _windows("m5.large", "0.1880000000"),
    ebs_product("gp3", "us-east-1", "0.0800000000", "EBS:VolumeUsage.gp3", sku="GP3"),
]


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    with serve_pricing(catalogue_answer(CATALOGUE)) as (url, requests):
        monkeypatch.setenv("AWS_ENDPOINT_URL_PRICING", url)
        yield url, requests


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Html500(BaseHTTPRequestHandler):
    """What moto's server answers for a service it lacks (FIELD-NOTES): an HTML 500."""

    hits = 0

    def do_POST(self) -> None:  # noqa: N802
        type(self).hits += 1
        self.rfile.read(int(self.headers["Content-Length"]))
        body = b"<!doctype html><title>500 Internal Server Error</title>"
        self.send_response(500)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


def test_api_prices_first_then_this_run_s_quotes(api, tmp_path: Path) -> None:
    url, requests = api
    settings = load_settings(data_dir=tmp_path)
    factory = ClientFactory(settings)
    prices = run_prices(factory, settings)
    assert isinstance(prices, PriceBook) and isinstance(prices, QuoteSheet) and prices.status == "unknown"
    quote = prices.ec2_hourly("us-east-1", "m5.large")
    assert (quote.unit_price, quote.unit) == (0.107, "hour")
    assert quote.source.startswith(f"{API}: us-east-1 m5.large Linux on-demand (AmazonEC2 instanceType=m5.large")
    assert prices.status == "ok" and prices.notes() == []
    assert prices.ec2_hourly("us-east-1", "m5.large") == quote and len(requests) == 1  # this run's quote
    lacking = prices.ec2_hourly("us-east-1", "c5.large")  # the API has no price for it: the book's, per key
    assert (lacking.unit_price, lacking.source) == (0.085, f"{BOOK}: us-east-1 c5.large Linux on-demand")
    assert len(requests) == 2 and prices.status == "ok"
    # EBS is asked too (gp3: a list price the account may not use yet)
    gp3 = prices.ebs_gb_month("us-east-1", "gp3")
    assert gp3.unit_price == 0.08 and gp3.source.startswith(f"{API}: us-east-1 EBS gp3 storage (AmazonEC2 ")
    book = PriceBook.load()
    assert prices.family_types("m5") == book.family_types("m5") and prices.label == book.label
    # Cached on disk, one cache per endpoint (a simulator never shares AWS's).
    slug = url.replace("://", "-").replace(".", "-").replace(":", "-")
    assert (tmp_path / "pricing-endpoints" / slug / "pricing" / "list-prices.json").is_file()
    # Every quote given is in the snapshot, the book's too; the next step gets them without asking again.
    snapshot = prices.snapshot()
    assert (snapshot["status"], list(snapshot["quotes"])) == ("ok", [
        "ebs_gb_month|us-east-1|gp3", "ec2_hourly|us-east-1|c5.large|RunInstances",
        "ec2_hourly|us-east-1|m5.large|RunInstances"])
    again = LivePriceBook(book, ClientFactory(settings), settings, state=snapshot)
    assert again.ec2_hourly("us-east-1", "m5.large") == quote and len(requests) == 3
    assert again.ec2_hourly("us-east-1", "c5.large") == lacking and len(requests) == 3


def test_ec2_is_platform_aware(api, tmp_path: Path) -> None:
    _, requests = api
    settings = load_settings(data_dir=tmp_path)
    prices = run_prices(ClientFactory(settings), settings)
    windows = prices.ec2_hourly("us-east-1", "m5.large", operation="RunInstances:0002")
    assert windows.unit_price == 0.188
    assert windows.source.startswith(f"{API}: us-east-1 m5.large Windows on-demand (AmazonEC2 ")
    # The API has no Windows m5.2xlarge and the book has Linux only: unpriced, not the Linux $0.428.
    with pytest.raises(PriceNotFound, match="RunInstances:0002"):
        prices.ec2_hourly("us-east-1", "m5.2xlarge", operation="RunInstances:0002")
    assert prices.ec2_hourly("us-east-1", "m5.2xlarge").unit_price == 0.428
    assert "ec2_hourly|us-east-1|m5.2xlarge|RunInstances:0002" not in prices.snapshot()["quotes"]
    assert len(requests) == 3


def test_prefetch_then_a_pure_sheet(api, tmp_path: Path) -> None:
    _, requests = api
    settings = load_settings(data_dir=tmp_path)
    factory = ClientFactory(settings)
    prices = run_prices(factory, settings)
    got = prices.prefetch([
        ("ec2_hourly", "us-east-1", "m5.large"), ("ec2_hourly", "us-east-1", "m5.2xlarge"),
        ("ec2_hourly", "us-east-1", "m5.large", "RunInstances:0002"), "ec2_hourly|us-east-1|m5.xlarge|RunInstances:0010",
        ("ebs_gb_month", "us-east-1", "gp3"), ("ebs_gb_month", "us-east-1", "gp2"), ("nat_hourly", "eu-west-1"),
        ("ec2_hourly", "us-east-1", "m5.large"),  # asked twice, fetched once
    ])
    assert len(got) == 7 and len(requests) == 7  # one request per distinct key (RHEL too: the API may have it)
    assert got["ec2_hourly|us-east-1|m5.xlarge|RunInstances:0010"] is None
    assert got["ec2_hourly|us-east-1|m5.2xlarge|RunInstances"].unit_price == 0.428
    assert got["ebs_gb_month|us-east-1|gp2"].source.startswith("price book 2026-11-01 (AWS EBS prices")
    calls = factory.ledger.count(service="pricing")

    sheet = QuoteSheet(PriceBook.load(), prices.snapshot())  # what the analysis is handed: no factory at all
    assert sheet.ec2_hourly("us-east-1", "m5.large", "RunInstances:0002").unit_price == 0.188
    assert sheet.ec2_hourly("us-east-1", "m5.2xlarge").unit_price == 0.428
    assert sheet.ebs_gb_month("us-east-1", "gp3") == got["ebs_gb_month|us-east-1|gp3"]
    assert sheet.nat_hourly("eu-west-1") == got["nat_hourly|eu-west-1"]
    assert sheet.ebs_gb_month("eu-west-1", "gp3") == PriceBook.load().ebs_gb_month("eu-west-1", "gp3")  # not asked
    with pytest.raises(PriceNotFound):
        sheet.ec2_hourly("us-east-1", "m5.xlarge", "RunInstances:0010")
    assert prices.sheet().snapshot() == prices.snapshot()
    assert factory.ledger.count(service="pricing") == calls and len(requests) == 7


def test_unreachable_api_is_asked_once_then_the_book(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_PRICING", f"http://127.0.0.1:{_closed_port()}")
    settings = load_settings(data_dir=tmp_path)
    factory = ClientFactory(settings)
    prices = run_prices(factory, settings)
    types = ["m5.large", "m5.xlarge", "c5.large", "r5.large", "t3.micro", "m5.2xlarge", "c5.xlarge", "t3.small"]
    with ThreadPoolExecutor(max_workers=8) as pool:  # collectors price from several threads at once
        quotes = list(pool.map(lambda t: prices.ec2_hourly("us-east-1", t), types))
    gp3 = prices.ebs_gb_month("us-east-1", "gp3")
    book = PriceBook.load()
    assert quotes == [book.ec2_hourly("us-east-1", t) for t in types]
    assert gp3 == book.ebs_gb_month("us-east-1", "gp3")
    assert factory.ledger.count(service="pricing") == 1
    assert factory.ledger.count(service="pricing", outcome="EndpointConnectionError") == 1
    assert prices.notes() == [f"pricing_api: EndpointConnectionError; list prices from the {BOOK}"]
    snapshot = prices.snapshot()
    assert (snapshot["status"], snapshot["reason"], len(snapshot["quotes"])) == (
        "down", "EndpointConnectionError", 9)
    later = ClientFactory(settings)
    restored = run_prices(later, settings, snapshot)
    assert restored.ec2_hourly("eu-west-1", "m5.large").unit_price == 0.107  # the book's eu-west-1 estimate
    assert later.ledger.count() == 0 and restored.notes() == prices.notes()


def test_an_endpoint_answering_html_500_gets_one_request(monkeypatch, tmp_path: Path) -> None:
    _Html500.hits = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Html500)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL_PRICING", f"http://127.0.0.1:{server.server_address[1]}")
        settings = load_settings(data_dir=tmp_path)
        factory = ClientFactory(settings)
        prices = run_prices(factory, settings)
        assert prices.ec2_hourly("us-east-1", "m5.large").unit_price == 0.096
        assert prices.ec2_hourly("us-east-1", "m5.xlarge").unit_price == 0.192
        assert prices.rds_hourly("us-east-1", "db.m5.large", "mysql").unit_price == 0.171
    finally:
        server.shutdown()
        server.server_close()
    assert _Html500.hits == 1  # no retries for the optional Pricing API (settings retry 5 times elsewhere)
    assert (prices.status, prices.reason) == ("down", "500")


def test_pricing_api_setting_off_never_asks(api, monkeypatch, tmp_path: Path) -> None:
    _, requests = api
    monkeypatch.setenv("PRICING_API", "false")
    settings = load_settings(data_dir=tmp_path)
    prices = run_prices(ClientFactory(settings), settings)
    quote = prices.ec2_hourly("us-east-1", "m5.large")
    assert (quote.unit_price, quote.source) == (0.096, f"{BOOK}: us-east-1 m5.large Linux on-demand")
    with pytest.raises(PriceNotFound):
        prices.ec2_hourly("us-east-1", "m5.large", "RunInstances:0002")
    assert requests == [] and prices.status == "off" and prices.notes() == []
