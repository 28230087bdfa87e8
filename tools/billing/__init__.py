"""The agent's own bill (the seed's cost tracking module): Bedrock tokens, Redshift RPU time, Lambda
GB-seconds and paid AWS requests, tracked per session and day and written as JSON lines."""

from tools.billing.aws_api import LedgerBiller, run_cost_of
from tools.billing.callbacks import BillingCallbackHandler, BillingEvent
from tools.billing.cost_logger import CostLogger
from tools.billing.cost_tracker import Cost, CostTracker, TokenUsage, usd
from tools.billing.redshift import (
    ReadOnlySqlError,
    RedshiftCurQuery,
    RedshiftNotConfigured,
    RedshiftQueryError,
    RedshiftQueryTimeout,
    run_redshift_query,
)

__all__ = [
    "BillingCallbackHandler", "BillingEvent", "Cost", "CostLogger", "CostTracker", "LedgerBiller",
    "ReadOnlySqlError", "RedshiftCurQuery", "RedshiftNotConfigured", "RedshiftQueryError",
    "RedshiftQueryTimeout", "TokenUsage", "run_cost_of", "run_redshift_query", "usd",
]
