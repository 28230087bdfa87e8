"""`LivePriceBook`: the Pricing API's EC2 prices when it answers, the book after its first failure, one run alike."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pricing_stub import serve_pricing

from tools.aws.clients import ClientFactory
from tools.aws.live_prices import LivePriceBook, run_prices
from tools.pricing.book import PriceBook
from tools.settings import load_settings

BOOK = "price book 2026-11-01 (AWS public price list, transcribed)"


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    with serve_pricing({"m5.large": "0.1070000000", "m5.2xlarge": "0.4280000000"}) as (url, requests):
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
    assert isinstance(prices, PriceBook) and prices.status == "unknown"
    quote = prices.ec2_hourly("us-east-1", "m5.large")
    assert (quote.unit_price, quote.source) == (0.107, "AWS Pricing API 2026-11-05: us-east-1 m5.large Linux on-demand")
    assert prices.status == "ok" and prices.notes() == []
    assert prices.ec2_hourly("us-east-1", "m5.large") == quote and len(requests) == 1  # this run's quote
    lacking = prices.ec2_hourly("us-east-1", "c5.large")  # the API has no price for it: the book's, per key
    assert (lacking.unit_price, lacking.source) == (0.085, f"{BOOK}: us-east-1 c5.large Linux on-demand")
    assert len(requests) == 2 and prices.status == "ok"
    # Everything else is the book's, unchanged.
    book = PriceBook.load()
    assert prices.ebs_gb_month("eu-west-1", "gp3") == book.ebs_gb_month("eu-west-1", "gp3")
    assert prices.family_types("m5") == book.family_types("m5") and prices.label == book.label
    # Cached on disk, one cache per endpoint (a simulator never shares AWS's).
    slug = url.replace("://", "-").replace(".", "-").replace(":", "-")
    assert (tmp_path / "pricing-endpoints" / slug / "pricing" / "ec2-ondemand.json").is_file()
    # The next step of the run gets the same quotes through the state, without asking again.
    snapshot = prices.snapshot()
    assert (snapshot["status"], list(snapshot["quotes"])) == ("ok", ["us-east-1|m5.large"])
    again = LivePriceBook(book, ClientFactory(settings), settings, state=snapshot)
    assert again.ec2_hourly("us-east-1", "m5.large") == quote and len(requests) == 2


def test_unreachable_api_is_asked_once_then_the_book(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_PRICING", f"http://127.0.0.1:{_closed_port()}")
    settings = load_settings(data_dir=tmp_path)
    factory = ClientFactory(settings)
    prices = run_prices(factory, settings)
    types = ["m5.large", "m5.xlarge", "c5.large", "r5.large", "t3.micro", "m5.2xlarge", "c5.xlarge", "t3.small"]
    with ThreadPoolExecutor(max_workers=8) as pool:  # collectors price from several threads at once
        quotes = list(pool.map(lambda t: prices.ec2_hourly("us-east-1", t), types))
    book = PriceBook.load()
    assert quotes == [book.ec2_hourly("us-east-1", t) for t in types]
    assert factory.ledger.count(service="pricing") == 1
    assert factory.ledger.count(service="pricing", outcome="EndpointConnectionError") == 1
    assert prices.notes() == [f"pricing_api: EndpointConnectionError; EC2 on-demand prices from the {BOOK}"]
    snapshot = prices.snapshot()
    assert snapshot == {"status": "down", "reason": "EndpointConnectionError", "quotes": {}}
    later = ClientFactory(settings)
    restored = run_prices(later, settings, snapshot)
    assert restored.ec2_hourly("eu-west-1", "m5.large").unit_price == 0.107  # the book's eu-west-1 price
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
    assert requests == [] and prices.status == "off" and prices.notes() == []
