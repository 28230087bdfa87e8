"""Paid AWS requests from the call ledger into the bill (Cost Explorer at $0.01 a request), and run_cost."""

from __future__ import annotations

from pathlib import Path

from moto import mock_aws

from tools.aws.clients import ClientFactory
from tools.billing import CostLogger, CostTracker, LedgerBiller, TokenUsage, run_cost_of
from tools.settings import load_settings


def _cost_and_usage(factory: ClientFactory, start: str) -> None:
    factory.client("ce").get_cost_and_usage(TimePeriod={"Start": start, "End": "2026-11-20"}, Granularity="DAILY",
                                            Metrics=["UnblendedCost"])


def test_ledger_paid_requests_are_billed_once(tmp_path: Path) -> None:
    settings = load_settings()
    tracker = CostTracker(settings.cost)
    logger = CostLogger(tmp_path / "cost.log")
    with mock_aws():
        factory = ClientFactory(settings)
        factory.client("ec2").describe_regions()  # free
        biller = LedgerBiller(factory.ledger, tracker, logger, "run-9")
        for start in ("2026-11-01", "2026-11-02", "2026-11-03"):
            _cost_and_usage(factory, start)
        first = biller.bill()
        second = biller.bill()
        _cost_and_usage(factory, "2026-11-04")
        third = biller.bill()

    assert (first.aws_api_cost, first.total_cost) == (0.03, 0.03)
    assert second.total_cost == 0.0
    assert third.aws_api_cost == 0.01
    assert tracker.get_cost_summary("run-9")["breakdown"]["aws_api"] == 0.04
    entries = logger.read_log_entries(query_type="AWS_API")
    assert [e["costs"]["aws_api"] for e in entries] == [0.03, 0.01]
    assert entries[0]["query"] == "paid AWS requests: ce:GetCostAndUsage x3, ec2:DescribeRegions x1"

    llm = tracker.calculate_query_cost(TokenUsage(1000, 500))
    tracker.add_query_cost("run-9", llm)
    assert run_cost_of(tracker.get_session_cost("run-9")).model_dump(by_alias=True) == {
        "bedrock": 0.0105, "redshift": 0.0, "lambda": 0.0, "aws_api": 0.04, "total": 0.0505,
        "input_tokens": 1000, "output_tokens": 500}
