"""The simulated account: moto's server, a Cost Explorer server and a Bedrock Converse server on loopback.

`Sandbox` starts moto's server, seeds the fleet into the backends that server serves (boto3 dispatched
in-process, plus direct backend calls for the bulk: see seed.py), appends the CloudWatch history, indexes
moto for fleet-scale reads, and serves Cost Explorer and Bedrock from small local servers. Never run it in
a process that also uses `mock_aws` (they share moto's state): tests start it as a subprocess.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from moto import mock_aws
from moto.backends import get_backend
from moto.cloudwatch.models import MetricAggregatedDatum
from moto.moto_api._internal import mock_random
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from tools.pricing.book import PriceBook
from tools.sandbox import cw_index, tag_index
from tools.sandbox.advice import purchase_advice
from tools.sandbox.bedrock_server import BedrockState, serve_bedrock
from tools.sandbox.ce_server import CostExplorerState, serve_cost_explorer
from tools.sandbox.costs import build_cost_table
from tools.sandbox.fleet import Variant, build_fleet
from tools.sandbox.local_server import LocalServer
from tools.sandbox.metrics import History
from tools.sandbox.planted import ACCOUNT_ID
from tools.sandbox.reservations import reservations
from tools.sandbox.seed import Seeder, age_resources
from tools.sandbox.truth import aws_rightsizing, ground_truth

DEFAULT_REGIONS = ("us-east-1", "eu-west-1")
"""Same default as `python -m tools.sandbox --regions`."""
DUMMY_KEY = "sandbox"


def _latency(app: Callable[..., Iterable[bytes]], delay_ms: int) -> Callable[..., Iterable[bytes]]:
    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        time.sleep(delay_ms / 1000)
        return app(environ, start_response)

    return wrapped


def _without_pricing(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """moto has no AWS Pricing API (its dispatcher logs a traceback and answers HTML 500): answer one JSON
    error, as an AWS JSON endpoint does for an operation it lacks, so the agent falls back to its price book."""
    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith("AWSPriceListService."):
            body = json.dumps({"__type": "UnknownOperationException",
                               "message": "the simulated account has no AWS Pricing API"}).encode()
            start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.1"),
                                               ("Content-Length", str(len(body)))])
            return [body]
        return app(environ, start_response)

    return wrapped


class _MotoServer:
    """moto's ThreadedMotoServer, with an optional per-request delay."""

    def __init__(self, port: int, latency_ms: int) -> None:
        class Server(ThreadedMotoServer):
            def _server_entry(self) -> None:
                app: Any = _without_pricing(DomainDispatcherApplication(create_backend_app))
                if latency_ms:
                    app = _latency(app, latency_ms)
                self._server = make_server(self._ip_address, self._port, app, True,
                                           request_handler=MotoRequestHandler)
                self._server_ready_event.set()
                self._server.serve_forever()

        self.server = Server("127.0.0.1", port, verbose=False)

    def start(self) -> str:
        self.server.start()
        host, port = self.server.get_host_and_port()
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.stop()


class Sandbox:
    """`with Sandbox(scale=40) as sb:` -> `sb.env`, `sb.ground_truth`, `sb.write_ground_truth(dir)`.

    `variant="extended"` adds the extended block (fleet_extended: Windows, RHEL, spot, Reserved Instances, a
    legacy database class, an AMI-backed snapshot, an idle Auto Scaling group, a part-time and a recently stopped
    instance, Multi-AZ databases tagged Environment/Stage, a 2 TB gp2 volume, a bucket of small objects, a new
    service's spend) to the standard account."""

    def __init__(self, scale: int = 40, seed: int = 7, regions: Iterable[str] = DEFAULT_REGIONS, port: int = 0,
                 latency_ms: int = 0, now: datetime | None = None, variant: Variant = "standard") -> None:
        self.variant: Variant = variant
        self.scale = scale
        self.seed = seed
        self.regions = tuple(regions)
        self.port = port
        self.latency_ms = latency_ms
        self.now = now or datetime.now(UTC)
        self.env: dict[str, str] = {}
        self.ground_truth: dict[str, Any] = {}
        self.timings: dict[str, float] = {}
        self.bedrock = BedrockState(latency_ms)
        self._servers: list[Any] = []

    def _clients(self, endpoint: str | None) -> Callable[[str, str], Any]:
        config = Config(retries={"mode": "standard", "max_attempts": 2}, max_pool_connections=16)
        cache: dict[tuple[str, str], Any] = {}

        def client(service: str, region: str) -> Any:
            if (service, region) not in cache:
                cache[(service, region)] = boto3.client(
                    service, region_name=region, endpoint_url=endpoint, aws_access_key_id=DUMMY_KEY,
                    aws_secret_access_key=DUMMY_KEY, config=config)
            return cache[(service, region)]

        return client

    def start(self) -> Sandbox:
        began = time.monotonic()
        # No 1,300 canned AMI snapshots in describe_snapshots; room for --scale 10000's RDS snapshots.
        os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        os.environ.setdefault("MOTO_RDS_SNAPSHOT_LIMIT", "1000000")
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        tag_index.install()
        fleet = build_fleet(self.scale, self.regions, self.seed, self.variant)
        moto = _MotoServer(self.port, self.latency_ms)
        endpoint = moto.start()
        self._servers.append(moto)
        # boto3 dispatched in-process to the same backends the server serves (no HTTP per call);
        # the data stays when the mock stops.
        mock = mock_aws()
        mock.start()
        try:
            mock_random.seed(self.seed)
            planted = Seeder(fleet, self._clients(None), self.now).run()
        finally:
            mock.stop(remove_data=False)
        age_resources(planted, self.now)
        self.timings["resources_s"] = time.monotonic() - began
        history = History(self.now.date()).build(planted)
        self._put_metrics(history)
        cw_index.install()
        self.timings["metrics_s"] = time.monotonic() - began - self.timings["resources_s"]
        prices = PriceBook.load()
        today = self.now.date()
        lines = build_cost_table(fleet, prices, today)
        advice = purchase_advice(fleet, lines, prices, today)
        ce = serve_cost_explorer(CostExplorerState(lines, aws_rightsizing(planted, prices), today,
                                                   self.latency_ms, reservations(fleet, prices), advice)).start()
        bedrock = serve_bedrock(self.bedrock).start()
        self._servers += [ce, bedrock]
        self.ground_truth = ground_truth(fleet, planted, lines, today, history, prices, advice)
        self.timings["seed_s"] = time.monotonic() - began
        self.env = {
            "AWS_ENDPOINT_URL": endpoint, "AWS_ENDPOINT_URL_COST_EXPLORER": ce.url,
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": bedrock.url, "AWS_ACCESS_KEY_ID": DUMMY_KEY,
            "AWS_SECRET_ACCESS_KEY": DUMMY_KEY, "AWS_DEFAULT_REGION": self.regions[0],
            "AWS_REGIONS": ",".join(self.regions),
        }
        return self

    def _put_metrics(self, history: History) -> None:
        """Append the points to moto's CloudWatch backend: what put_metric_data stores (naive UTC
        timestamps), without validating 1.6 M well-formed datums at --scale 10000."""
        backends = get_backend("cloudwatch")[ACCOUNT_ID]
        stores = {region: backends[region].metric_data for region in self.regions}
        for region, namespace, metric, dims, timestamp, (count, total, low, high) in history.points():
            stores[region].append(MetricAggregatedDatum(
                namespace=namespace, name=metric, min_stat=low, max_stat=high, sample_count=count, sum_stat=total,
                dimensions=dims, timestamp=timestamp, unit=None))

    def stop(self) -> None:
        for server in reversed(self._servers):
            server.stop()
        self._servers.clear()

    def __enter__(self) -> Sandbox:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def write_ground_truth(self, directory: str | Path) -> Path:
        path = Path(directory) / "ground_truth.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.ground_truth, indent=2, sort_keys=True))
        return path

    def exports(self) -> str:
        return "\n".join(f"export {k}={v}" for k, v in self.env.items())


__all__ = ["DEFAULT_REGIONS", "LocalServer", "Sandbox"]
