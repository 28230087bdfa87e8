"""The analysis graph in process, on moto (`mock_aws`) and chDB: every node runs, results land in ClickHouse,
the summary goes through the real ChatBedrockConverse to the loopback Converse server, and the bill adds up."""

from __future__ import annotations

import json

import pytest
from agent_fixtures import MODEL
from converse_stub import Reply
from moto import mock_aws

from agent.graphs.analysis.graph import build_graph, graph
from agent.graphs.checkpoint import open_checkpointer
from agent.graphs.context import Context, use_settings
from agent.graphs.runner import run_analysis
from agent.llm.narration import unverified_figures
from tools.settings import get_settings


@pytest.fixture
def account(storage_env, us_east_1_ec2):
    us_east_1_ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="m5.large")
    us_east_1_ec2.create_volume(AvailabilityZone="us-east-1a", Size=100, VolumeType="gp2")
    return storage_env


def test_graph_schemas_are_the_public_edge() -> None:
    assert graph.get_input_jsonschema()["properties"] == {"trigger": {"title": "Trigger", "type": "string"}}
    assert set(graph.get_output_jsonschema()["properties"]) == {"report", "errors"}
    assert list(graph.get_graph().nodes) == ["__start__", "collect", "utilize", "analyze", "prioritize", "summarize",
                                             "collect_shard", "gather", "__end__"]
    edges = {(e.source, e.target, e.conditional) for e in graph.get_graph().edges}
    assert edges == {("__start__", "collect", False), ("collect", "utilize", True), ("collect", "collect_shard", True),
                     ("collect_shard", "gather", False), ("utilize", "analyze", False), ("gather", "analyze", False),
                     ("analyze", "prioritize", False), ("prioritize", "summarize", False),
                     ("summarize", "__end__", False)}
    assert graph.checkpointer is None  # the LangGraph server brings its own


def test_run_writes_storage_and_bills_the_summary(account, converse, report_checker) -> None:
    storage = account
    converse.queue(Reply(text="placeholder", input_tokens=1800, output_tokens=250))
    events: list[dict] = []
    report = run_analysis(get_settings(), progress=events.append, trigger="test")
    report_checker(report.model_dump(mode="json", by_alias=True))
    # Each node reported progress, in order.
    done = [e["node"] for e in events if e["message"] == "done"]
    assert done == ["collect", "utilize", "analyze", "prioritize", "summarize"]
    # 'placeholder' has no figure, so it is accepted as Bedrock's summary; its tokens are billed:
    # 1,800 x $0.003/1k + 250 x $0.015/1k = $0.0054 + $0.00375 = $0.00915.
    assert (report.summary_source, report.executive_summary) == (f"bedrock:{MODEL}", "placeholder")
    paid = round(sum(c.paid_usd for c in report.api_calls), 6)
    assert paid > 0  # Cost Explorer requests at $0.01 each
    assert (report.run_cost.bedrock, report.run_cost.aws_api, report.run_cost.total) == (
        0.00915, paid, round(0.00915 + paid, 6))
    assert (report.run_cost.input_tokens, report.run_cost.output_tokens) == (1800, 250)
    # The prompt carried the report's totals.
    user = converse.requests[0]["messages"][0]["content"][0]["text"]
    assert json.loads(user.split("\n", 1)[1].rsplit("\n\nWrite", 1)[0])["opportunity_count"] == len(
        report.opportunities)
    # ClickHouse holds the report, the findings and the bill.
    stored = storage.latest_report()
    assert stored.model_dump(mode="json") == report.model_dump(mode="json")
    gp2 = [o for o in storage.query_opportunities() if o.type == "volume_type_upgrade"]
    assert [o.resource_count for o in gp2] == [1]
    costs = storage.agent_cost_totals()
    assert (costs["bedrock"], costs["aws_api"], costs["input_tokens"]) == (0.00915, paid, 1800)
    assert unverified_figures(report.executive_summary, report) == []


def test_context_overrides_and_no_llm(account, monkeypatch, report_checker) -> None:
    monkeypatch.setenv("BEDROCK_MODEL_ID", "none")
    get_settings.cache_clear()
    report = run_analysis(get_settings(), lookback_days=7, thread_id="graph-thread")
    report_checker(report.model_dump(mode="json", by_alias=True))
    assert (report.time_period.end - report.time_period.start).days == 6
    assert report.summary_source == "deterministic (no LLM configured)"
    assert report.run_cost.bedrock == 0.0 and report.run_cost.input_tokens == 0
    # Every failure of the collection is in the report, and makes it partial.
    assert report.partial == bool(report.errors)
    # The thread kept the run's state (SQLite under the data directory).
    with open_checkpointer(get_settings()) as saver:
        state = build_graph().compile(checkpointer=saver).get_state({"configurable": {"thread_id": "graph-thread"}})
    assert state.values["report"]["summary_source"] == "deterministic (no LLM configured)"
    assert state.values["trigger"] == "cli"


def test_a_failing_store_is_recorded_in_the_report_and_the_output(monkeypatch, report_checker) -> None:
    """ClickHouse unreachable (nothing listens on port 9): every node's write fails, the run still finishes,
    and each failure is in the report (partial) or, for the report itself, in the output's errors."""
    monkeypatch.setenv("AWS_REGIONS", "us-east-1")
    monkeypatch.setenv("BEDROCK_MODEL_ID", "none")
    monkeypatch.setenv("CLICKHOUSE_URL", "http://127.0.0.1:9/nowhere")
    get_settings.cache_clear()
    with mock_aws(), use_settings(get_settings()):
        output = graph.invoke({"trigger": "test"}, context=Context())
    report = output["report"]
    report_checker(report)
    scopes = [e["scope"] for e in report["errors"] if e["scope"].startswith("storage/")]
    assert scopes == ["storage/store_collection", "storage/store_collection", "storage/store_anomalies",
                      "storage/store_optimization_opportunities", "storage/store_agent_costs"]
    assert report["partial"] is True
    assert [e["scope"] for e in output["errors"]][-1] == "storage/store_report"
