"""Paid AWS requests (Cost Explorer, GetMetricData) from the call ledger into the bill, and a bill as the
report's `run_cost`."""

from __future__ import annotations

import threading
from decimal import Decimal

from tools.aws.ledger import CallLedger
from tools.billing.cost_logger import CostLogger, record_cost
from tools.billing.cost_tracker import Cost, CostTracker, usd
from tools.models import RunCost

AWS_API = "AWS_API"


class LedgerBiller:
    """Bills what the ledger's paid requests cost since the previous `bill()`: one entry per call of `bill()`."""

    def __init__(self, ledger: CallLedger, tracker: CostTracker, logger: CostLogger | None,
                 session_id: str, persona: str = "cost-agent") -> None:
        self.ledger = ledger
        self.tracker = tracker
        self.logger = logger
        self.session_id = session_id
        self.persona = persona
        self._lock = threading.Lock()
        self._billed = ledger.paid_usd()

    def bill(self) -> Cost:
        """The new paid amount as a `Cost` (aws_api only), added to the session and logged; zero if none."""
        with self._lock:
            paid = self.ledger.paid_usd()
            delta, self._billed = paid - self._billed, paid
        if delta <= Decimal(0):
            return Cost()
        cost = self.tracker.calculate_query_cost(aws_api_cost=delta)
        calls = ", ".join(f"{op} x{n}" for op, n in self.ledger.by_operation().items())
        record_cost(self.tracker, self.logger, self.session_id, self.persona, f"paid AWS requests: {calls}", cost,
                    0.0, AWS_API)
        return cost


def run_cost_of(cost: Cost) -> RunCost:
    """The report's `run_cost`: each part rounded to 8 decimals, total the sum of the rounded parts
    (so the contract's bedrock + redshift + lambda + aws_api == total holds exactly)."""
    parts = [usd(v) for v in (cost.bedrock_cost, cost.redshift_cost, cost.lambda_cost, cost.aws_api_cost)]
    total = usd(sum((Decimal(str(p)) for p in parts), Decimal(0)))
    return RunCost(bedrock=parts[0], redshift=parts[1], lambda_=parts[2], aws_api=parts[3], total=total,
                   input_tokens=cost.tokens_used.input_tokens, output_tokens=cost.tokens_used.output_tokens)
