"""AWS Lambda entry point: the HTTP API through Mangum, and collections run inside the invocation, each
invocation's GB-seconds billed once.

`handler(event, context)` is what the function's configuration names (`agent.surfaces.lambda_handler.handler`);
`build_handler(settings, clock=...)` is the same wiring with its settings and clock given (tests);
`handler_for(app, ...)` builds a billed handler around any ASGI app (other packagings).

Events: an API Gateway (HTTP API v2, REST v1) or function URL event goes to the API. An EventBridge scheduled
event (`"source": "aws.events", "detail-type": "Scheduled Event"`) or a direct `{"action": "collect"}` (optional
`"refresh": true`) runs one collection and returns its job (`Job` as JSON): an EventBridge schedule replaces the
in-process scheduler. Lifespan is off: a Lambda container has no place for that scheduler.

Collections run inline. The runtime freezes the execution environment once the handler returns, so a job in a
background thread would stop mid-run; the app's `JobManager` runs in inline mode, and `POST /api/v1/aws/collect`
(or `/refresh`) returns only after the job finished: same JSON shape and status code as elsewhere, with the job
already finished (`GET /api/v1/aws/jobs/{job_id}` on the same warm container shows its outcome). A collection
that outlasts API Gateway's integration timeout still completes (the client gets a 503 from API Gateway); run
long ones from the schedule or an asynchronous `{"action": "collect"}` invocation.

Billing. An invocation costs memory (`context.memory_limit_in_mb`) x its duration rounded up to the millisecond
(how Lambda bills) x `lambda_cost_per_gb_second` from the settings' `cost:` block. The handler opens an
`InvocationMeter` for the invocation. A run started inside it takes the billed milliseconds up to the moment its
bill is totalled (`RunBill.run_cost`): they are in that run's `run_cost.lambda` (and total), its `agent_costs`
row (component lambda), the cost log and Prometheus `agent_run_cost_usd_total{component="lambda"}`. Metering,
not amending afterwards, because the run's report and rows are stored before the invocation ends and a stored
report is never rewritten. When the handler returns, it bills only the milliseconds no run took (the
invocation's tail, or the whole of an invocation without a run) to the tracker under the function's name, the
cost log (query_type `LAMBDA_INVOCATION`, the method and path as the query, never the query string, headers or
body) and Prometheus; so the parts add up to Lambda's own billed duration and none is billed twice. The $0.20
per million requests and the INIT phase of a cold start are not metered. Billing never fails the response.
The cost log is the runs' one (`cost.log_file`, a relative path under the data directory: in Lambda set
`DATA_DIR` under /tmp, the only writable directory).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from mangum import Mangum

from agent import metrics
from agent.graphs.run_bill import LAMBDA_INVOCATION, InvocationMeter, billed_ms, cost_log_path, metering
from agent.surfaces.api.app import create_app
from agent.surfaces.api.jobs import JobManager
from tools.billing import BillingEvent, CostLogger, CostTracker
from tools.billing.cost_logger import record_cost
from tools.settings import Settings, get_settings

log = logging.getLogger(__name__)

DEFAULT_MEMORY_MB = 512
SCHEDULED = "EventBridge Scheduled Event"
DIRECT = "invoke collect"

__all__ = ["LAMBDA_INVOCATION", "BilledMangum", "billed_ms", "build_handler", "handler", "handler_for"]


def collection_request(event: dict[str, Any]) -> tuple[str, bool] | None:
    """(what asked, refresh) when the event asks for a collection rather than an HTTP request."""
    if event.get("source") == "aws.events" and event.get("detail-type") == "Scheduled Event":
        detail = event.get("detail")
        return SCHEDULED, bool(isinstance(detail, dict) and detail.get("refresh", False))
    if event.get("action") == "collect":
        return DIRECT, bool(event.get("refresh", False))
    return None


def _route(event: dict[str, Any]) -> str:
    """'GET /health' from an API Gateway v2 (HTTP API / function URL) or v1 (REST) event."""
    asked = collection_request(event)
    if asked is not None:
        return asked[0]
    http = event.get("requestContext", {}).get("http", {})
    method = http.get("method") or event.get("httpMethod") or "?"
    path = event.get("rawPath") or http.get("path") or event.get("path") or "?"
    return f"{method} {path}"


class BilledMangum:
    """A Mangum adapter whose every call is metered; the milliseconds no run took are billed at the end."""

    def __init__(self, app: Any, tracker: CostTracker, logger: CostLogger | None,
                 on_cost: Callable[[BillingEvent], None] | None = None,
                 clock: Callable[[], float] = time.perf_counter, jobs: JobManager | None = None) -> None:
        self.adapter = Mangum(app, lifespan="off")
        self.tracker = tracker
        self.logger = logger
        self.on_cost = on_cost
        self.clock = clock
        self.jobs = jobs

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        memory_mb = int(getattr(context, "memory_limit_in_mb", 0) or DEFAULT_MEMORY_MB)
        meter = InvocationMeter(memory_mb, str(getattr(context, "aws_request_id", "") or ""), self.clock)
        response: dict[str, Any] = {}
        try:
            with metering(meter):
                response = self._dispatch(event, context)
            return response
        finally:
            ms = meter.take()
            try:
                self._bill(event, context, meter, ms, response.get("statusCode"))
            except Exception:  # the bill must never cost the caller their answer
                log.exception("could not bill the Lambda invocation")

    def _dispatch(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        asked = collection_request(event)
        if asked is None:
            return dict(self.adapter(event, context))
        if self.jobs is None:
            raise ValueError("this handler's app has no collection jobs")
        job, _ = self.jobs.start(trigger="schedule" if asked[0] == SCHEDULED else "api", refresh=asked[1])
        return job.model_dump(mode="json")

    def _bill(self, event: dict[str, Any], context: Any, meter: InvocationMeter, ms: int,
              status: int | None) -> None:
        if ms == 0:  # every millisecond went to the run(s) this invocation produced
            return
        session_id = str(getattr(context, "function_name", "") or "lambda")
        cost = self.tracker.calculate_query_cost(lambda_duration_ms=ms, lambda_memory_mb=meter.memory_mb)
        record_cost(self.tracker, self.logger, session_id, "cost-agent", _route(event), cost, meter.elapsed,
                    LAMBDA_INVOCATION,
                    {"request_id": meter.request_id, "memory_mb": meter.memory_mb, "billed_duration_ms": ms,
                     "invocation_ms": meter.taken_ms, "status": status})
        metrics.record_agent_cost("lambda", cost.lambda_cost)
        if self.on_cost is not None:
            self.on_cost(BillingEvent(session_id, "lambda", None, cost, meter.elapsed))


def handler_for(app: Any, tracker: CostTracker | None = None, logger: CostLogger | None = None,
                on_cost: Callable[[BillingEvent], None] | None = None,
                clock: Callable[[], float] = time.perf_counter, settings: Settings | None = None) -> BilledMangum:
    """A billed Lambda handler around `app`; tracker and logger default to the settings' `cost:` block. The
    app's collection jobs (`app.state.jobs`, when it has them) are switched to inline mode."""
    if tracker is None or logger is None:
        settings = settings or get_settings()
        tracker = tracker or CostTracker(settings.cost)
        logger = logger or CostLogger(cost_log_path(settings), enabled=settings.cost.enabled)
    jobs = getattr(getattr(app, "state", None), "jobs", None)
    if isinstance(jobs, JobManager):
        jobs.inline = True
    return BilledMangum(app, tracker, logger, on_cost=on_cost, clock=clock,
                        jobs=jobs if isinstance(jobs, JobManager) else None)


def build_handler(settings: Settings | None = None, clock: Callable[[], float] = time.perf_counter) -> BilledMangum:
    """What `handler` runs: the API app on `settings` (default: the environment's), billed with `clock`."""
    settings = settings or get_settings()
    return handler_for(create_app(settings), clock=clock, settings=settings)


_default: BilledMangum | None = None


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda entry point; the app is built on the first invocation (its settings read then), then reused."""
    global _default
    if _default is None:
        _default = build_handler()
    return _default(event, context)
