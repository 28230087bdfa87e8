"""The whole graph on the simulated account (a `python -m tools.sandbox` subprocess): collection, analysis,
the summary through the real ChatBedrockConverse against the sandbox's Converse server (billed), storage,
and chat questions answered from what the run stored."""

from __future__ import annotations

from decimal import Decimal

import pytest
from agent_fixtures import MODEL

from agent.graphs.chat.tools import today
from agent.graphs.runner import ask, run_analysis
from agent.llm.narration import unverified_figures
from tools.settings import get_settings, load_settings

EC2 = "Amazon Elastic Compute Cloud - Compute"


@pytest.fixture
def sandboxed(sandbox_env, storage_env, monkeypatch):
    truth = sandbox_env.ground_truth
    for key, value in sandbox_env.env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    return storage_env, truth


def test_graph_end_to_end_on_the_simulated_account(sandboxed, report_checker) -> None:
    storage, truth = sandboxed
    # refresh: the session's data directory may hold Cost Explorer answers cached by the moto tests
    report = run_analysis(get_settings(), refresh=True, trigger="test")
    report_checker(report.model_dump(mode="json", by_alias=True))
    assert (report.partial, report.errors) == (False, [])
    assert str(report.time_period.start) == truth["period"]["start"]
    assert str(report.time_period.end) == truth["period"]["end"]
    assert report.total_monthly_cost == truth["cost_totals"]["total"]
    assert report.by_service == truth["cost_totals"]["by_service"]
    found = {(f.resource_id, o.type) for o in report.opportunities for f in o.resources}
    assert {(w["resource_id"], w["type"]) for w in truth["waste"]} <= found
    assert {w["resource_id"] for w in truth["waste"]} == {rid for rid, _ in found}
    # The summary went through ChatBedrockConverse to the sandbox's Converse server; its tokens are billed
    # at the seed's prices ($0.003 / $0.015 per 1,000 tokens).
    assert report.summary_source == f"bedrock:{MODEL}"
    assert unverified_figures(report.executive_summary, report) == []
    tokens_in, tokens_out = report.run_cost.input_tokens, report.run_cost.output_tokens
    assert tokens_in > 0 and tokens_out > 0
    expected = (Decimal(tokens_in) * Decimal("0.003") + Decimal(tokens_out) * Decimal("0.015")) / 1000
    assert Decimal(str(report.run_cost.bedrock)) == expected.quantize(Decimal("0.00000001"))
    paid = sum((Decimal(str(c.paid_usd)) for c in report.api_calls), Decimal(0))
    assert Decimal(str(report.run_cost.aws_api)) == paid
    assert report.run_cost.total == float(Decimal(str(report.run_cost.bedrock)) + paid)
    # ClickHouse: the report, and the bill by component.
    assert storage.latest_report().model_dump(mode="json") == report.model_dump(mode="json")
    costs = storage.agent_cost_totals()
    assert (costs["bedrock"], costs["aws_api"], costs["input_tokens"]) == (
        report.run_cost.bedrock, report.run_cost.aws_api, tokens_in)

    # Chat, from what the run stored: the deterministic router's figure equals storage's.
    end = today().replace(day=1).fromordinal(today().replace(day=1).toordinal() - 1)
    start = end.replace(day=1)
    figure = storage.cost_summary(start, end, service=EC2).total_cost
    answer = ask("What did we spend on EC2 last month?", "sandbox-chat", load_settings(bedrock_model_id="none"))
    assert f"${figure:,.2f} [Source: cost_summary {start}..{end}, service='{EC2}'" in answer.answer
    idle = ask("Which resources are idle?", "sandbox-chat", load_settings(bedrock_model_id="none"))
    idle_truth = sorted({w["resource_id"] for w in truth["waste"] if w["type"] == "idle_resource"})
    assert " are idle or unused (idle_resource, " in idle.answer.splitlines()[0]
    assert any(rid in idle.answer for rid in idle_truth)
    # And a turn through the sandbox's Converse server (tool call, tool result, answer) is billed too.
    # (A tool it picks with required dates fails validation: the fallback answers then, see test_chat_guard.)
    llm = ask("What are the top savings opportunities?", "sandbox-llm", get_settings())
    assert llm.mode == f"bedrock:{MODEL}"
    assert llm.answer.startswith("Sandbox model answer:")
    assert llm.sources[0].startswith("latest report opportunities")
    assert llm.run_cost.input_tokens > 0 and llm.run_cost.bedrock > 0
