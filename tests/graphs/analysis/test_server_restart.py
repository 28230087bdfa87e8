"""A run outlives a restart of the LangGraph server between its steps when Redis holds its data: a real
`langgraph dev` runs collect, stops, and a new server on the same threads runs the other steps."""

from __future__ import annotations

import subprocess

import pytest
import redis
from integration.langgraph_dev import LANGGRAPH
from integration.langgraph_dev import copy_repo as _copy_repo
from integration.langgraph_dev import free_port as _free_port
from integration.langgraph_dev import server_env as _server_env
from integration.langgraph_dev import wait_for_port as _wait_for_port

from tools.storage.run_cache import PREFIX

pytestmark = pytest.mark.integration


def _serve(repo, env, log_name: str) -> tuple[subprocess.Popen, str]:
    log = repo / log_name
    wanted = _free_port()
    with log.open("w") as out:
        proc = subprocess.Popen([str(LANGGRAPH), "dev", "--no-browser", "--no-reload", "--port", str(wanted)],
                                cwd=repo, env=env, stdout=out, stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{_wait_for_port(proc, log, wanted)}"


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()  # a clean shutdown: the dev server writes its threads to ./.langgraph_api
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_a_run_resumes_on_a_restarted_server(sandbox_env, redis_url, tmp_path, report_checker) -> None:
    from langgraph_sdk import get_sync_client

    repo = _copy_repo(tmp_path / "repo")
    env = {**_server_env(sandbox_env.env, tmp_path / "data"), "REDIS_URL": redis_url}
    proc, url = _serve(repo, env, "first.log")
    try:
        client = get_sync_client(url=url)
        thread = client.threads.create()["thread_id"]
        client.runs.wait(thread, "analysis", input={"trigger": "studio"}, interrupt_after=["collect"])
        state = client.threads.get_state(thread)
    finally:
        _stop(proc)
    assert state["next"] == ["utilize"]
    run_id, collected = state["values"]["run_id"], state["values"]["collected"]
    assert collected["resources"] > 0 and "collection" not in state["values"]
    assert redis.Redis.from_url(redis_url).hkeys(PREFIX + run_id) == [b"collection"]

    proc, url = _serve(repo, env, "second.log")
    try:
        output = get_sync_client(url=url).runs.wait(thread, "analysis", input=None)
    finally:
        _stop(proc)
    report = output["report"]
    report_checker(report)
    truth = sandbox_env.ground_truth
    assert (report["partial"], output["errors"]) == (False, [])
    assert report["total_monthly_cost"] == truth["cost_totals"]["total"]
    assert {f["resource_id"] for o in report["opportunities"] for f in o["resources"]} == {
        w["resource_id"] for w in truth["waste"]}
    assert redis.Redis.from_url(redis_url).exists(PREFIX + run_id) == 0
