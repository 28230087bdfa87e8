"""A run's bulky data, kept out of the graph state: the collection (inventory, daily metric series, price sheet),
the rules' result and the report before its summary live in the run cache (`tools.storage.run_cache`) under the
run's id, and the state keeps the small summaries built here."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, Field

from agent.analysis.report import AnalysisResult
from agent.analysis.savings import savings_totals
from agent.graphs.analysis.state import AnalysisSummary, CollectionSummary
from tools.models import Anomaly, CollectionResult

COLLECTION = "collection"
"""Run-cache key of the `CollectionResult`: put by collect, replaced by utilize, read by analyze and prioritize."""
ANALYSIS = "analysis"
"""Run-cache key of the `Analyzed` result: put by analyze, read by prioritize."""
REPORT = "report"
"""Run-cache key of the `Report` before its summary: put by prioritize, read by summarize, which puts the final
report in the state (so the checkpoints carry the report once)."""


class Analyzed(BaseModel):
    """What the analyze step leaves for prioritize."""

    result: AnalysisResult
    """The rules' opportunities and what they could not judge."""
    anomalies: list[Anomaly] = Field(default_factory=list)
    """Daily spend anomalies with their drivers."""


def collection_summary(collection: CollectionResult) -> CollectionSummary:
    quotes = collection.price_sheet.list_quotes if collection.price_sheet else {}
    return {
        "collected_at": collection.collected_at.isoformat(),
        "account_id": collection.account_id,
        "regions": list(collection.regions),
        "resources": len(collection.resources),
        "by_kind": dict(sorted(Counter(r.kind for r in collection.resources).items())),
        "measured": sum(1 for r in collection.resources if any(s.days for s in r.utilization.values())),
        "spend_usd": collection.costs.total_cost if collection.costs else 0.0,
        "pricing_api": str(quotes.get("status") or "unknown"),
        "missing": len(collection.missing),
        "errors": len(collection.errors),
    }


def analysis_summary(analyzed: Analyzed) -> AnalysisSummary:
    opportunities = analyzed.result.opportunities
    savings = savings_totals(opportunities)
    return {
        "opportunities": len(opportunities),
        "findings": sum(len(o.resources) for o in opportunities),
        "savings_usd": savings.total,
        "waste_usd": savings.waste,
        "insufficient_data": len(analyzed.result.insufficient_data),
        "anomalies": len(analyzed.anomalies),
    }
