"""The analysis graph's state: small, typed and JSON, because the checkpointers store it after every step.

The bulky data of a run (the collection with its inventory, daily metric series and price sheet; the rules'
result) lives in the run cache under `run_id` (`agent.graphs.analysis.run_data`). The state keeps what a caller
or LangGraph Studio reads: the run's id and trigger, counts and totals, errors, and the report, which is the
output. `typing_extensions.TypedDict` (not `typing`) so the LangGraph server can derive schemas on Python 3.11.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any

from typing_extensions import TypedDict


class InputState(TypedDict, total=False):
    """What a caller sends to start an analysis run (everything else is in the run's `Context`)."""

    trigger: str
    """Who asked for the run: 'cli', 'api', 'schedule', 'studio' ... (recorded with the run's bill)."""


class OutputState(TypedDict, total=False):
    """What an analysis run returns."""

    report: dict[str, Any]
    """The report (`tools.models.Report` as JSON): DESIGN.md's contract, checked by check_report.py."""
    errors: list[dict[str, Any]]
    """Every failure of the run (`tools.models.CollectionError` as JSON), collection and graph alike."""


class CollectionSummary(TypedDict):
    """What collection saw, in numbers (the collection itself is in the run cache)."""

    collected_at: str
    """When the inventory was taken (ISO 8601, UTC): the report's clock."""
    account_id: str
    """The AWS account collected ('' when STS did not answer)."""
    regions: list[str]
    """The regions collected."""
    resources: int
    """Resources in the inventory."""
    by_kind: dict[str, int]
    """Resources per kind ('ec2_instance', 'ebs_volume' ...)."""
    measured: int
    """Resources with at least one day of CloudWatch data (0 until the utilize step)."""
    spend_usd: float
    """Spend over the report period as Cost Explorer reported it (0.0 when it did not answer)."""
    pricing_api: str
    """The Pricing API's status for this run: 'ok', 'down' (list prices from the book), 'off' or 'unknown'."""
    missing: int
    """Lines of data the account or endpoints do not offer."""
    errors: int
    """Failures of collection (they reach the report's `errors`)."""


class AnalysisSummary(TypedDict):
    """What the rules found, in numbers (the result itself is in the run cache, then in the report)."""

    opportunities: int
    """Opportunities (findings grouped by type and service)."""
    findings: int
    """Findings over all opportunities."""
    savings_usd: float
    """Monthly savings of all findings, each resource counted once (the report's `savings.total`)."""
    waste_usd: float
    """Its waste part, pricing levers apart (the report's `total_waste`)."""
    insufficient_data: int
    """Resources the rules could not judge for too little data."""
    anomalies: int
    """Daily spend anomalies detected."""


class AnalysisState(InputState, OutputState, total=False):
    """Everything the nodes pass along: collect -> utilize -> analyze -> prioritize -> summarize."""

    run_id: str
    """This run's id: the key of its data in the run cache, the session id of its bill, the key of its stored
    report and findings."""
    collected: CollectionSummary
    """The collection in numbers; set by collect, updated by utilize."""
    analyzed: AnalysisSummary
    """The rules' result in numbers; set by analyze."""
    graph_errors: Annotated[list[dict[str, Any]], operator.add]
    """Failures of the graph's own steps (storage and run-cache writes, analysis); appended by any node."""
    aws_api_usd: Annotated[float, operator.add]
    """Paid AWS requests (Cost Explorer, GetMetricData) this run made, summed over the nodes' ledgers."""
    planned_shards: list[dict[str, Any]]
    """Organization mode (AWS_ACCOUNTS): the (account, region) shards collect planned, as JSON; empty otherwise."""
    shards_done: Annotated[list[dict[str, Any]], operator.add]
    """One summary per collected shard: its key, resources, errors, the worker and seconds it took."""
    api_calls: Annotated[list[dict[str, Any]], operator.add]
    """AWS calls by service, operation, region and outcome (`tools.models.ApiCallCount` as JSON)."""
