"""A loopback server speaking the AWS Pricing API's JSON protocol (GetProducts), for the pricing tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PUBLISHED = "2026-11-05T18:02:41Z"


def product(instance_type: str, region: str, usd: str) -> dict[str, Any]:
    """One price-list product as GetProducts returns it (a JSON string per product in `PriceList`)."""
    return {
        "product": {"attributes": {"instanceType": instance_type, "regionCode": region, "operatingSystem": "Linux"}},
        "serviceCode": "AmazonEC2",
        "publicationDate": PUBLISHED,
        "terms": {"OnDemand": {"ABC.JRTCKXETXF": {"priceDimensions": {"ABC.JRTCKXETXF.6YS6EN2CT7": {
            "unit": "Hrs", "pricePerUnit": {"USD": usd}, "description": f"${usd} per On Demand Linux {instance_type}"}}}}},
    }


@contextmanager
def serve_pricing(prices: dict[str, str]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(endpoint URL, the requests received); `prices` maps instance type -> USD per hour, others have none."""
    requests: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            requests.append({"target": self.headers["X-Amz-Target"], **body})
            filters = {f["Field"]: f["Value"] for f in body["Filters"]}
            usd = prices.get(filters["instanceType"])
            found = [json.dumps(product(filters["instanceType"], filters["regionCode"], usd))] if usd else []
            payload = json.dumps({"FormatVersion": "aws_v1", "PriceList": found}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
