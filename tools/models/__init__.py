"""Typed data at the edges: what collectors return, what analysis reads, what the report holds.

Money: computed with `Decimal` and stored as floats rounded to the cent (`cents()`), so JSON reports carry plain
numbers that reconcile to the cent. One module per part of the flow; every name is importable from here.
"""

from tools.models.core import (
    CENT,
    Effort,
    Model,
    OpportunityType,
    PriceBasis,
    Priority,
    ResourceKind,
    SavingsCategory,
    cents,
)
from tools.models.findings import (
    Action,
    Anomaly,
    CountedSavings,
    Finding,
    Opportunity,
    Report,
    RunCost,
    SavingsTotals,
    UsageDriver,
)
from tools.models.inventory import ApiCallCount, CollectionError, CollectionResult, MetricSummary, PriceQuote, Resource
from tools.models.metrics import MetricSpec
from tools.models.spend import (
    USAGE_RECORD_TYPES,
    AwsRightsizing,
    BilledUsage,
    CostRow,
    CostSummary,
    Forecast,
    PriceSheet,
    PurchaseRecommendation,
    TimePeriod,
    Utilization,
)

__all__ = [
    "USAGE_RECORD_TYPES",
    "Action",
    "Anomaly",
    "ApiCallCount",
    "AwsRightsizing",
    "BilledUsage",
    "CENT",
    "CollectionError",
    "CollectionResult",
    "CostRow",
    "CostSummary",
    "CountedSavings",
    "Effort",
    "Finding",
    "Forecast",
    "MetricSpec",
    "MetricSummary",
    "Model",
    "Opportunity",
    "OpportunityType",
    "PriceBasis",
    "PriceQuote",
    "PriceSheet",
    "Priority",
    "PurchaseRecommendation",
    "Report",
    "Resource",
    "ResourceKind",
    "RunCost",
    "SavingsCategory",
    "SavingsTotals",
    "TimePeriod",
    "UsageDriver",
    "Utilization",
    "cents",
]
