"""The executive summary: bounded prompt, real ChatBedrockConverse against a loopback Converse server,
figures verified against the report, billed tokens, and the labelled deterministic fallbacks."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from agent_fixtures import MODEL, make_report
from converse_stub import Reply

from agent.analysis import deterministic_summary
from agent.graphs.run_bill import RunBill
from agent.llm.narration import dollar_figures, summary_facts, summary_prompt, unverified_figures, write_summary
from tools.settings import load_settings


def _metric(name: str, **labels: str) -> float:
    from agent.metrics import REGISTRY

    return REGISTRY.get_sample_value(name, labels) or 0.0


def prompt_tokens(report) -> int:
    return sum(len(str(m.content)) for m in summary_prompt(report)) // 4


@pytest.mark.parametrize("findings", [10, 10_000])
def test_prompt_stays_under_4000_tokens_whatever_the_fleet(findings: int) -> None:
    report = make_report(findings)
    facts = summary_facts(report)
    assert prompt_tokens(report) < 4000
    assert facts["opportunity_count"] == 2
    assert len(facts["top_opportunities"]) == 2
    assert facts["top_opportunities"][0]["resources"] == findings
    assert len(facts["top_opportunities"][0]["largest"]) == 3


def test_prompt_size_is_the_same_for_10_and_10000_findings() -> None:
    small, large = prompt_tokens(make_report(10)), prompt_tokens(make_report(10_000))
    assert abs(large - small) < 20  # only the digits of the totals differ


def test_dollar_figures_are_parsed_exactly() -> None:
    assert dollar_figures("spent $1,234.56 and $3.65, saved $2k") == [
        ("$1,234.56", Decimal("1234.56")), ("$3.65", Decimal("3.65")), ("$2k", Decimal("2000"))]


def test_bedrock_narrates_report_figures_and_the_call_is_billed(converse, small_report, tmp_path) -> None:
    r = small_report
    text = (f"Spend for the period was ${r.total_monthly_cost:,.2f}; identified waste is ${r.total_waste:,.2f} "
            f"({r.waste_percentage} %). Idle EC2 instances could save ${r.opportunities[0].estimated_savings:,.2f} "
            f"a month. AWS Lambda jumped to $42.50 on 2026-11-15 against $10.00 expected.")
    converse.queue(Reply(text=text, input_tokens=1500, output_tokens=300))
    settings = load_settings(data_dir=tmp_path)
    bill = RunBill(settings, session_id="run-1")
    before = _metric("agent_run_cost_usd_total", component="bedrock"), _metric("agent_llm_tokens_total",
                                                                               direction="input")
    summary, source = write_summary(r, settings, callbacks=bill.callbacks("summary"))
    # Prometheus saw the call as it happened.
    assert round(_metric("agent_run_cost_usd_total", component="bedrock") - before[0], 9) == 0.009
    assert _metric("agent_llm_tokens_total", direction="input") - before[1] == 1500
    assert (summary, source) == (text, f"bedrock:{MODEL}")
    assert unverified_figures(summary, r) == []
    assert len(dollar_figures(summary)) == 5
    # The real request went through botocore to /model/<id>/converse with the bounded facts.
    assert converse.paths == [f"/model/{MODEL.replace(':', '%3A')}/converse"]
    user = converse.requests[0]["messages"][0]["content"][0]["text"]
    facts = json.loads(user.split("\n", 1)[1].rsplit("\n\nWrite", 1)[0])
    assert facts["total_spend"] == r.total_monthly_cost
    # The seed's arithmetic: 1,500 x $0.003/1k + 300 x $0.015/1k = $0.0045 + $0.0045 = $0.009.
    cost = bill.run_cost(aws_api_usd=Decimal("0.07"))
    assert (cost.bedrock, cost.aws_api, cost.total) == (0.009, 0.07, 0.079)
    assert (cost.input_tokens, cost.output_tokens) == (1500, 300)
    log = [json.loads(line) for line in (tmp_path / "logs" / "cost_tracking.log").read_text().splitlines()]
    assert [(e["session_id"], e["tokens"]["input"], e["tokens"]["output"], e["costs"]["bedrock"]) for e in log] == [
        ("run-1", 1500, 300, 0.009)]


def test_a_hallucinated_figure_is_rejected_for_the_deterministic_summary(converse, small_report, tmp_path) -> None:
    converse.queue(Reply(text=f"Spend was ${small_report.total_monthly_cost:,.2f}, and you could save $98,765.43."))
    summary, source = write_summary(small_report, load_settings(data_dir=tmp_path))
    assert source == "deterministic (Bedrock summary rejected: figures not in report: $98,765.43)"
    assert summary == deterministic_summary(small_report)
    assert len(converse.requests) == 1


def test_without_a_model_the_summary_is_deterministic_and_labelled(converse, small_report, tmp_path) -> None:
    summary, source = write_summary(small_report, load_settings(data_dir=tmp_path, bedrock_model_id="none"))
    assert (summary, source) == (deterministic_summary(small_report), "deterministic (no LLM configured)")
    assert converse.requests == []
    assert unverified_figures(summary, small_report) == []


def test_a_failing_bedrock_falls_back_after_retries(converse, small_report, tmp_path) -> None:
    converse.queue(*[Reply(status=400, error_code="AccessDeniedException")] * 2)
    summary, source = write_summary(small_report, load_settings(data_dir=tmp_path))
    assert source == "deterministic (Bedrock failed: AccessDeniedException)"
    assert summary == deterministic_summary(small_report)
    assert len(converse.requests) == 2  # with_retry: two attempts; botocore does not retry AccessDenied
