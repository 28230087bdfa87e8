"""A run outlives a restart of its process between steps when Redis holds its data (REDIS_URL), and gives the
same report as a run that never stopped; without Redis the resumed step says plainly why it cannot go on.

A restart is what a new process would lack: the run's entries in this process's run cache, the graph object and
the checkpointer's connection. The thread (SQLite) and Redis are what survive it."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import pytest
import redis
from langgraph.checkpoint.sqlite import SqliteSaver

from agent.graphs.analysis.graph import NODES, build_graph
from agent.graphs.context import Context, use_settings
from agent.graphs.runner import run_analysis
from tools.settings import get_settings
from tools.storage.run_cache import PREFIX, RunDataMissing, get_run_cache

VARYING = ("generated_at", "run_cost", "api_calls", "executive_summary")
"""What two runs on one account tell apart: the clock, and Cost Explorer's answers cached by the first run."""


@pytest.fixture
def account(storage_env, us_east_1_ec2, monkeypatch):
    monkeypatch.setenv("BEDROCK_MODEL_ID", "none")
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    us_east_1_ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="m5.large")
    us_east_1_ec2.create_volume(AvailabilityZone="us-east-1a", Size=100, VolumeType="gp2")


def _step(db: str, thread: str, graph_input: Any) -> dict[str, Any]:
    """One step of the thread in a fresh graph over a fresh connection, then this process forgets the run."""
    conn = sqlite3.connect(db, check_same_thread=False)
    try:
        graph = build_graph().compile(checkpointer=SqliteSaver(conn), interrupt_after=list(NODES))
        config: Any = {"configurable": {"thread_id": thread}}
        with use_settings(get_settings()):
            graph.invoke(graph_input, config, context=Context())
        values: dict[str, Any] = graph.get_state(config).values
    finally:
        conn.close()
    get_run_cache(get_settings()).local.drop(values["run_id"])  # the restart
    return values


def _without(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k not in VARYING}


def test_a_run_restarted_after_every_step_reads_its_data_from_redis(account, redis_url, monkeypatch,
                                                                    tmp_path) -> None:
    uninterrupted = run_analysis(get_settings(), trigger="test").model_dump(mode="json")
    monkeypatch.setenv("REDIS_URL", redis_url)
    get_settings.cache_clear()
    db, thread = str(tmp_path / "threads.sqlite"), "restarted-run"
    values = _step(db, thread, {"trigger": "test"})
    key = PREFIX + values["run_id"]
    client = redis.Redis.from_url(redis_url)
    assert client.hkeys(key) == [b"collection"] and 0 < client.ttl(key) <= 24 * 3600
    for _ in NODES[1:]:
        values = _step(db, thread, None)
    assert _without(values["report"]) == _without(uninterrupted)
    assert values["errors"] == [] and values["report"]["opportunities"]
    assert client.exists(key) == 0  # the finished run dropped its data


def test_without_redis_the_resumed_step_says_why_it_cannot_go_on(account, tmp_path) -> None:
    db, thread = str(tmp_path / "threads.sqlite"), "lost-run"
    values = _step(db, thread, {"trigger": "test"})
    with pytest.raises(RunDataMissing) as failed:
        _step(db, thread, None)
    assert str(failed.value) == (
        f"run {values['run_id']}: no collection in this process (set REDIS_URL to keep runs across restarts); "
        "it expired, the run finished, or the process holding it stopped: start a new run")


def test_an_unreachable_redis_is_an_error_of_the_run_which_goes_on_in_this_process(account, monkeypatch,
                                                                                   report_checker) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")  # nothing listens on port 9
    get_settings.cache_clear()
    report = run_analysis(get_settings(), trigger="test")
    report_checker(report.model_dump(mode="json", by_alias=True))
    failed = [(e.scope, re.sub(r"^run \w+: ", "", e.error.split(" (")[0]))
              for e in report.errors if e.scope.startswith("run_cache/")]
    assert failed == [("run_cache/collection", "collection not written to Redis")] * 2 + [
        ("run_cache/analysis", "analysis not written to Redis"), ("run_cache/report", "report not written to Redis")]
    assert report.partial is True and report.opportunities
