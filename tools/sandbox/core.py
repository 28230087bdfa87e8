"""The simulated account: moto's server, a Cost Explorer server and a Bedrock Converse server on loopback.

`Sandbox` starts moto's server, seeds the fleet into the backends that server serves (boto3 dispatched
in-process, plus direct backend calls for the bulk: see seed.py), appends the CloudWatch history, indexes
moto for fleet-scale reads, and serves Cost Explorer and Bedrock from small local servers. Never run it in
a process that also uses `mock_aws` (they share moto's state): tests start it as a subprocess.

With `accounts=N` the caller's account is the management (payer) account of an organization of N members
(org.py), each seeded with its own fleet and history in its own moto backends; AssumeRole into a member obeys the
member role's trust policy (assume_role.py: the members listed in `refuse` do not trust the caller), Cost Explorer
answers for every linked account, and the ground truth has one entry per account (org_truth.py).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
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
from tools.sandbox import cw_index, org, tag_index
from tools.sandbox.advice import purchase_advice
from tools.sandbox.assume_role import enforce_trust
from tools.sandbox.bedrock_server import BedrockState, serve_bedrock
from tools.sandbox.ce_server import CostExplorerState, serve_cost_explorer
from tools.sandbox.cost_lines import Line
from tools.sandbox.costs import build_cost_table
from tools.sandbox.fleet import Fleet, Variant, build_fleet
from tools.sandbox.local_server import LocalServer
from tools.sandbox.metrics import History
from tools.sandbox.org_truth import organization_truth
from tools.sandbox.planted import Planted
from tools.sandbox.reservations import reservations
from tools.sandbox.seed import Seeder, age_resources
from tools.sandbox.truth import aws_rightsizing, ground_truth

DEFAULT_REGIONS = ("us-east-1", "eu-west-1")
"""Same default as `python -m tools.sandbox --regions`."""
DUMMY_KEY = "sandbox"
MEMBER_SCALE = 6
"""EC2 instances per member account (the rest in proportion), by default."""


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
    """moto's ThreadedMotoServer, with an optional per-request delay; with `guarded` (the member accounts, filled in
    once the organization exists), AssumeRole into those accounts obeys the role's trust policy."""

    def __init__(self, port: int, latency_ms: int, guarded: Collection[str] | None = None) -> None:
        class Server(ThreadedMotoServer):
            def _server_entry(self) -> None:
                app: Any = _without_pricing(DomainDispatcherApplication(create_backend_app))
                if guarded is not None:
                    app = enforce_trust(app, guarded)
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


@dataclass
class _Account:
    """One account's seeded fleet, then its CloudWatch history and cost lines."""

    fleet: Fleet
    planted: list[Planted]
    member: org.Member | None = None
    history: History = field(init=False)
    lines: list[Line] = field(init=False)


class Sandbox:
    """`with Sandbox(scale=40) as sb:` -> `sb.env`, `sb.ground_truth`, `sb.write_ground_truth(dir)`.

    `variant="extended"` adds the extended block (fleet_extended: Windows, RHEL, spot, Reserved Instances, a
    legacy database class, an AMI-backed snapshot, an idle Auto Scaling group, a part-time and a recently stopped
    instance, Multi-AZ databases tagged Environment/Stage, a 2 TB gp2 volume, a bucket of small objects, a new
    service's spend) to the standard account.

    `accounts=N` makes the caller's account the management account of an organization of N members, each with a
    standard fleet of `member_scale` instances (org.py); the members whose indexes are in `refuse` do not trust the
    management account in their OptiInfraCostReadOnly role. `accounts=0` (the default) is the single account."""

    def __init__(self, scale: int = 40, seed: int = 7, regions: Iterable[str] = DEFAULT_REGIONS, port: int = 0,
                 latency_ms: int = 0, now: datetime | None = None, variant: Variant = "standard",
                 accounts: int = 0, refuse: Iterable[int] = (), member_scale: int = MEMBER_SCALE) -> None:
        self.variant: Variant = variant
        self.scale = scale
        self.seed = seed
        self.regions = tuple(regions)
        self.port = port
        self.latency_ms = latency_ms
        self.now = now or datetime.now(UTC)
        self.accounts = accounts
        self.refuse = org.check_members(accounts, refuse)
        if accounts and member_scale < 1:
            raise ValueError("member_scale must be at least 1")
        self.member_scale = member_scale
        self.members: tuple[org.Member, ...] = ()
        self.management_name = ""
        self.env: dict[str, str] = {}
        self.ground_truth: dict[str, Any] = {}
        self.timings: dict[str, float] = {}
        self.bedrock = BedrockState(latency_ms)
        self._servers: list[Any] = []

    def _clients(self, endpoint: str | None, credentials: dict[str, Any] | None = None) -> Callable[[str, str], Any]:
        config = Config(retries={"mode": "standard", "max_attempts": 2}, max_pool_connections=16)
        cache: dict[tuple[str, str], Any] = {}
        keys = {"aws_access_key_id": DUMMY_KEY, "aws_secret_access_key": DUMMY_KEY} if credentials is None else {
            "aws_access_key_id": credentials["AccessKeyId"], "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"]}

        def client(service: str, region: str) -> Any:
            if (service, region) not in cache:
                cache[(service, region)] = boto3.client(service, region_name=region, endpoint_url=endpoint,
                                                        config=config, **keys)
            return cache[(service, region)]

        return client

    def start(self) -> Sandbox:
        began = time.monotonic()
        # No 1,300 canned AMI snapshots in describe_snapshots; room for --scale 10000's RDS snapshots.
        os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        os.environ.setdefault("MOTO_RDS_SNAPSHOT_LIMIT", "1000000")
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        tag_index.install()
        guarded: set[str] = set()
        moto = _MotoServer(self.port, self.latency_ms, guarded if self.accounts else None)
        endpoint = moto.start()
        self._servers.append(moto)
        seeded = self._seed(build_fleet(self.scale, self.regions, self.seed, self.variant))
        guarded.update(m.account_id for m in self.members)
        for account in seeded:
            age_resources(account.planted, self.now, account.fleet.account_id)
        self.timings["resources_s"] = time.monotonic() - began
        for account in seeded:
            account.history = History(self.now.date(), account.fleet.jitter).build(account.planted)
            self._put_metrics(account.history, account.fleet.account_id)
        cw_index.install()
        self.timings["metrics_s"] = time.monotonic() - began - self.timings["resources_s"]
        ce = self._bill(seeded, PriceBook.load())
        bedrock = serve_bedrock(self.bedrock).start()
        self._servers.append(bedrock)
        self.timings["seed_s"] = time.monotonic() - began
        self.env = {
            "AWS_ENDPOINT_URL": endpoint, "AWS_ENDPOINT_URL_COST_EXPLORER": ce.url,
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": bedrock.url, "AWS_ACCESS_KEY_ID": DUMMY_KEY,
            "AWS_SECRET_ACCESS_KEY": DUMMY_KEY, "AWS_DEFAULT_REGION": self.regions[0],
            "AWS_REGIONS": ",".join(self.regions),
        }
        if self.accounts:
            self.env["AWS_ACCOUNTS"] = "organization"
        return self

    def _seed(self, fleet: Fleet) -> list[_Account]:
        """The caller's fleet, then the organization's, through boto3 dispatched in-process to the backends the
        server serves (no HTTP per call); the data stays when the mock stops."""
        mock = mock_aws()
        mock.start()
        try:
            mock_random.seed(self.seed)
            seeded = [_Account(fleet, Seeder(fleet, self._clients(None), self.now).run())]
            return seeded + (self._organization() if self.accounts else [])
        finally:
            mock.stop(remove_data=False)

    def _bill(self, seeded: list[_Account], prices: PriceBook) -> LocalServer:
        """Every account's cost lines, the Cost Explorer server over them (commitments and recommendations from the
        caller's account), and the ground truth."""
        today = self.now.date()
        for account in seeded:
            account.lines = build_cost_table(account.fleet, prices, today)
        payer = seeded[0]
        lines = [ln for a in seeded for ln in a.lines] if self.accounts else payer.lines
        advice = purchase_advice(payer.fleet, payer.lines, prices, today)
        names = {a.fleet.account_id: a.member.name if a.member else self.management_name for a in seeded}
        ce = serve_cost_explorer(CostExplorerState(
            lines, aws_rightsizing(payer.planted, prices), today, self.latency_ms, reservations(payer.fleet, prices),
            advice, names if self.accounts else None)).start()
        self._servers.append(ce)
        self.ground_truth = ground_truth(payer.fleet, payer.planted, payer.lines, today, payer.history, prices, advice)
        if self.accounts:
            members = [(a.member, ground_truth(a.fleet, a.planted, a.lines, today, a.history, prices))
                       for a in seeded if a.member]
            self.ground_truth = organization_truth(self.ground_truth, self.management_name, members, lines)
        return ce

    def _organization(self) -> list[_Account]:
        """The organization, then in each member its read-only role and its fleet (inside the seeding mock)."""
        region = self.regions[0]
        payer = self._clients(None)
        made = org.create_organization(payer, self.accounts, self.seed, self.refuse, region)
        self.management_name, self.members = made.management_name, made.members
        out = []
        for member in made.members:
            fleet = org.member_fleet(member, self.member_scale, self.regions, self.seed)
            mock_random.seed(fleet.seed)
            clients = org.member_clients(payer, member, region, lambda keys: self._clients(None, keys))
            org.read_only_role(clients, member, region)
            out.append(_Account(fleet, Seeder(fleet, clients, self.now).run(), member))
        return out

    def _put_metrics(self, history: History, account_id: str) -> None:
        """Append the points to moto's CloudWatch backend: what put_metric_data stores (naive UTC
        timestamps), without validating 1.6 M well-formed datums at --scale 10000."""
        backends = get_backend("cloudwatch")[account_id]
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
