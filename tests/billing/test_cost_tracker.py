"""CostTracker: the seed's arithmetic, per-model prices, session and daily totals, threads, disabled."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest

from tools.billing import Cost, CostTracker, TokenUsage, run_cost_of
from tools.settings import CostSettings, load_settings

SEED_CONFIG = {
    "enabled": True,
    "bedrock_input_cost_per_1k": 0.003,
    "bedrock_output_cost_per_1k": 0.015,
    "redshift_rpu_cost_per_hour": 0.36,
    "redshift_base_rpus": 8,
    "lambda_cost_per_gb_second": 0.0000166667,
}


def test_seed_example_arithmetic() -> None:
    tracker = CostTracker(SEED_CONFIG)
    cost = tracker.calculate_query_cost(
        bedrock_tokens=TokenUsage(input_tokens=1000, output_tokens=500),
        redshift_execution_time=2.5, lambda_duration_ms=300, lambda_memory_mb=512,
    )
    assert cost.bedrock_cost == 0.0105  # 1 x 0.003 + 0.5 x 0.015
    assert cost.redshift_cost == 0.048  # 8 RPU x 60 s minimum / 3600 x 0.36
    assert cost.lambda_cost == 0.000002500005  # 0.5 GB x 0.3 s x 0.0000166667
    assert cost.aws_api_cost == 0.0
    assert cost.total_cost == 0.058502500005
    assert cost.tokens_used.total_tokens == 1500
    assert cost.to_dict() == {
        "bedrock_cost": 0.0105, "redshift_cost": 0.048, "lambda_cost": 0.0000025, "aws_api_cost": 0.0,
        "total_cost": 0.0585025,
        "tokens_used": {"input_tokens": 1000, "output_tokens": 500, "total_tokens": 1500},
    }


def test_redshift_minimum_and_longer_statements() -> None:
    tracker = CostTracker(SEED_CONFIG)
    assert tracker.calculate_query_cost(redshift_execution_time=0).redshift_cost == 0.0
    assert tracker.calculate_query_cost(redshift_execution_time=0.01).redshift_cost == 0.048
    assert tracker.calculate_query_cost(redshift_execution_time=60).redshift_cost == 0.048
    assert tracker.calculate_query_cost(redshift_execution_time=90).redshift_cost == 0.072
    assert tracker.calculate_query_cost(redshift_execution_time=90, redshift_rpus=32).redshift_cost == 0.288


def test_per_model_prices_override_defaults() -> None:
    config = {**SEED_CONFIG, "bedrock_model_prices": {
        "amazon.nova-lite-v1:0": {"input": 0.00006, "output": 0.00024},
        "anthropic.claude-3-haiku-20240307-v1:0": {"input_cost_per_1k": 0.00025, "output_cost_per_1k": 0.00125},
    }}
    tracker = CostTracker(config)
    tokens = TokenUsage(2000, 1000)
    assert tracker.calculate_query_cost(tokens, model_id="amazon.nova-lite-v1:0").bedrock_cost == 0.00036
    assert tracker.calculate_query_cost(tokens, model_id="us.amazon.nova-lite-v1:0").bedrock_cost == 0.00036
    haiku = tracker.calculate_query_cost(tokens, model_id="anthropic.claude-3-haiku-20240307-v1:0")
    assert haiku.bedrock_cost == 0.00175
    assert tracker.calculate_query_cost(tokens, model_id="unknown.model").bedrock_cost == 0.021


def test_aws_api_cost_is_in_the_total() -> None:
    cost = CostTracker(SEED_CONFIG).calculate_query_cost(TokenUsage(1000, 500), aws_api_cost=0.07)
    assert (cost.bedrock_cost, cost.aws_api_cost, cost.total_cost) == (0.0105, 0.07, 0.0805)
    assert run_cost_of(cost).model_dump() == {
        "bedrock": 0.0105, "redshift": 0.0, "lambda": 0.0, "aws_api": 0.07, "total": 0.0805,
        "input_tokens": 1000, "output_tokens": 500,
    }


def test_session_daily_totals_summary_and_estimate() -> None:
    tracker = CostTracker(CostSettings())  # the defaults are the seed's prices
    cost = tracker.calculate_query_cost(TokenUsage(1000, 500))
    day1 = datetime(2026, 11, 1, 23, 59, tzinfo=UTC)
    day2 = datetime(2026, 11, 2, 0, 1, tzinfo=UTC)
    tracker.add_query_cost("alice", cost, at=day1)
    tracker.add_query_cost("alice", cost, at=day2)
    tracker.add_query_cost("bob", tracker.calculate_query_cost(redshift_execution_time=2), at=day2)

    assert tracker.get_session_cost("alice").total_cost == 0.021
    assert tracker.get_daily_cost(date(2026, 11, 2)).total_cost == 0.0585
    assert tracker.get_daily_cost(date(2026, 11, 3)).total_cost == 0.0
    assert tracker.get_all_daily_costs() == {
        "2026-11-01": {"bedrock": 0.0105, "redshift": 0.0, "lambda": 0.0, "aws_api": 0.0, "total": 0.0105,
                       "query_count": 1, "input_tokens": 1000, "output_tokens": 500},
        "2026-11-02": {"bedrock": 0.0105, "redshift": 0.048, "lambda": 0.0, "aws_api": 0.0, "total": 0.0585,
                       "query_count": 2, "input_tokens": 1000, "output_tokens": 500},
    }
    assert tracker.get_cost_summary("alice") == {
        "session_id": "alice", "query_count": 2, "total_cost": 0.021,
        "breakdown": {"bedrock": 0.021, "redshift": 0.0, "lambda": 0.0, "aws_api": 0.0},
        "tokens": {"input": 2000, "output": 1000, "total": 3000}, "average_cost_per_query": 0.0105,
    }
    overall = tracker.get_cost_summary()
    assert (overall["sessions"], overall["days"], overall["query_count"], overall["total_cost"]) == (2, 2, 3, 0.069)
    assert tracker.get_cost_summary("nobody")["total_cost"] == 0.0
    estimate = tracker.estimate_monthly_cost()
    assert estimate["days_tracked"] == 2
    assert estimate["average_daily_cost"] == 0.0345
    assert estimate["estimated_monthly_cost"] == 1.035  # 0.069 / 2 days x 30
    assert estimate["by_service"] == {"bedrock": 0.315, "redshift": 0.72, "lambda": 0.0, "aws_api": 0.0}


def test_no_rounding_to_cents_before_summing() -> None:
    tracker = CostTracker(SEED_CONFIG)
    small = tracker.calculate_query_cost(TokenUsage(1, 0))  # $0.000003, rounds to 0.00 alone
    for _ in range(1000):
        tracker.add_query_cost("s", small)
    assert tracker.get_session_cost("s").total_cost == pytest.approx(0.003, abs=1e-15)
    assert tracker.get_cost_summary("s")["total_cost"] == 0.003


def test_thread_safe_accumulation() -> None:
    tracker = CostTracker(SEED_CONFIG)
    cost = tracker.calculate_query_cost(TokenUsage(1000, 500), lambda_duration_ms=300)
    at = datetime(2026, 11, 5, 12, tzinfo=UTC)

    def worker(n: int) -> None:
        for _ in range(500):
            tracker.add_query_cost(f"s{n % 4}", cost, at=at)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    summary = tracker.get_cost_summary()
    assert summary["query_count"] == 8000
    assert summary["tokens"] == {"input": 8_000_000, "output": 4_000_000, "total": 12_000_000}
    assert summary["breakdown"]["bedrock"] == 84.0
    assert summary["breakdown"]["lambda"] == 0.02000004  # 8000 x 0.5 GB x 0.3 s x 0.0000166667
    assert tracker.get_daily_cost(date(2026, 11, 5)).total_cost == 84.02000004
    assert tracker.get_cost_summary("s0")["query_count"] == 2000


def test_disabled_tracker_bills_nothing() -> None:
    tracker = CostTracker({**SEED_CONFIG, "enabled": False})
    cost = tracker.calculate_query_cost(TokenUsage(1000, 500), 2.5, 300, 512, aws_api_cost=0.5)
    assert cost == Cost(tokens_used=TokenUsage(1000, 500))
    tracker.add_query_cost("x", cost)
    assert tracker.get_all_daily_costs() == {}
    assert tracker.get_cost_summary()["query_count"] == 0


def test_prices_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COST__BEDROCK_INPUT_COST_PER_1K", "0.008")
    monkeypatch.setenv("COST__REDSHIFT_BASE_RPUS", "16")
    tracker = CostTracker(load_settings().cost)
    cost = tracker.calculate_query_cost(TokenUsage(1000, 0), redshift_execution_time=1)
    assert (cost.bedrock_cost, cost.redshift_cost) == (0.008, 0.096)


def test_prices_from_config_yaml(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("COST_AGENT_CONFIG", str(tmp_path / "config.yaml"))
    (tmp_path / "config.yaml").write_text(
        "cost:\n  enabled: true\n  bedrock_output_cost_per_1k: 0.03\n"
        "  bedrock_model_prices:\n    amazon.nova-pro-v1:0: {input: 0.0008, output: 0.0032}\n")
    tracker = CostTracker(load_settings().cost)
    assert tracker.calculate_query_cost(TokenUsage(0, 1000)).bedrock_cost == 0.03
    assert tracker.calculate_query_cost(TokenUsage(1000, 1000), model_id="amazon.nova-pro-v1:0").bedrock_cost == 0.004
