"""The FastAPI application: `create_app(settings)` for tests and `cost-agent serve`, `app` for ASGI servers."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response

from agent import metrics
from agent.graphs.runner import run_analysis
from agent.surfaces.api.jobs import JobManager, RunFn
from agent.surfaces.api.problems import ProblemError, install_handlers, problem_response
from agent.surfaces.api.routers import actions, analysis, chat, collect, costs, opportunities, ops
from agent.surfaces.api.scheduler import CollectionScheduler
from agent.surfaces.mcp import http as mcp_http
from tools import __version__
from tools.models import Report
from tools.settings import Settings, get_settings
from tools.storage import StorageError, StorageQueryError, get_storage

access_log = logging.getLogger("agent.surfaces.api.access")


def default_run_fn(settings: Settings) -> RunFn:
    """A whole collection and analysis through the agent's graph."""

    def run(refresh: bool) -> Report:
        return run_analysis(settings, refresh=refresh, trigger="api")

    return run


def default_storage_factory(settings: Settings) -> Callable[[], Any]:
    def storage() -> Any:
        return get_storage(settings)

    return storage


def record_finished(report: Report, duration_s: float) -> None:
    """After every collection: gauges, histogram and the run's AWS calls. The run's bill is not added here:
    the graph's steps record their own spend as it happens (agent/graphs/run_bill.py,
    agent/graphs/analysis/nodes.py)."""
    metrics.record_collection(report, duration_s)
    metrics.record_api_calls(report.api_calls)


async def _log_requests(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Method, path, status and time only: no headers (keys) and no query strings."""
    began = time.perf_counter()
    status = 500
    try:
        response = await call_next(request)
        status = response.status_code
        return response
    finally:
        access_log.info("%s %s %d %.1f ms", request.method, request.url.path, status,
                        (time.perf_counter() - began) * 1000)


def _storage_handlers(app: FastAPI) -> None:
    """A bad query argument is a 422; a locked or unreachable store is a 503 that says so, not a 500."""
    async def bad_query(request: Request, exc: Exception) -> Response:
        return problem_response(request, 422, "Invalid request", str(exc).splitlines()[0][:300])

    async def unavailable(request: Request, exc: Exception) -> Response:
        return problem_response(request, 503, "Service Unavailable", str(exc).splitlines()[0][:300])

    app.add_exception_handler(StorageQueryError, bad_query)
    app.add_exception_handler(StorageError, unavailable)


def create_app(settings: Settings | None = None, *, run_fn: RunFn | None = None,
               storage_factory: Callable[[], Any] | None = None) -> FastAPI:
    """Build the app. `run_fn` and `storage_factory` default to the agent's graph and ClickHouse storage."""
    settings = settings or get_settings()
    jobs = JobManager(run_fn or default_run_fn(settings), on_finished=record_finished)
    schedule = settings.aws_collection_schedule
    scheduler = CollectionScheduler(schedule, jobs) if schedule else None
    mcp_endpoint = mcp_http.McpEndpoint(settings)  # /mcp: the chat's tools over MCP, behind the same key

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if scheduler is not None:
            scheduler.start()
        try:
            async with mcp_endpoint.running():  # the MCP transport's task group
                yield
        finally:
            if scheduler is not None:
                scheduler.stop()

    app = FastAPI(
        title="OptiInfra Cost Agent", version=__version__, lifespan=lifespan,
        # The schema and its browsable page describe the API and hold no data: open, like /health and /metrics.
        openapi_url="/openapi.json", docs_url="/docs", redoc_url=None,
        description="AWS spend, waste with evidence and dollars, and the agent's own bill. Every data endpoint "
                    "needs the API key (X-API-Key or Authorization: Bearer); /health, /metrics, /openapi.json "
                    "and /docs do not.",
    )
    app.state.settings = settings
    app.state.jobs = jobs
    app.state.scheduler = scheduler
    app.state.storage_factory = storage_factory or default_storage_factory(settings)
    install_handlers(app)
    _storage_handlers(app)
    app.middleware("http")(_log_requests)
    for module in (ops, collect, costs, opportunities, actions, analysis, chat):
        app.include_router(module.router)
    app.router.routes.append(mcp_endpoint.route())

    return app


class _LazyApp:
    """`agent.surfaces.api.app:app` for ASGI servers, built on first request: importing this module reads no
    settings."""

    def __init__(self) -> None:
        self._app: FastAPI | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self._app is None:
            self._app = create_app()
        await self._app(scope, receive, send)


app = _LazyApp()

__all__ = ["ProblemError", "app", "create_app"]
