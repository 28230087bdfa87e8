"""The analysis graph's state: one typed structure, JSON all the way (the checkpointers store it as is).

Pydantic models live at the edges: nodes validate `collection` into `tools.models.CollectionResult`
and `report` into `tools.models.Report` when they read them, and dump them back as JSON.
`typing_extensions.TypedDict` (not `typing`) so the LangGraph server can derive schemas on Python 3.11.
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


class AnalysisState(InputState, OutputState, total=False):
    """Everything the nodes pass along: collect -> utilize -> analyze -> prioritize -> summarize."""

    run_id: str
    """This run's id (the session id of its bill and the key of its stored report)."""
    collection: dict[str, Any]
    """What collection saw (`tools.models.CollectionResult` as JSON): costs, inventory, then utilization."""
    prices: dict[str, Any]
    """The run's EC2 prices and Pricing API status (`tools.aws.live_prices.LivePriceBook.snapshot()`), so the
    collect and analyze nodes price alike and a failed Pricing API is asked once per run."""
    analysis: dict[str, Any]
    """The rules' result (`agent.analysis.report.AnalysisResult` as JSON): opportunities grouped by type,
    ranked by the prioritize node, plus what could not be judged (insufficient data, ignored, missing)."""
    anomalies: list[dict[str, Any]]
    """Daily spend anomalies with their drivers (`tools.models.Anomaly` as JSON)."""
    graph_errors: Annotated[list[dict[str, Any]], operator.add]
    """Failures of the graph's own steps (storage writes, analysis); appended by any node."""
    aws_api_usd: Annotated[float, operator.add]
    """Paid AWS requests (Cost Explorer, GetMetricData) this run made, summed over the nodes' ledgers."""
    api_calls: Annotated[list[dict[str, Any]], operator.add]
    """AWS calls by service, operation, region and outcome (`tools.models.ApiCallCount` as JSON)."""
