"""One run's bill, through `tools.billing`: every LLM call billed by its callback, paid AWS requests by the
ledger biller, and the total as the report's `run_cost` and `agent_costs` rows."""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

from tools.models import RunCost
from tools.settings import Settings


def cost_log_path(settings: Settings) -> Path:
    """The seed's `cost.log_file`; a relative path lives under the data directory."""
    path = Path(settings.cost.log_file)
    return path if path.is_absolute() else settings.data_dir / path


class RunBill:
    """Collects what one run (or one chat turn) is charged and totals it."""

    def __init__(self, settings: Settings, session_id: str) -> None:
        from tools.billing import Cost, CostLogger, CostTracker

        self.settings = settings
        self.session_id = session_id
        self.tracker = CostTracker(settings.cost)
        self.logger = CostLogger(cost_log_path(settings), enabled=settings.cost.enabled)
        self._lock = threading.Lock()
        self._cost = Cost()

    def _on_cost(self, event: Any) -> None:
        from agent import metrics

        with self._lock:
            self._cost = self._cost + event.cost
        tokens = event.cost.tokens_used
        metrics.record_agent_cost("bedrock", event.cost.bedrock_cost, tokens.input_tokens, tokens.output_tokens)

    def callbacks(self, component: str) -> list[Any]:
        """LangChain callbacks that bill each LLM response's token usage to this run."""
        from tools.billing import BillingCallbackHandler

        return [BillingCallbackHandler(self.tracker, self.logger, self.session_id, component,
                                       self.settings.bedrock_model_id, on_cost=self._on_cost)]

    def ledger_biller(self, ledger: Any) -> Any:
        """Bills the ledger's paid requests made from now on (call `.bill()` when the step is done)."""
        from tools.billing import LedgerBiller

        return LedgerBiller(ledger, self.tracker, self.logger, self.session_id)

    def run_cost(self, aws_api_usd: Decimal = Decimal(0)) -> RunCost:
        """The bill so far, plus paid AWS requests billed elsewhere in the run (other nodes' ledgers)."""
        from tools.billing import Cost, run_cost_of

        with self._lock:
            cost = self._cost + Cost(aws_api_cost=float(aws_api_usd), total_cost=float(aws_api_usd))
        return run_cost_of(cost)

    def records(self, run_cost: RunCost, *, run_id: str = "", session_id: str = "",
                trigger: str = "") -> list[dict[str, Any]]:
        """`agent_costs` rows: Bedrock (with its tokens) and every other component that cost something;
        `trigger` (cli, api, schedule, studio, chat ...) goes into the rows' details."""
        common = {"run_id": run_id, "session_id": session_id or self.session_id, "trigger": trigger}
        rows: list[dict[str, Any]] = [{**common, "component": "bedrock", "model": self.settings.bedrock_model_id,
                                       "input_tokens": run_cost.input_tokens,
                                       "output_tokens": run_cost.output_tokens, "cost": run_cost.bedrock}]
        for component, cost in (("redshift", run_cost.redshift), ("lambda", run_cost.lambda_),
                                ("aws_api", run_cost.aws_api)):
            if cost:
                rows.append({**common, "component": component, "cost": cost})
        return rows
