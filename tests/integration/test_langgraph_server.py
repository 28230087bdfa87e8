"""A real `langgraph dev` serving langgraph.json, driven with langgraph-sdk: no network, no LangSmith key.

The server runs in a temporary copy of the repository (its threads land in `./.langgraph_api/` there) with
the simulated account's environment, and its own data directory: chDB allows one engine per directory,
and this test process may hold another.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
LANGGRAPH = Path(sys.executable).parent / "langgraph"
MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"
EC2 = "Amazon Elastic Compute Cloud - Compute"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _copy_repo(target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", ".langgraph_api", "*.pyc")
    for name in ("agent", "tools"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    for name in ("langgraph.json", "pyproject.toml"):
        shutil.copy2(ROOT / name, target / name)
    return target


def _server_env(sandbox: dict[str, str], data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "DATA_DIR", "CLICKHOUSE_URL", "DATABASE_URL", "PYTEST"))}
    env.update(sandbox)
    env.update({"LANGSMITH_TRACING": "false", "LANGGRAPH_CLI_NO_ANALYTICS": "1", "LANGGRAPH_NO_VERSION_CHECK": "true",
                "XDG_DATA_HOME": str(data), "DATA_DIR": str(data / "cost-agent"),
                "COST_AGENT_CONFIG": str(data / "no-config.yaml"), "PYTHONUNBUFFERED": "1"})
    return env


def _wait_for_port(proc: subprocess.Popen, log: Path, wanted: int, timeout: float = 60) -> int:
    """The port the server actually serves on (it moves silently when `wanted` is taken), once /ok answers."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"langgraph dev exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        text = log.read_text(errors="replace")
        moved = re.search(r"using port (\d+) instead", text)
        port = int(moved.group(1)) if moved else wanted
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ok", timeout=1).status_code == 200:
                return port
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"langgraph dev did not answer /ok within {timeout} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def server(sandbox_env, tmp_path_factory):
    env, truth = sandbox_env.env, sandbox_env.ground_truth
    repo = _copy_repo(tmp_path_factory.mktemp("repo"))
    data = tmp_path_factory.mktemp("server-data")  # not the test process's data directory
    log = repo / "langgraph-dev.log"
    wanted = _free_port()
    with log.open("w") as out:
        proc = subprocess.Popen([str(LANGGRAPH), "dev", "--no-browser", "--no-reload", "--port", str(wanted)],
                                cwd=repo, env=_server_env(env, data), stdout=out, stderr=subprocess.STDOUT)
    try:
        port = _wait_for_port(proc, log, wanted)
        yield {"url": f"http://127.0.0.1:{port}", "truth": truth, "repo": repo, "log": log}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_analysis_run_returns_the_report(server, report_checker) -> None:
    from langgraph_sdk import get_sync_client

    client = get_sync_client(url=server["url"])
    thread = client.threads.create()
    output = client.runs.wait(thread["thread_id"], "analysis", input={"trigger": "studio"})
    report = output["report"]
    report_checker(report)
    truth = server["truth"]
    assert (report["partial"], report["errors"], output["errors"]) == (False, [], [])
    assert report["total_monthly_cost"] == truth["cost_totals"]["total"]
    assert report["time_period"] == {"start": truth["period"]["start"], "end": truth["period"]["end"]}
    found = {f["resource_id"] for o in report["opportunities"] for f in o["resources"]}
    assert found == {w["resource_id"] for w in truth["waste"]}
    assert report["summary_source"] == f"bedrock:{MODEL}"
    assert report["run_cost"]["input_tokens"] > 0 and report["run_cost"]["bedrock"] > 0
    # The thread's state holds the run's report, and the server's schemas come from the typed state/context.
    state = client.threads.get_state(thread["thread_id"])
    assert state["values"]["report"]["total_monthly_cost"] == report["total_monthly_cost"]
    assistant = client.assistants.search(graph_id="analysis")[0]
    schemas = client.assistants.get_schemas(assistant["assistant_id"])
    assert schemas["input_schema"]["properties"] == {"trigger": {"title": "Trigger", "type": "string"}}
    assert set(schemas["context_schema"]["properties"]) == {
        "regions", "lookback_days", "idle_cpu_threshold", "underutilized_cpu_threshold", "model_id", "refresh"}


def test_chat_turns_answer_and_the_thread_keeps_the_conversation(server) -> None:
    from langgraph_sdk import get_sync_client

    client = get_sync_client(url=server["url"])
    if not client.threads.search(limit=1, metadata={"graph_id": "analysis"}):
        client.runs.wait(client.threads.create()["thread_id"], "analysis", input={})
    thread = client.threads.create()["thread_id"]
    question = {"messages": [{"role": "user", "content": "What did we spend on EC2 last month?"}]}
    first = client.runs.wait(thread, "chat", input=question, context={"model_id": "none"})
    answer = first["messages"][-1]["content"]
    assert first["mode"] == "deterministic (no LLM configured)"
    assert re.match(rf"Spend {EC2} for last month \(\d{{4}}-\d\d-01\.\.\d{{4}}-\d\d-\d\d\): \$[\d,]+\.\d\d \[Source: cost_summary ",
                    answer)
    assert first["sources"][0].startswith("cost_summary ")
    # A second turn through the sandbox's Converse server (tool call, tool result, answer), billed.
    second = client.runs.wait(thread, "chat", input={"messages": [{"role": "user", "content": "Which resources are idle?"}]})
    assert second["mode"] == f"bedrock:{MODEL}"
    assert second["run_cost"]["input_tokens"] > 0
    state = client.threads.get_state(thread)
    kinds = [m["type"] for m in state["values"]["messages"]]
    assert kinds == ["human", "ai", "human", "ai", "tool", "ai"]
    assert state["values"]["messages"][0]["content"] == "What did we spend on EC2 last month?"
    assert state["values"]["messages"][1]["content"] == answer
