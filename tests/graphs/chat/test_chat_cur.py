"""The CUR tool: offered only with a Redshift workgroup, one parameterized read-only SELECT through the
Redshift Data API (a loopback server speaking its JSON protocol), billed 8 RPU x the 60 s minimum."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from agent_fixtures import MODEL
from converse_stub import Reply

from agent.graphs.chat.cur import cur_sql
from agent.graphs.runner import ask
from tools.settings import get_settings

_SPEC = importlib.util.spec_from_file_location("billing_servers", Path(__file__).parents[2] / "billing" / "conftest.py")
assert _SPEC and _SPEC.loader
servers = importlib.util.module_from_spec(_SPEC)
sys.modules["billing_servers"] = servers  # dataclasses look their module up while the class is built
_SPEC.loader.exec_module(servers)


@pytest.fixture
def redshift(monkeypatch, storage_env):
    with servers.RedshiftDataServer() as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_REDSHIFT_DATA", server.url)
        monkeypatch.setenv("REDSHIFT_WORKGROUP", "cur-wg")
        monkeypatch.setenv("REDSHIFT_DATABASE", "billing")
        get_settings.cache_clear()
        yield server, storage_env


def test_llm_queries_the_cur_and_the_statement_is_billed(redshift, converse) -> None:
    server, storage = redshift
    server.rows = [["AmazonEC2", 812.5]]
    converse.queue(Reply(tool="cur_spend", tool_input={"start": "2026-10-01", "end": "2026-10-31", "service": "EC2"},
                         input_tokens=1000, output_tokens=20),
                   Reply(text="EC2 cost $812.50 in October [Cost and Usage Report].", input_tokens=1200,
                         output_tokens=20))
    answer = ask("What did EC2 cost in October according to the CUR?", "t-cur", get_settings())
    assert answer.mode == f"bedrock:{MODEL}"
    assert answer.sources == ["Cost and Usage Report 2026-10-01..2026-10-31 (Redshift cur-wg/billing.cur, "
                              "unblended cost)"]
    (statement,) = server.statements.values()
    assert statement.sql == cur_sql("cur", "service", True)
    assert statement.params == [{"name": "start", "value": "2026-10-01"},
                                {"name": "end_exclusive", "value": "2026-11-01"},
                                {"name": "service", "value": "AmazonEC2"}]
    assert (statement.workgroup, statement.database) == ("cur-wg", "billing")
    # 8 RPU x 60 s (minimum; the statement took 2 s) / 3,600 x $0.36 = $0.048; tokens 2,200 in, 40 out.
    assert (answer.run_cost.redshift, answer.run_cost.bedrock) == (0.048, 0.0072)
    assert answer.run_cost.total == 0.0552
    offered = [t["toolSpec"]["name"] for t in converse.requests[0]["toolConfig"]["tools"]]
    assert offered[-1] == "cur_spend"
    costs = storage.agent_cost_totals()
    assert (costs["redshift"], costs["bedrock"]) == (0.048, 0.0072)


def test_cur_sql_rejects_a_bad_table_name() -> None:
    from agent.graphs.chat.tools import ToolInputError

    with pytest.raises(ToolInputError, match="REDSHIFT_CUR_TABLE"):
        cur_sql("cur; DROP TABLE x", "service", False)


def test_without_an_llm_a_question_naming_the_cur_queries_it_too(redshift) -> None:
    """Tool parity: the planner calls the same billed CUR tool the LLM may call, only when the question names it."""
    from tools.settings import load_settings

    server, storage = redshift
    server.rows = [["AmazonEC2", 812.5]]
    answer = ask("What did EC2 cost in October 2026 according to the CUR?", "t-cur-offline",
                 load_settings(bedrock_model_id="none"))
    source = "Cost and Usage Report 2026-10-01..2026-10-31 (Redshift cur-wg/billing.cur, unblended cost)"
    assert answer.answer == (f"Spend Amazon Elastic Compute Cloud - Compute for October 2026 (2026-10-01..2026-10-31) "
                             f"in the Cost and Usage Report: $812.50 [Source: {source}].")
    assert (answer.sources, answer.mode, answer.run_cost.redshift, answer.run_cost.total) == (
        [source], "deterministic (no LLM configured)", 0.048, 0.048)
    (statement,) = server.statements.values()
    assert statement.params[-1] == {"name": "service", "value": "AmazonEC2"}
    assert storage.agent_cost_totals()["redshift"] == 0.048  # the statement is billed, as the LLM's is
