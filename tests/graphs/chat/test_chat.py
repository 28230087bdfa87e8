"""Chat: read-only tools with validated arguments and cited sources; the LLM path through the real
ChatBedrockConverse (tool call, then answer) against the loopback Converse server; the offline planner."""

from __future__ import annotations

import json

import pytest
from agent_fixtures import MODEL
from chat_data import EC2, seed
from converse_stub import Reply

from agent.graphs.chat.tools import run_query, today
from agent.graphs.runner import ask
from tools.settings import get_settings, load_settings


@pytest.fixture
def stored(storage_env, small_report):
    start, end = seed(storage_env, small_report, today())
    return storage_env, start, end


def money(x: float) -> str:
    return f"${x:,.2f}"


def test_fallback_answers_ec2_last_month_with_the_stored_figure_and_its_source(stored, converse) -> None:
    storage, start, end = stored
    days = (end - start).days + 1
    expected = storage.cost_summary(start, end, service=EC2).total_cost
    assert expected == round(12.5 * days, 2)
    settings = load_settings(bedrock_model_id="none")
    answer = ask("What did we spend on EC2 last month?", "t-fallback", settings)
    source = f"cost_summary {start}..{end}, service='{EC2}' (ClickHouse cost_metrics)"
    assert answer.answer.splitlines()[0] == (
        f"Spend {EC2} for last month ({start}..{end}): {money(expected)} [Source: {source}].")
    assert answer.sources == [source]
    assert answer.mode == "deterministic (no LLM configured)"
    assert answer.run_cost.total == 0.0
    assert "By service" not in answer.answer  # one service: no breakdown line
    assert converse.requests == []


def test_fallback_answers_opportunities_idle_anomalies_and_says_what_it_cannot(stored) -> None:
    settings = load_settings(bedrock_model_id="none")
    top = ask("What are the biggest savings opportunities?", "t2", settings).answer.splitlines()
    assert top[0].startswith("Biggest savings opportunities [Source: latest report opportunities 2026-10-25..2026-11-23")
    # Every resource of a set, never "e.g." and three of them.
    assert top[1] == ("- idle_resource (EC2): 10 resource(s), $100.45 a month, priority high: "
                      + ", ".join(f"i-{i:08x}" for i in range(9, -1, -1)))
    assert top[2] == "- unused_elastic_ip (VPC): 1 resource(s), $3.65 a month, priority low: eipalloc-1"
    idle = ask("Which resources are idle?", "t3", settings).answer.splitlines()
    assert idle[0].startswith("11 resources are idle or unused (idle_resource, idle_database, idle_nat_gateway, "
                              "unused_elastic_ip, unattached_volume) in the latest report: $104.10 a month to save, "
                              "counted once per resource [Source: latest report findings 2026-10-25..2026-11-23")
    assert idle[1:] == [f"- i-{i:08x} (us-east-1, idle_resource): ${10 + i / 100:.2f} a month; Stop or terminate"
                        for i in range(9, -1, -1)] + ["- eipalloc-1 (eu-west-1, unused_elastic_ip): $3.65 a month; "
                                                      "Release"]
    spikes = ask("Why did Lambda jump?", "t4", settings).answer.splitlines()
    assert spikes[1] == ("- 2026-11-15 AWS Lambda us-east-1: $42.50 against $10.00 expected (+325.0 %); "
                         "driven by USE1-Lambda-GB-Second ($32.00)")
    cannot = ask("Write me a poem about clouds", "t5", settings)
    assert cannot.answer == (
        "I can't answer that from the stored data without an LLM: the question names nothing I can look up (a "
        "service, region, team, finding type, resource or period) or asks for something no tool computes. "
        'Questions that work: "What did we spend on EC2 in the last 7 days?" and "What is the total waste you found?"')
    assert cannot.sources == []


def test_spend_by_region_over_explicit_dates(stored) -> None:
    storage, start, end = stored
    answer = ask(f"How much did we spend by region from {start} to {end}?", "t6", load_settings(bedrock_model_id="none"))
    total = storage.cost_summary(start, end).total_cost
    days = (end - start).days + 1
    assert total == round(13.75 * days, 2)
    assert money(total) in answer.answer.splitlines()[0]
    assert answer.answer.splitlines()[1] == (
        f"By region: us-east-1 {money(11.25 * days)}; eu-west-1 {money(2.5 * days)}.")


@pytest.mark.parametrize(("args", "error"), [
    ({"start": "2026-10-31", "end": "2026-10-01"}, "spend: arguments: Value error, start 2026-10-31 is after end"),
    ({"start": "2026-10-32", "end": "2026-10-31"}, "spend: start: Input should be a valid date"),
    ({"start": "2026-10-01", "end": "2026-10-31", "region": "moon-1"}, "spend: region: Value error, unknown region"),
    ({"start": "2026-10-01", "end": "2026-10-31", "service": "Azure"}, "spend: service: Value error, service: unknown service 'Azure'"),
    ({"start": "2026-10-01", "end": "2026-10-31", "group_by": "tag"}, "spend: arguments: Value error, group_by 'tag'"),
    ({"start": "2026-10-01", "end": "2026-10-31", "drop": "table"}, "spend: drop: Extra inputs are not permitted"),
])
def test_tool_arguments_are_validated(args, error) -> None:
    assert run_query("spend", args)["error"].startswith(error)


def test_tools_cite_query_and_period(stored) -> None:
    storage, start, end = stored
    result = run_query("spend_trend", {"start": str(start), "end": str(start), "service": "lambda"})
    assert result == {"series": [{"period": str(start), "cost_usd": 1.25}],
                      "source": f"query_cost_trends {start}..{start} by day, service='AWS Lambda' "
                                "(ClickHouse cost_metrics)"}
    assert run_query("resource_details", {"resource_id": "i-404"}) == {
        "error": "resource_details: no stored resource 'i-404'"}
    forecast = run_query("forecast", {"days": 10})
    assert forecast["mean_daily_usd"] == 13.75 and forecast["forecast_usd"] == 137.5
    assert forecast["source"].startswith("computed: mean daily cost over ")


def test_llm_calls_a_tool_then_answers_with_the_cited_figure_and_is_billed(stored, converse, tmp_path) -> None:
    storage, start, end = stored
    figure = storage.cost_summary(start, end, service=EC2).total_cost
    source = f"cost_summary {start}..{end}, service='{EC2}' (ClickHouse cost_metrics)"
    text = f"EC2 cost {money(figure)} last month [Source: {source}]."
    converse.queue(Reply(tool="spend", tool_input={"start": str(start), "end": str(end), "service": "EC2"},
                         input_tokens=2000, output_tokens=50),
                   Reply(text=text, input_tokens=2400, output_tokens=40))
    settings = get_settings()
    answer = ask("What did we spend on EC2 last month?", "t-llm", settings)
    assert (answer.answer, answer.sources, answer.mode) == (text, [source], f"bedrock:{MODEL}")
    # Tokens of both calls: 4,400 x $0.003/1k + 90 x $0.015/1k = $0.0132 + $0.00135 = $0.01455.
    assert (answer.run_cost.input_tokens, answer.run_cost.output_tokens, answer.run_cost.bedrock) == (
        4400, 90, 0.01455)
    # The tool result the model saw carries the stored figure; the tool specs reached Bedrock.
    second = converse.requests[1]["messages"]
    tool_result = json.loads(second[-1]["content"][0]["toolResult"]["content"][0]["text"])
    assert (tool_result["total_usd"], tool_result["source"]) == (figure, source)
    names = [t["toolSpec"]["name"] for t in converse.requests[0]["toolConfig"]["tools"]]
    assert names == ["spend", "spend_trend", "compare_spend", "forecast", "report_summary", "do_first",
                     "top_opportunities", "findings", "resources", "anomalies", "resource_details", "agent_costs",
                     "catalog"]
    costs = storage.agent_cost_totals()
    assert (costs["bedrock"], costs["input_tokens"], costs["output_tokens"], costs["records"]) == (
        0.01455, 4400, 90, 2)


def test_bedrock_failure_in_chat_falls_back_and_says_so(stored, converse) -> None:
    converse.queue(*[Reply(status=400, error_code="AccessDeniedException")] * 2)
    answer = ask("What did we spend on EC2 last month?", "t-fail", get_settings())
    assert answer.mode == "deterministic (Bedrock failed: AccessDeniedException)"
    assert answer.answer.startswith(f"Spend {EC2} for last month")


def test_the_model_sees_a_bounded_history() -> None:
    from langchain_core.messages import AIMessage, HumanMessage

    from agent.graphs.chat.graph import HISTORY_MESSAGES, _recent

    history = [m for i in range(40) for m in (HumanMessage(content=f"q{i}"), AIMessage(content=f"a{i}"))]
    recent = _recent(history)
    assert len(recent) == HISTORY_MESSAGES and recent[0].content == "q28" and recent[-1].content == "a39"
    assert _recent(history[:4]) == history[:4]
