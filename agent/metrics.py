"""Prometheus metrics with exactly DESIGN.md's names, on a registry of our own.

Collections update the gauges and the duration histogram (`record_collection`); the call ledger feeds the
API call counters (`record_api_call`, a `CallLedger` listener); agent steps feed the spend counters
(`record_agent_cost`). `/metrics` serves `exposition()`.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import Metric, UnknownMetricFamily

from agent.analysis.report import with_savings
from tools.models import Report

# `*_created` series would add ten metric names DESIGN.md does not list.
disable_created_metrics()
REGISTRY = CollectorRegistry(auto_describe=True)
CONTENT_TYPE = CONTENT_TYPE_LATEST

AWS_API_CALLS = Counter("aws_api_calls_total", "AWS API calls made, by service", ["service"], registry=REGISTRY)
AWS_API_ERRORS = Counter("aws_api_errors_total", "AWS API calls that failed, by error type", ["error_type"],
                         registry=REGISTRY)
COLLECTION_DURATION = Histogram(
    "aws_cost_collection_duration_seconds", "Wall time of one whole collection and analysis",
    buckets=(1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600), registry=REGISTRY,
)
TOTAL_MONTHLY_COST = Gauge("aws_total_monthly_cost_usd", "Spend in the report period, by service (USD)",
                           ["service"], registry=REGISTRY)
WASTE_IDENTIFIED = Gauge("aws_waste_identified_usd",
                         "Monthly waste identified (idle, unused, oversized), each resource once, by service (USD)",
                         ["service"], registry=REGISTRY)
SAVINGS_IDENTIFIED = Gauge("aws_savings_identified_usd",
                           "The deduplicated monthly savings, by category: waste and pricing_lever (USD); the sum is "
                           "the report's savings total", ["category"], registry=REGISTRY)
ACCOUNT_MONTHLY_COST = Gauge("aws_account_monthly_cost_usd",
                             "One month of spend by AWS account (many accounts; Cost Explorer at the payer)",
                             ["account_id"], registry=REGISTRY)
ACCOUNT_SAVINGS = Gauge("aws_account_savings_usd",
                        "The deduplicated monthly savings by AWS account (many accounts); the sum is the savings total",
                        ["account_id"], registry=REGISTRY)
OPPORTUNITIES = Gauge("aws_optimization_opportunities", "Resources flagged, by opportunity type", ["type"],
                      registry=REGISTRY)


class _CountGauges:
    """`aws_idle_resources_count` and `aws_underutilized_resources_count`, exposed as untyped.

    The seed names end in `_count`, which promtool's lint reserves for histograms and summaries when the metric
    is typed; untyped metrics are exempt, so the names stay exactly as DESIGN.md has them and promtool passes.
    """

    def __init__(self, name: str, documentation: str) -> None:
        self.name, self.documentation = name, documentation
        self._values: dict[str, float] = {}
        self._lock = threading.Lock()

    def set_all(self, values: dict[str, float]) -> None:
        with self._lock:
            self._values = dict(values)

    def value(self, service: str) -> float | None:
        with self._lock:
            return self._values.get(service)

    def collect(self) -> Iterator[Metric]:
        family = UnknownMetricFamily(self.name, self.documentation, labels=["service"])
        with self._lock:
            for service, value in sorted(self._values.items()):
                family.add_metric([service], value)
        yield family

    def describe(self) -> Iterator[Metric]:
        yield UnknownMetricFamily(self.name, self.documentation, labels=["service"])


IDLE_RESOURCES = _CountGauges("aws_idle_resources_count", "Idle resources, by service")
UNDERUTILIZED_RESOURCES = _CountGauges("aws_underutilized_resources_count", "Underutilized resources, by service")
REGISTRY.register(IDLE_RESOURCES)  # type: ignore[arg-type]
REGISTRY.register(UNDERUTILIZED_RESOURCES)  # type: ignore[arg-type]
AGENT_RUN_COST = Counter("agent_run_cost_usd_total", "What the agent itself spent, by component (USD)",
                         ["component"], registry=REGISTRY)
AGENT_LLM_TOKENS = Counter("agent_llm_tokens_total", "LLM tokens used by the agent, by direction", ["direction"],
                           registry=REGISTRY)

# Opportunity types that mean "this resource does nothing" versus "this resource is too big".
IDLE_TYPES = frozenset({"idle_resource", "idle_database", "idle_nat_gateway", "unused_elastic_ip", "unattached_volume"})
UNDERUTILIZED_TYPES = frozenset({"rightsizing", "lambda_memory"})
COMPONENTS = ("bedrock", "redshift", "lambda", "aws_api")

_lock = threading.Lock()


def _set_all(gauge: Gauge, values: dict[str, float]) -> None:
    """Replace every label set, so a service that vanished from the last run does not linger."""
    gauge.clear()
    for label, value in values.items():
        gauge.labels(label).set(value)


def record_collection(report: Report, duration_s: float) -> None:
    """Update the gauges and the duration histogram from one finished collection."""
    report = with_savings(report)
    waste: dict[str, Decimal] = defaultdict(Decimal)
    for share in report.savings.by_opportunity:
        if share.category == "waste" and share.counted:
            waste[share.service] += Decimal(str(share.counted))
    flagged: dict[str, int] = defaultdict(int)
    idle: dict[str, int] = defaultdict(int)
    under: dict[str, int] = defaultdict(int)
    for opp in report.opportunities:
        flagged[opp.type] += opp.resource_count
        if opp.type in IDLE_TYPES:
            idle[opp.service] += opp.resource_count
        elif opp.type in UNDERUTILIZED_TYPES:
            under[opp.service] += opp.resource_count
    with _lock:
        COLLECTION_DURATION.observe(max(0.0, duration_s))
        _set_all(TOTAL_MONTHLY_COST, dict(report.by_service))
        _set_all(WASTE_IDENTIFIED, {k: float(v) for k, v in waste.items()})
        _set_all(SAVINGS_IDENTIFIED, {"waste": report.savings.waste,
                                      "pricing_lever": report.savings.pricing_levers})
        _set_all(ACCOUNT_MONTHLY_COST, dict(report.by_account))
        _set_all(ACCOUNT_SAVINGS, {k: v for k, v in report.savings.by_account.items() if k})
        _set_all(OPPORTUNITIES, {k: float(v) for k, v in flagged.items()})
        IDLE_RESOURCES.set_all({k: float(v) for k, v in idle.items()})
        UNDERUTILIZED_RESOURCES.set_all({k: float(v) for k, v in under.items()})


def record_api_call(record: Any) -> None:
    """`CallLedger` listener: one call (a `CallRecord` or `ApiCallCount`-like object with service and outcome)."""
    calls = int(getattr(record, "calls", 1) or 1)
    AWS_API_CALLS.labels(record.service).inc(calls)
    outcome = str(getattr(record, "outcome", "ok") or "ok")
    if outcome != "ok":
        AWS_API_ERRORS.labels(outcome).inc(calls)


def record_api_calls(counts: list[Any]) -> None:
    """Add a whole run's ledger snapshot (`Report.api_calls`) when no live listener was attached."""
    for count in counts:
        record_api_call(count)


def record_agent_cost(component: str, usd: float | Decimal, input_tokens: int = 0, output_tokens: int = 0) -> None:
    """One agent step's spend: `component` is bedrock, redshift, lambda or aws_api."""
    if usd:
        AGENT_RUN_COST.labels(component).inc(float(usd))
    if input_tokens:
        AGENT_LLM_TOKENS.labels("input").inc(input_tokens)
    if output_tokens:
        AGENT_LLM_TOKENS.labels("output").inc(output_tokens)


def exposition() -> bytes:
    """The text exposition format served on `/metrics`."""
    return generate_latest(REGISTRY)
