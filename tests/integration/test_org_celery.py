"""One simulated organization (4 members, member 1 refusing its role) analysed twice by the whole graph: its shards
on threads of this process, then on two real Celery worker processes over Redis. The two reports are the same
(findings, savings, errors, spend), every shard saw the same inventory, and both workers took shards."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from agent.graphs.analysis.graph import build_graph
from agent.graphs.context import Context, use_settings
from tests.executors.celery_workers import start_workers, stop_workers
from tools.aws.shard import worker_name
from tools.executors.celery_app import make_app
from tools.models import Report
from tools.settings import Settings, get_settings, load_settings

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
REGIONS = ("us-east-1", "eu-west-1")


@pytest.fixture
def organization(org_sandbox_env, storage_env, monkeypatch):
    for key, value in org_sandbox_env.env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    return org_sandbox_env


def analyse(settings: Settings) -> tuple[Report, list[dict[str, Any]]]:
    """The analysis graph compiled and run as agent/graphs/runner.py runs it: (report, the shards' summaries)."""
    shards: list[dict[str, Any]] = []
    final: dict[str, Any] = {}
    with use_settings(settings):
        graph = build_graph().compile(name="analysis")
        stream = graph.stream({"trigger": "test"}, {}, context=Context(refresh=True),
                              stream_mode=["updates", "values"])
        for mode, chunk in cast(Iterator[tuple[str, dict[str, Any]]], stream):
            if mode == "values":
                final = chunk
            else:
                shards += [s for node, update in chunk.items() if node == "collect_shard"
                           for s in update["shards_done"]]
    return Report.model_validate(final["report"]), shards


def comparable(report: Report) -> dict[str, Any]:
    """What must not depend on where the shards ran."""
    return {
        "findings": sorted((f.account_id, f.resource_id, o.type, f.savings)
                           for o in report.opportunities for f in o.resources),
        "savings_total": report.savings.total,
        "savings_by_account": report.savings.by_account,
        "errors": [(e.scope, e.code, e.error) for e in report.errors],
        "partial": report.partial,
        "total_monthly_cost": report.total_monthly_cost,
        "cost_by_account": report.by_account,
        "api_calls": [c.model_dump(mode="json") for c in report.api_calls],
    }


def pool_pids(app: Any, names: list[str], procs: list[subprocess.Popen], logs: Path) -> dict[str, set[int]]:
    """Once both workers answer: worker name -> the pids of its pool processes (where its tasks run)."""
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        assert all(p.poll() is None for p in procs), "a worker exited: " + " ".join(
            f.read_text() for f in logs.glob("*.log"))
        stats = app.control.inspect(destination=names, timeout=0.5).stats() or {}
        if set(stats) == set(names):
            return {name: set(stats[name]["pool"]["processes"]) for name in names}
    pytest.fail("workers not ready in 40 s: " + " ".join(f.read_text() for f in logs.glob("*.log")))


def test_celery_workers_give_the_in_process_report(organization, redis_url, tmp_path, monkeypatch) -> None:
    truth = organization.ground_truth
    refused = [a["account_id"] for a in truth["accounts"] if a["refuses_role"]]
    shard_keys = sorted(f"{a['account_id']}/{r}" for a in truth["accounts"] for r in REGIONS)

    in_process, threads = analyse(get_settings())

    queue = f"optiinfra-test-{uuid.uuid4().hex[:8]}"
    broker = {"CELERY_BROKER_URL": redis_url, "CELERY_RESULT_BACKEND": redis_url, "CELERY_QUEUE": queue}
    names = [f"shards-{queue}-{i}@localhost" for i in (1, 2)]
    procs = start_workers({**os.environ, **organization.env, **broker}, names, tmp_path)
    try:
        settings = load_settings(executor="celery", celery_broker_url=redis_url, celery_result_backend=redis_url,
                                 celery_queue=queue, executor_timeout_seconds=120)
        pids = pool_pids(make_app(settings), names, procs, tmp_path)
        on_workers, tasks = analyse(settings)
    finally:
        stop_workers(procs)

    assert len(refused) == 1 and len(truth["accounts"]) == 5
    assert [(e.scope, e.code) for e in in_process.errors] == [(f"account/{refused[0]}", "AccessDenied")]
    assert in_process.partial is True
    assert in_process.total_monthly_cost == truth["monthly_spend"]
    assert round(sum(in_process.savings.by_account.values()), 2) == in_process.savings.total
    assert set(in_process.savings.by_account) == {a["account_id"] for a in truth["accounts"]} - set(refused)
    assert comparable(on_workers) == comparable(in_process)

    def seen(summaries: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
        return sorted((s["shard"], s["resources"], s["errors"]) for s in summaries)

    assert [k for k, _, _ in seen(threads)] == shard_keys
    assert seen(tasks) == seen(threads)
    assert {s["worker"] for s in threads} == {worker_name()}
    host = socket.gethostname()
    took = {name: sum(1 for s in tasks if s["worker"] in {f"{host}:{pid}" for pid in pids[name]}) for name in names}
    assert sum(took.values()) == len(shard_keys) and min(took.values()) >= 1, took
