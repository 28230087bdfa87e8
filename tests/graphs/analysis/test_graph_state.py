"""The lean state: the checkpoints carry the run's id, summaries, errors and the report, never the inventory;
the collection and the rules' result live in the run cache, which the finished run leaves empty."""

from __future__ import annotations

import ast
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver

from agent.graphs.analysis import state
from agent.graphs.analysis.graph import build_graph
from agent.graphs.context import Context, use_settings
from tools.settings import get_settings
from tools.storage.run_cache import get_run_cache


@pytest.fixture
def account(storage_env, us_east_1_ec2, monkeypatch):
    monkeypatch.setenv("BEDROCK_MODEL_ID", "none")
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    reservation = us_east_1_ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1,
                                              InstanceType="m5.large")
    us_east_1_ec2.create_volume(AvailabilityZone="us-east-1a", Size=100, VolumeType="gp2")
    return reservation["Instances"][0]["InstanceId"]


def _history(tmp_path, thread: str) -> list[Any]:
    settings = get_settings()
    conn = sqlite3.connect(str(tmp_path / "threads.sqlite"), check_same_thread=False)
    try:
        graph = build_graph().compile(checkpointer=SqliteSaver(conn))
        config: Any = {"configurable": {"thread_id": thread}}
        with use_settings(settings):
            graph.invoke({"trigger": "test"}, config, context=Context())
        return list(graph.get_state_history(config))
    finally:
        conn.close()


def test_every_state_field_has_a_docstring() -> None:
    tree = ast.parse(Path(state.__file__).read_text())
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        for field, after in zip(cls.body, [*cls.body[1:], None], strict=True):
            if isinstance(field, ast.AnnAssign):
                documented = isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                assert documented, f"{cls.name}.{ast.unparse(field.target)} has no docstring"
    assert {"run_id", "collected", "analyzed"} <= set(state.AnalysisState.__annotations__)


def test_checkpoints_hold_summaries_not_the_inventory(account, tmp_path) -> None:
    instance_id = account
    history = _history(tmp_path, "lean-thread")
    final = history[0].values
    assert set(final) == {"trigger", "run_id", "collected", "analyzed", "report", "errors", "graph_errors",
                          "aws_api_usd", "api_calls", "shards_done"}
    report = final["report"]
    # moto: two volumes (the instance's root and the gp2 one), no Cost Explorer spend nor CloudWatch data, and
    # six `missing` lines (five Cost Explorer answers moto lacks, and the Pricing API).
    assert final["collected"] == {
        "collected_at": report["generated_at"].replace("Z", "+00:00"), "account_id": "123456789012",
        "regions": ["us-east-1"], "resources": 3, "by_kind": {"ebs_volume": 2, "ec2_instance": 1},
        "measured": 0, "spend_usd": 0.0, "pricing_api": "down", "missing": 6, "errors": 0}
    assert final["analyzed"] == {"opportunities": 2, "findings": 2, "savings_usd": report["savings"]["total"],
                                 "waste_usd": report["total_waste"],
                                 "insufficient_data": 1, "anomalies": 0}
    # Before the report exists, no checkpoint names a resource: the inventory never enters the state.
    before_report = [s for s in history if "report" not in s.values]
    assert [s.next for s in before_report][:4] == [("summarize",), ("prioritize",), ("analyze",), ("utilize",)]
    assert all(instance_id not in json.dumps(s.values) for s in before_report)
    # The run's data left the run cache when it finished.
    assert final["run_id"] not in get_run_cache(get_settings()).local.runs()
