"""One run's bill, through `tools.billing`: every LLM call billed by its callback, paid AWS requests by the
ledger biller, the Lambda invocation running the run (if any) by its meter, and the total as the report's
`run_cost` and `agent_costs` rows.

A Lambda invocation is metered, not amended afterwards: the run's report and `agent_costs` rows are stored
before the invocation ends, so the run takes the invocation's billed milliseconds up to the moment its bill is
totalled (`RunBill.run_cost`), and the handler bills only what is left when the response is ready. Each
millisecond is handed out once (`InvocationMeter.take`), so the parts add up to Lambda's own billed duration.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from pathlib import Path
from typing import Any

from tools.models import RunCost
from tools.settings import Settings

log = logging.getLogger(__name__)

LAMBDA_INVOCATION = "LAMBDA_INVOCATION"
"""The cost log's query_type of Lambda GB-seconds."""


def billed_ms(seconds: float) -> int:
    """Lambda bills duration in whole milliseconds, rounded up."""
    return max(1, math.ceil(round(seconds * 1000, 6)))


class InvocationMeter:
    """One Lambda invocation's billed duration, each millisecond handed out once. Thread-safe."""

    def __init__(self, memory_mb: int, request_id: str = "",
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.memory_mb = memory_mb
        self.request_id = request_id
        self.clock = clock
        self.began = clock()
        self.elapsed = 0.0
        """Seconds from the start to the last `take`."""
        self.taken_ms = 0
        self._lock = threading.Lock()

    def take(self) -> int:
        """The milliseconds billed so far (the whole elapsed time rounded up) that no one has taken yet."""
        with self._lock:
            self.elapsed = self.clock() - self.began
            ms = max(0, billed_ms(self.elapsed) - self.taken_ms)
            self.taken_ms += ms
            return ms


_INVOCATION: ContextVar[InvocationMeter | None] = ContextVar("lambda_invocation", default=None)


@contextmanager
def metering(meter: InvocationMeter) -> Iterator[InvocationMeter]:
    """Runs billed inside this block (threads and graph nodes inherit it) take their part of `meter`."""
    token = _INVOCATION.set(meter)
    try:
        yield meter
    finally:
        _INVOCATION.reset(token)


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

    def _take_invocation(self) -> None:
        """Inside a Lambda invocation: the milliseconds up to now, billed to this run (log, Prometheus)."""
        from agent import metrics
        from tools.billing.cost_logger import record_cost

        meter = _INVOCATION.get()
        ms = meter.take() if meter is not None else 0
        if meter is None or ms == 0:
            return
        cost = self.tracker.calculate_query_cost(lambda_duration_ms=ms, lambda_memory_mb=meter.memory_mb)
        with self._lock:
            self._cost = self._cost + cost
        metrics.record_agent_cost("lambda", cost.lambda_cost)
        try:
            record_cost(self.tracker, self.logger, self.session_id, "cost-agent", "Lambda invocation, this run's part",
                        cost, meter.elapsed, LAMBDA_INVOCATION,
                        {"request_id": meter.request_id, "memory_mb": meter.memory_mb, "billed_duration_ms": ms})
        except OSError:  # an unwritable cost log must not fail the run; the bill still has the cost
            log.warning("could not write the Lambda invocation's cost log entry", exc_info=True)

    def run_cost(self, aws_api_usd: Decimal = Decimal(0)) -> RunCost:
        """The bill so far, plus paid AWS requests billed elsewhere in the run (other nodes' ledgers). Inside a
        Lambda invocation the bill so far includes the invocation's milliseconds that no one has taken yet."""
        from tools.billing import Cost, run_cost_of

        self._take_invocation()
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
