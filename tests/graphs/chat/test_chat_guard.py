"""The chat's figure guard and the compound question.

An LLM answer (through the real ChatBedrockConverse and the loopback Converse server) that quotes a dollar
figure not in this turn's tool results is replaced by the deterministic answer, labelled; verified figures are
kept and cited. "What did we spend on EC2 last month and why did Lambda jump on the 15th?" is answered in both
modes from stored data, figures equal to storage's."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
from agent_fixtures import MODEL
from chat_data import EC2, seed
from converse_stub import Reply

from agent.graphs.chat.dates import day_of
from agent.graphs.chat.guard import verify_answer
from agent.graphs.chat.tools import today
from agent.graphs.runner import ask
from tools.settings import get_settings, load_settings

QUESTION = "What did we spend on EC2 last month and why did Lambda jump on the 15th?"


def money(x: float) -> str:
    return f"${x:,.2f}"


def the_15th() -> date:
    now = today()
    return now.replace(day=15) if now.day > 15 else (now.replace(day=1) - timedelta(days=1)).replace(day=15)


@pytest.fixture
def stored(storage_env, small_report):
    """Stored spend (EC2 $12.50 a day, Lambda $1.25) and a report whose Lambda anomaly is on the latest 15th."""
    anomaly = small_report.anomalies[0].model_copy(update={"date": the_15th()})
    start, end = seed(storage_env, small_report.model_copy(update={"anomalies": [anomaly]}), today())
    return storage_env, start, end


def sources_of(start: date, end: date) -> tuple[str, str]:
    spend = f"cost_summary {start}..{end}, service='{EC2}' (ClickHouse cost_metrics)"
    anomalies = "latest report anomalies 2026-10-25..2026-11-23 (generated 2026-11-24T06:00:00+00:00)"
    return spend, anomalies


def test_verify_answer_checks_figures_against_successful_tool_results_only() -> None:
    payloads = [{"total_usd": 1234.56, "by_service": {"EC2": 1000.0}, "source": "cost_summary A"},
                {"anomalies": [{"actual_usd": 42.5}], "source": "anomalies B"},
                {"error": "spend: start: Input should be a valid date", "total_usd": 77.0}]
    assert verify_answer("We spent $1,234.56 [Source: cost_summary A].", payloads).unverified == []
    assert verify_answer("About $1,235 and $1.2k", payloads).unverified == ["$1.2k"]
    assert verify_answer("We spent $77.00 and $999.99", payloads).unverified == ["$77.00", "$999.99"]
    cited = verify_answer("Lambda hit $42.50 while EC2 was $1,000.", payloads)
    assert (cited.text, cited.appended) == (
        "Lambda hit $42.50 while EC2 was $1,000.\n[Source: cost_summary A] [Source: anomalies B]",
        ["cost_summary A", "anomalies B"])
    assert verify_answer("No figures here.", payloads).appended == []


def test_day_of_names_the_latest_such_day_before_today() -> None:
    now = date(2026, 11, 24)
    assert day_of("why did Lambda jump on the 15th?", now) == date(2026, 11, 15)
    assert day_of("on the 30th", now) == date(2026, 10, 30)
    assert day_of("the 15th", date(2026, 11, 10)) == date(2026, 10, 15)
    assert day_of("a spike on Nov 25th", now) == date(2025, 11, 25)
    assert (day_of("on 3 March", now), day_of("on 2026-11-02", now), day_of("yesterday", now)) == (
        date(2026, 3, 3), date(2026, 11, 2), date(2026, 11, 23))
    assert day_of("why did Lambda jump?", now) is None


def test_llm_answer_with_an_invented_figure_is_replaced_by_the_fallback(stored, converse, caplog) -> None:
    storage, start, end = stored
    converse.queue(Reply(tool="spend", tool_input={"start": str(start), "end": str(end), "service": "EC2"}),
                   Reply(text="EC2 cost $12,345.67 last month, up $999 on October."))
    with caplog.at_level(logging.WARNING, logger="agent.graphs.chat.graph"):
        answer = ask("What did we spend on EC2 last month?", "t-invented", get_settings())
    figure = storage.cost_summary(start, end, service=EC2).total_cost
    spend, _ = sources_of(start, end)
    assert answer.mode == "deterministic (LLM answer quoted figures not in the data: $12,345.67, $999)"
    assert answer.answer == f"Spend {EC2} for last month ({start}..{end}): {money(figure)} [Source: {spend}]."
    assert answer.sources == [spend]
    assert "$12,345.67" not in answer.answer
    assert (answer.run_cost.input_tokens, answer.run_cost.output_tokens) == (2000, 400)  # both calls billed
    assert caplog.messages == ["chat: LLM answer quoted figures not in the data: $12,345.67, $999"]


def test_llm_calls_two_tools_and_its_verified_uncited_answer_is_kept_and_cited(stored, converse) -> None:
    storage, start, end = stored
    day = the_15th()
    figure = storage.cost_summary(start, end, service=EC2).total_cost
    text = (f"EC2 cost {money(figure)} last month. Lambda jumped to $42.50 on {day} against $10 expected, "
            "driven by USE1-Lambda-GB-Second (+$32.00).")
    around = {"start": str(day - timedelta(days=1)), "end": str(day + timedelta(days=1)), "service": "lambda"}
    converse.queue(Reply(tool="spend", tool_input={"start": str(start), "end": str(end), "service": "EC2"}),
                   Reply(tool="anomalies", tool_input=around), Reply(text=text))
    answer = ask(QUESTION, "t-two-tools", get_settings())
    spend, anomalies = sources_of(start, end)
    assert answer.mode == f"bedrock:{MODEL}"
    assert answer.answer == f"{text}\n[Source: {spend}] [Source: {anomalies}]"
    assert answer.sources == [spend, anomalies]
    assert len(converse.requests) == 3


def test_llm_answer_that_cites_is_kept_as_written(stored, converse) -> None:
    storage, start, end = stored
    spend, _ = sources_of(start, end)
    text = f"EC2 cost {money(storage.cost_summary(start, end, service=EC2).total_cost)} [Source: {spend}]."
    converse.queue(Reply(tool="spend", tool_input={"start": str(start), "end": str(end), "service": "EC2"}),
                   Reply(text=text))
    answer = ask("What did we spend on EC2 last month?", "t-cited", get_settings())
    assert (answer.answer, answer.mode, answer.sources) == (text, f"bedrock:{MODEL}", [spend])


def test_compound_question_without_an_llm_answers_both_parts_with_citations(stored) -> None:
    storage, start, end = stored
    day = the_15th()
    figure = storage.cost_summary(start, end, service=EC2).total_cost
    assert figure == round(12.5 * ((end - start).days + 1), 2)
    answer = ask(QUESTION, "t-compound", load_settings(bedrock_model_id="none"))
    spend, anomalies = sources_of(start, end)
    assert answer.answer.split("\n") == [
        f"Spend {EC2} for last month ({start}..{end}): {money(figure)} [Source: {spend}].",
        "",
        f"Cost anomalies of AWS Lambda on or around {day} [Source: {anomalies}]:",
        f"- {day} AWS Lambda us-east-1: $42.50 against $10.00 expected (+325.0 %); "
        "driven by USE1-Lambda-GB-Second ($32.00)"]
    assert answer.sources == [spend, anomalies]
    assert answer.mode == "deterministic (no LLM configured)"


def test_no_anomaly_on_that_day_says_so_and_shows_the_day_against_its_baseline(stored) -> None:
    storage, start, _ = stored
    day = the_15th()
    answer = ask("Why did EC2 jump on the 15th?", "t-no-anomaly", load_settings(bedrock_model_id="none"))
    _, anomalies = sources_of(start, day)
    weeks = sum(1 for k in range(1, 5) if day - timedelta(days=7 * k) >= start)
    trend = (f"compare_spend {day}..{day} against same_weekday {day - timedelta(days=28)}..{day - timedelta(days=1)}, "
             f"service='{EC2}' (ClickHouse cost_metrics)")
    assert answer.answer.split("\n") == [
        f"No cost anomaly was recorded for {EC2} on or around {day} "
        f"({day - timedelta(days=1)}..{day + timedelta(days=1)}) [Source: {anomalies}].",
        f"{EC2} cost $12.50 on {day} against a baseline of $12.50 (+0.0 %) "
        f"(mean of the same weekday over the previous {weeks} weeks) [Source: {trend}]."]
    assert answer.sources == [anomalies, trend]


@pytest.fixture
def sandbox_model(monkeypatch: pytest.MonkeyPatch):
    """The sandbox's Converse server (tools picked by keyword, required arguments filled with 'sandbox')."""
    from tools.sandbox.bedrock_server import BedrockState, serve_bedrock

    state = BedrockState()
    server = serve_bedrock(state).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.url)
    yield state
    server.stop()


def test_compound_question_with_the_sandbox_model_whose_tool_call_fails(stored, sandbox_model) -> None:
    storage, start, end = stored
    answer = ask(QUESTION, "t-sandbox-model", get_settings())
    fallback = ask(QUESTION, "t-sandbox-fallback", load_settings(bedrock_model_id="none"))
    # The model called `spend` with start='sandbox': no tool returned data, so no part rests on data.
    assert sandbox_model.responses[0]["output"]["message"]["content"][0]["toolUse"]["name"] == "spend"
    assert answer.mode == "deterministic (the LLM's tools returned no data for: spend, anomalies)"
    assert (answer.answer, answer.sources) == (fallback.answer, fallback.sources)
    assert money(storage.cost_summary(start, end, service=EC2).total_cost) in answer.answer
    assert "driven by USE1-Lambda-GB-Second ($32.00)" in answer.answer
    assert answer.run_cost.input_tokens > 0  # the model's calls are still billed


def test_the_part_the_models_tools_did_not_answer_is_answered_by_the_fallback(stored, sandbox_model) -> None:
    storage, start, end = stored
    question = "What drove the cost anomalies of Lambda, and how much did we spend on EC2 last month?"
    answer = ask(question, "t-sandbox-part", get_settings())
    spend, anomalies = sources_of(start, end)
    figure = money(storage.cost_summary(start, end, service=EC2).total_cost)
    assert sandbox_model.responses[0]["output"]["message"]["content"][0]["toolUse"]["name"] == "anomalies"
    assert answer.mode == f"bedrock:{MODEL} + deterministic (spend)"
    text, added = answer.answer.split("\n\n")
    assert text.startswith("Sandbox model answer: {")
    assert added == f"Spend {EC2} for last month ({start}..{end}): {figure} [Source: {spend}]."
    assert answer.sources == [anomalies, spend]
