"""The /metrics exposition: exactly DESIGN.md's metric names, and `promtool check metrics` finds nothing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from surface_samples import sample_report

from agent import metrics
from agent.surfaces.api.app import record_finished
from tools.aws.ledger import CallLedger, CallRecord

DESIGN_NAMES = {
    "aws_api_calls_total": "counter", "aws_api_errors_total": "counter",
    "aws_cost_collection_duration_seconds": "histogram", "aws_total_monthly_cost_usd": "gauge",
    "aws_waste_identified_usd": "gauge", "aws_optimization_opportunities": "gauge",
    "aws_savings_identified_usd": "gauge", "aws_account_savings_usd": "gauge",
    "aws_account_monthly_cost_usd": "gauge",
    "aws_idle_resources_count": "untyped", "aws_underutilized_resources_count": "untyped",
    "agent_run_cost_usd_total": "counter", "agent_llm_tokens_total": "counter",
}


def _types(text: str) -> dict[str, str]:
    return dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, flags=re.M))


def test_exactly_the_design_metrics(client) -> None:
    record_finished(sample_report(), 12.5)
    text = client.get("/metrics").text
    assert _types(text) == DESIGN_NAMES
    assert 'aws_waste_identified_usd{service="VPC"} 3.65' in text
    assert 'aws_optimization_opportunities{type="unattached_volume"} 1.0' in text


def test_ledger_listener_counts_calls_and_errors() -> None:
    ledger = CallLedger()
    ledger.add_listener(metrics.record_api_call)
    before_ok = metrics.REGISTRY.get_sample_value("aws_api_calls_total", {"service": "rds"}) or 0
    before_err = metrics.REGISTRY.get_sample_value("aws_api_errors_total", {"error_type": "Throttling"}) or 0
    for outcome in ("ok", "ok", "Throttling"):
        ledger.record(CallRecord(service="rds", operation="DescribeDBInstances", region="eu-west-1",
                                 outcome=outcome, paid_usd=0))
    assert metrics.REGISTRY.get_sample_value("aws_api_calls_total", {"service": "rds"}) == before_ok + 3
    assert metrics.REGISTRY.get_sample_value("aws_api_errors_total", {"error_type": "Throttling"}) == before_err + 1


def test_gauges_forget_services_absent_from_the_latest_run() -> None:
    report = sample_report()
    metrics.record_collection(report, 1.0)
    report.by_service = {"AWS Lambda": 70.0}
    metrics.record_collection(report, 1.0)
    get = metrics.REGISTRY.get_sample_value
    assert get("aws_total_monthly_cost_usd", {"service": "AWS Lambda"}) == 70.0
    assert get("aws_total_monthly_cost_usd", {"service": "EC2 - Other"}) is None


def test_promtool_check_metrics(client) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("promtool is missing (CI=true: .ci/run installs Debian's prometheus package)")
        pytest.skip("promtool is not installed; apt-get install prometheus to run this check")
    record_finished(sample_report(), 3.2)
    metrics.record_agent_cost("bedrock", 0.001, 10, 5)
    text = client.get("/metrics").text
    done = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")
