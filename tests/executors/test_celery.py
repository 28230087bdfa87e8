"""The Celery executor for real: two worker processes (`celery -A tools.executors.worker worker --concurrency 1`)
over Redis, and over RabbitMQ with Redis results, run an organization's shards against a moto server on loopback;
their results are the in-process executor's, value for value."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path
from typing import NamedTuple

import pytest
from moto.server import ThreadedMotoServer

from tests.executors.celery_workers import start_workers, stop_workers
from tests.executors.org_fleet import CALLER, REGIONS, TODAY, create_members, seed_account
from tools.aws.org import AccountSessions, CallLimits
from tools.aws.shard import Shard, ShardResult, worker_name
from tools.executors import InProcessExecutor, get_executor
from tools.executors.celery_app import make_app
from tools.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
RUN = "run-celery"
VARIES = {"collected_at", "worker", "seconds"}  # where and when; everything else must be equal


class Organization(NamedTuple):
    env: dict[str, str]
    shards: list[Shard]
    reference: list[ShardResult]


@pytest.fixture(scope="module")
def organization(tmp_path_factory):
    """A moto server holding the caller and two members with their fleets, and the in-process executor's answer."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    url = "http://{}:{}".format(*server.get_host_and_port())
    env = {"AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
           "XDG_DATA_HOME": str(tmp_path_factory.mktemp("xdg")),
           "COST_AGENT_CONFIG": str(tmp_path_factory.getbasetemp() / "no-config.yaml")}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_ROLE_ARN", "AWS_SESSION_TOKEN", "REDIS_URL", "CLICKHOUSE_URL"):
            patch.delenv(name, raising=False)
        urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10).close()
        members = create_members(2)
        for i, account in enumerate([CALLER, *members]):
            seed_account(account, cpu=2.0 + i)
        shards = [Shard(account_id=a, region=r) for a in [CALLER, *members] for r in REGIONS]
        settings = load_settings(collection_concurrency=2)
        reference = InProcessExecutor(settings, sessions=AccountSessions(settings), limits=CallLimits(4)).run(
            shards, RUN, today=TODAY)
        yield Organization(env, shards, reference)
    server.stop()


def _wait_ready(app, names: list[str], procs: list[subprocess.Popen], logs: Path) -> None:
    wanted = {f"{n}@localhost" for n in names}
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        dead = [p.args[-5] for p in procs if p.poll() is not None]
        assert not dead, "a worker exited: " + " ".join(f.read_text() for f in logs.glob("*.log"))
        answered = {name for reply in app.control.ping(destination=sorted(wanted), timeout=0.5) for name in reply}
        if answered == wanted:
            return
    pytest.fail("workers not ready in 40 s: " + " ".join(f.read_text() for f in logs.glob("*.log")))


def _on_two_workers(organization: Organization, broker: str, backend: str, logs: Path,
                    monkeypatch: pytest.MonkeyPatch) -> list[ShardResult]:
    queue = f"optiinfra-test-{uuid.uuid4().hex[:8]}"
    for name, value in organization.env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(executor="celery", celery_broker_url=broker, celery_result_backend=backend,
                             celery_queue=queue, collection_concurrency=2, executor_timeout_seconds=120)
    env = {**os.environ, **organization.env, "CELERY_BROKER_URL": broker, "CELERY_RESULT_BACKEND": backend,
           "CELERY_QUEUE": queue}
    names = [f"shards-{queue}-{i}" for i in (1, 2)]
    procs = start_workers(env, [f"{n}@localhost" for n in names], logs)
    try:
        executor = get_executor(settings)
        _wait_ready(make_app(settings), names, procs, logs)
        steps: list[tuple[str, int, int]] = []
        results = executor.run(organization.shards, RUN, today=TODAY, progress=lambda *s: steps.append(s))
    finally:
        stop_workers(procs)
    assert steps[-1] == ("shards", 6, 6)
    return results


def _same_as_in_process(organization: Organization, results: list[ShardResult]) -> None:
    assert [r.shard for r in results] == organization.shards
    assert [r.errors for r in results] == [[]] * 6
    assert ([r.model_dump(mode="json", exclude=VARIES) for r in results]
            == [r.model_dump(mode="json", exclude=VARIES) for r in organization.reference])
    ran_on = {r.worker for r in results}
    assert len(ran_on) == 2 and worker_name() not in ran_on  # both workers took shards, none ran here
    assert sum(len(r.resources) for r in results) == 3 * (4 + 3)


def test_two_workers_over_redis_give_the_in_process_results(organization, redis_url, tmp_path, monkeypatch):
    results = _on_two_workers(organization, redis_url, redis_url, tmp_path, monkeypatch)
    _same_as_in_process(organization, results)


def test_two_workers_over_rabbitmq_give_the_in_process_results(organization, amqp_url, redis_url, tmp_path,
                                                                monkeypatch):
    results = _on_two_workers(organization, amqp_url, redis_url, tmp_path, monkeypatch)
    _same_as_in_process(organization, results)
