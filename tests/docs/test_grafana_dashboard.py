"""docs/grafana-dashboard.json: every ClickHouse panel's SQL runs on the real schema (chDB) with exact answers,
and every Prometheus panel uses only DESIGN.md's metric names."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from surface_samples import fill

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana-dashboard.json"
METRICS = {"aws_api_calls_total", "aws_api_errors_total", "aws_cost_collection_duration_seconds_bucket",
           "aws_total_monthly_cost_usd", "aws_waste_identified_usd", "aws_optimization_opportunities",
           "aws_idle_resources_count", "aws_underutilized_resources_count", "agent_run_cost_usd_total",
           "agent_llm_tokens_total", "aws_savings_identified_usd", "aws_account_monthly_cost_usd",
           "aws_account_savings_usd"}
PROMQL_WORDS = {"sum", "by", "rate", "increase", "histogram_quantile", "or", "le", "service", "error_type",
                "component", "direction", "category", "account_id"}


def _panels(kind: str) -> dict[str, str]:
    dash = json.loads(DASHBOARD.read_text())
    out = {}
    for panel in dash["panels"]:
        target = panel["targets"][0]
        if panel["datasource"]["type"] == kind:
            out[panel["title"]] = target["rawSql"] if kind == "grafana-clickhouse-datasource" else target["expr"]
    return out


def _concrete(sql: str) -> str:
    """Grafana's time macro, as the plugin expands it, for November 2026."""
    return re.sub(r"\$__timeFilter\((\w+)\)",
                  r"\1 >= toDateTime('2026-10-01 00:00:00', 'UTC') AND \1 <= toDateTime('2026-12-01 00:00:00', 'UTC')",
                  sql)


@pytest.fixture
def answers(storage_env) -> dict[str, list[tuple]]:
    fill(storage_env)
    return {title: storage_env._rows(_concrete(sql)) for title, sql in _panels("grafana-clickhouse-datasource").items()}


def test_clickhouse_panels_answer_exactly(answers: dict[str, list[tuple]]) -> None:
    assert len(answers) == 10
    assert answers["Spend in range"] == [(Decimal("2260"),)]
    # the sample report has no resource in two findings: the counted sum is the plain sum
    assert answers["Monthly savings, each resource once (latest run)"] == [(Decimal("224.89"),)]
    assert answers["Anomalies in range"] == [(1,)]
    assert [(t, float(s)) for t, s in answers["Savings by type, each resource once (latest run)"]] == [
        ("idle_resource", 210.24), ("unattached_volume", 11.0), ("unused_elastic_ip", 3.65)]
    assert [row[2] for row in answers["Top opportunities (latest run)"]] == [
        "i-0idle000000000001", "i-0idle000000000002", "vol-0unattached00001", "eipalloc-0unused00001"]
    assert [(r, float(c)) for r, c in answers["Cost by region"]] == [("us-east-1", 1870.0), ("eu-west-1", 390.0)]
    daily = answers["Daily cost by service"]
    assert len(daily) == 150 and sum(float(c) for *_, c in daily) == 2260.0


def test_prometheus_panels_use_design_metrics() -> None:
    exprs = _panels("prometheus")
    assert len(exprs) == 12
    used = set()
    for expr in exprs.values():
        words = set(re.findall(r"[a-z_][a-z0-9_]*", re.sub(r"\[[^\]]*\]|\{\{[^}]*\}\}", "", expr)))
        used |= words - PROMQL_WORDS
    assert used == METRICS
