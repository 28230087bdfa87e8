"""A real `langgraph dev` serving langgraph.json, driven with langgraph-sdk: no network, no LangSmith key.

The server runs in a temporary copy of the repository (its threads land in `./.langgraph_api/` there) with
the simulated account's environment, and its own data directory: chDB allows one engine per directory,
and this test process may hold another.
"""

from __future__ import annotations

import re

import pytest
from integration.langgraph_dev import copy_repo, langgraph_dev, server_env

pytestmark = pytest.mark.integration
MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"
EC2 = "Amazon Elastic Compute Cloud - Compute"


@pytest.fixture(scope="module")
def server(sandbox_env, tmp_path_factory):
    repo = copy_repo(tmp_path_factory.mktemp("repo"))
    data = tmp_path_factory.mktemp("server-data")  # not the test process's data directory
    with langgraph_dev(repo, server_env(sandbox_env.env, data)) as url:
        yield {"url": url, "truth": sandbox_env.ground_truth, "repo": repo, "log": repo / "langgraph-dev.log"}


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
