"""AWS Lambda entry point: the HTTP API through Mangum, each invocation billing its own GB-seconds.

`handler(event, context)` is what the function's configuration names (`agent.surfaces.lambda_handler.handler`).
`handler_for(app, ...)` builds the same thing around any ASGI app (tests, other packagings).

Each invocation is timed around the Mangum call, billed as memory (`context.memory_limit_in_mb`) x
duration rounded up to the millisecond (how Lambda bills) x `lambda_cost_per_gb_second`, added to the
tracker under the function's name and written to the cost log as query_type `LAMBDA_INVOCATION`, with the
method and path as the query (never the query string, headers or body). The $0.20 per million requests
is not part of the seed's arithmetic and is not added. Billing never fails the response.

Lifespan is off: a Lambda container has no place for the in-process scheduler (use an EventBridge rule).
In Lambda a relative cost log path is put under /tmp, the only writable directory.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mangum import Mangum

from agent.surfaces.api.app import create_app
from tools.billing import BillingEvent, CostLogger, CostTracker
from tools.billing.cost_logger import record_cost
from tools.settings import get_settings

log = logging.getLogger(__name__)

LAMBDA_INVOCATION = "LAMBDA_INVOCATION"
DEFAULT_MEMORY_MB = 512

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def _route(event: dict[str, Any]) -> str:
    """'GET /health' from an API Gateway v2 (HTTP API / function URL) or v1 (REST) event."""
    http = event.get("requestContext", {}).get("http", {})
    method = http.get("method") or event.get("httpMethod") or "?"
    path = event.get("rawPath") or http.get("path") or event.get("path") or "?"
    return f"{method} {path}"


def billed_ms(seconds: float) -> int:
    """Lambda bills duration in whole milliseconds, rounded up."""
    return max(1, math.ceil(round(seconds * 1000, 6)))


class BilledMangum:
    """A Mangum adapter whose every call adds the invocation's GB-seconds to the bill."""

    def __init__(self, app: Any, tracker: CostTracker, logger: CostLogger | None,
                 on_cost: Callable[[BillingEvent], None] | None = None,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.adapter = Mangum(app, lifespan="off")
        self.tracker = tracker
        self.logger = logger
        self.on_cost = on_cost
        self.clock = clock

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        began = self.clock()
        response: dict[str, Any] = {}
        try:
            response = self.adapter(event, context)
            return response
        finally:
            elapsed = self.clock() - began
            try:
                self._bill(event, context, elapsed, response.get("statusCode"))
            except Exception:  # the bill must never cost the caller their answer
                log.exception("could not bill the Lambda invocation")

    def _bill(self, event: dict[str, Any], context: Any, elapsed: float, status: int | None) -> None:
        memory_mb = int(getattr(context, "memory_limit_in_mb", 0) or DEFAULT_MEMORY_MB)
        duration_ms = billed_ms(elapsed)
        session_id = str(getattr(context, "function_name", "") or "lambda")
        cost = self.tracker.calculate_query_cost(lambda_duration_ms=duration_ms, lambda_memory_mb=memory_mb)
        record_cost(self.tracker, self.logger, session_id, "cost-agent", _route(event), cost, elapsed,
                    LAMBDA_INVOCATION,
                    {"request_id": str(getattr(context, "aws_request_id", "")), "memory_mb": memory_mb,
                     "billed_duration_ms": duration_ms, "status": status})
        if self.on_cost is not None:
            self.on_cost(BillingEvent(session_id, "lambda", None, cost, elapsed))


def handler_for(app: Any, tracker: CostTracker | None = None, logger: CostLogger | None = None,
                on_cost: Callable[[BillingEvent], None] | None = None,
                clock: Callable[[], float] = time.perf_counter) -> BilledMangum:
    """A billed Lambda handler around `app`; tracker and logger default to the settings' `cost:` block."""
    if tracker is None or logger is None:
        cost = get_settings().cost
        tracker = tracker or CostTracker(cost)
        logger = logger or CostLogger(_log_path(cost.log_file), enabled=cost.enabled)
    return BilledMangum(app, tracker, logger, on_cost=on_cost, clock=clock)


def _log_path(configured: str) -> Path:
    path = Path(configured)
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") and not path.is_absolute():
        return Path("/tmp") / path  # noqa: S108 - the only writable place in a Lambda container
    return path


_default: BilledMangum | None = None


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda entry point; the app is built on the first invocation (its settings read then), then reused."""
    global _default
    if _default is None:
        _default = handler_for(create_app())
    return _default(event, context)
