"""What every analysis node does the same way: read its settings, report progress, record a failure as an error of
the run, write to storage and the run cache without raising, bill the run's paid AWS requests."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime
from pydantic import BaseModel

from agent import metrics
from agent.analysis.rules.registry import REGISTRY
from agent.graphs.context import Context
from agent.graphs.run_bill import RunBill
from agent.llm.model import error_code
from tools.aws.clients import ClientFactory
from tools.billing import LedgerBiller
from tools.models import CollectionError, MetricSpec
from tools.settings import Settings
from tools.storage import get_storage
from tools.storage.run_cache import RunCacheError, get_run_cache

log = logging.getLogger(__name__)


def utilization_specs() -> Mapping[str, Sequence[MetricSpec]]:
    """The utilize step's CloudWatch metrics: what the registered analysis rules declare they read."""
    return REGISTRY.metric_specs()


def settings_of(runtime: Runtime[Context]) -> Settings:
    return (runtime.context or Context()).settings()


def emit(node: str) -> Callable[..., None]:
    """A progress callable for the collectors that forwards to the graph's custom stream."""
    try:
        writer = get_stream_writer()
    except RuntimeError:  # outside a runnable context (direct calls in tests)
        return lambda *args, **kwargs: None
    # Collectors call this from their worker threads, where the graph's context variables are unset:
    # run the writer in (a copy of) the node's context.
    node_context = contextvars.copy_context()

    def progress(*args: Any, **kwargs: Any) -> None:
        message = " ".join(str(a) for a in args) + (f" {kwargs}" if kwargs else "")
        try:
            node_context.copy().run(writer, {"node": node, "message": message.strip()})
        except Exception:  # progress is best effort; it must never fail a region's collection
            log.debug("progress event dropped", exc_info=True)

    return progress


def failure(scope: str, exc: BaseException) -> dict[str, Any]:
    log.warning("%s failed: %s", scope, exc)
    text = str(exc).splitlines()[0][:500] if str(exc) else type(exc).__name__
    return CollectionError(scope=scope, error=text, code=error_code(exc)).model_dump(mode="json")


def store(errors: list[dict[str, Any]], settings: Settings, method: str, *args: Any, **kwargs: Any) -> Any:
    """Call one storage method; a failure becomes an error of the run, not an exception."""
    try:
        return getattr(get_storage(settings), method)(*args, **kwargs)
    except Exception as exc:
        errors.append(failure(f"storage/{method}", exc))
        return None


def keep(errors: list[dict[str, Any]], settings: Settings, run_id: str, key: str, value: BaseModel) -> None:
    """Put a value in the run cache; a Redis failure is an error of the run (this process still holds it)."""
    try:
        get_run_cache(settings).put(run_id, key, value)
    except RunCacheError as exc:
        errors.append(failure(f"run_cache/{key}", exc))


def billed_factory(settings: Settings, run_id: str) -> tuple[ClientFactory, LedgerBiller]:
    """A client factory whose paid requests are billed (cost log) to this run."""
    factory = ClientFactory(settings)
    return factory, RunBill(settings, session_id=run_id).ledger_biller(factory.ledger)


def ledger_update(factory: ClientFactory, biller: LedgerBiller) -> dict[str, Any]:
    metrics.record_agent_cost("aws_api", biller.bill().aws_api_cost)
    return {"aws_api_usd": float(factory.ledger.paid_usd()),
            "api_calls": [c.model_dump(mode="json") for c in factory.ledger.snapshot()]}
