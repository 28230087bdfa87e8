"""A loopback server speaking the AWS Pricing API's JSON protocol (GetProducts), and real-shaped products for it.

The product documents follow answers AWS really gave (each `PriceList` entry is a JSON string):
- EC2 instance: the GetProducts product recorded at https://pastebin.com/dDPvRHxE (r5.large, EU (Ireland), Windows
  with SQL Web, operation RunInstances:0202, $0.301/h, OnDemand term JRTCKXETXF, rate code 6YS6EN2CT7).
- EBS storage: the example output of `aws pricing get-products` in aws/aws-cli awscli/examples/pricing/
  get-products.rst (io1, Asia Pacific (Singapore), usagetype APS1-EBS:VolumeUsage.piops, $0.138/GB-Mo).
- NAT gateway, public IPv4, Lambda requests (us-east-1) and eu-west-2 NAT, snapshot and IPv4 rows: SKU ids,
  usagetypes and prices as public Pricing API extracts show them (NAT hour M2YSHUBETB3JX4M4 $0.045, NAT bytes
  59S5R83GFPUAGVR5 $0.045/GB, in-use IPv4 4GQUNXTFWVSGPUZK and idle IPv4 T6YDQKTMVWKNJFJ8 $0.005/h, Lambda
  requests GU2ZS9HVP6QTQ7KE $0.20 per million; EUW2-NatGateway-Hours $0.05, EUW2-EBS:SnapshotUsage $0.053,
  EUW2-EBS:SnapshotArchiveStorage $0.01325). These were found through a code search that does not name the
  repositories, so they are shapes and plausible values for tests, not a cited price source.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PUBLISHED = "2026-11-05T18:02:41Z"
OFFER = "JRTCKXETXF"  # the OnDemand offer term code
RATE = "6YS6EN2CT7"  # the OnDemand rate code

Answer = Callable[[str, dict[str, str]], list[dict[str, Any]]]
"""(ServiceCode, {filter field: value}) -> the products GetProducts returns."""


def priced(sku: str, service: str, family: str, attributes: dict[str, str], unit: str, usd: str,
           description: str = "", tiers: list[tuple[str, str, str]] | None = None) -> dict[str, Any]:
    """One price-list product as GetProducts returns it. `tiers`: extra (beginRange, endRange, usd) dimensions."""
    dimensions = {}
    for i, (begin, end, price) in enumerate([("0", "Inf", usd)] if tiers is None else tiers):
        code = f"{sku}.{OFFER}.{RATE if i == 0 else f'{RATE[:-1]}{i}'}"
        dimensions[code] = {"unit": unit, "endRange": end, "description": description or f"${price} per {unit}",
                            "appliesTo": [], "rateCode": code, "beginRange": begin, "pricePerUnit": {"USD": price}}
    return {
        "product": {"productFamily": family, "attributes": {"servicecode": service, **attributes}, "sku": sku},
        "serviceCode": service,
        "terms": {"OnDemand": {f"{sku}.{OFFER}": {
            "priceDimensions": dimensions, "sku": sku, "effectiveDate": "2026-11-01T00:00:00Z",
            "offerTermCode": OFFER, "termAttributes": {}}}},
        "version": "20261105180241",
        "publicationDate": PUBLISHED,
    }


def ec2_product(instance_type: str, region: str, usd: str, *, operating_system: str = "Linux",
                operation: str = "RunInstances", software: str = "NA", sku: str = "ABC") -> dict[str, Any]:
    """A Compute Instance product, attributes as in the recorded r5.large answer."""
    return priced(sku, "AmazonEC2", "Compute Instance", {
        "memory": "16 GiB", "vcpu": "2", "capacitystatus": "Used", "instanceType": instance_type,
        "tenancy": "Shared", "usagetype": f"BoxUsage:{instance_type}", "locationType": "AWS Region",
        "storage": "EBS only", "instanceFamily": "General purpose", "operatingSystem": operating_system,
        "regionCode": region, "licenseModel": "No License required", "currentGeneration": "Yes",
        "preInstalledSw": software, "marketoption": "OnDemand", "location": region,
        "servicename": "Amazon Elastic Compute Cloud", "processorArchitecture": "64-bit", "operation": operation,
    }, "Hrs", usd, f"${usd} per On Demand {operating_system} {instance_type} Instance Hour")


def product(instance_type: str, region: str, usd: str) -> dict[str, Any]:
    """A Linux on-demand EC2 product (kept for the older tests)."""
    return ec2_product(instance_type, region, usd)


def ebs_product(volume: str, region: str, usd: str, usagetype: str, sku: str = "3MKHN58N7RDDVGKJ") -> dict[str, Any]:
    """An EBS Storage product, attributes as in the aws-cli example (plus volumeApiName and regionCode)."""
    return priced(sku, "AmazonEC2", "Storage", {
        "storageMedia": "SSD-backed", "volumeType": "Provisioned IOPS", "maxIopsvolume": "20000",
        "usagetype": usagetype, "locationType": "AWS Region", "location": region, "regionCode": region,
        "servicename": "Amazon Elastic Compute Cloud", "maxVolumeSize": "16 TiB", "operation": "",
        "volumeApiName": volume,
    }, "GB-Mo", usd, f"${usd} per GB-month of {volume} provisioned storage")


def usage_product(sku: str, service: str, family: str, usagetype: str, region: str, unit: str, usd: str,
                  **attributes: str) -> dict[str, Any]:
    """A product told apart by its usagetype (NAT, snapshots, public IPv4, Lambda, RDS storage ...)."""
    return priced(sku, service, family, {"usagetype": usagetype, "regionCode": region, "locationType": "AWS Region",
                                         **attributes}, unit, usd)


def ec2_answer(prices: dict[str, str]) -> Answer:
    """Linux on-demand EC2 prices by instance type; no products for anything else."""

    def answer(service: str, filters: dict[str, str]) -> list[dict[str, Any]]:
        usd = prices.get(filters.get("instanceType", ""))
        linux = filters.get("operatingSystem") == "Linux" and filters.get("operation", "RunInstances") == "RunInstances"
        if service != "AmazonEC2" or not usd or not linux:
            return []
        return [ec2_product(filters["instanceType"], filters["regionCode"], usd)]

    return answer


def catalogue_answer(products: list[dict[str, Any]]) -> Answer:
    """Every product whose service and attributes match all the TERM_MATCH filters (as AWS filters them)."""

    def answer(service: str, filters: dict[str, str]) -> list[dict[str, Any]]:
        found = []
        for item in products:
            if item["serviceCode"] != service:
                continue
            attributes = {**item["product"]["attributes"], "productFamily": item["product"]["productFamily"]}
            if all(attributes.get(name, "").lower() == value.lower() for name, value in filters.items()):
                found.append(item)
        return found

    return answer


@contextmanager
def serve_pricing(prices: dict[str, str] | Answer) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(endpoint URL, the requests received). `prices`: instance type -> Linux USD per hour (other keys have no
    price), or an `Answer` callable for any service."""
    requests: list[dict[str, Any]] = []
    answer = ec2_answer(prices) if isinstance(prices, dict) else prices

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            requests.append({"target": self.headers["X-Amz-Target"], **body})
            filters = {f["Field"]: f["Value"] for f in body["Filters"]}
            found = [json.dumps(p) for p in answer(body["ServiceCode"], filters)]
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
