"""Where a run's shards (account x region, tools/aws/shard.py) run: threads of this process or Celery workers.

`get_executor(settings).run(shards, run_id)` -> one ShardResult per shard, in order, the same either way."""

from __future__ import annotations

import threading
from typing import Any

from tools.executors.base import Executor, ExecutorUnavailable, run_settings
from tools.executors.inprocess import InProcessExecutor
from tools.settings import Settings

_CELERY: dict[tuple[str, ...], Executor] = {}
_CELERY_LOCK = threading.Lock()


def get_executor(settings: Settings, **kwargs: Any) -> Executor:
    """EXECUTOR=inprocess (default) or celery (imported only then: Celery is the server extra's). A Celery executor
    is made once per process and broker, backend, queue and run settings: the graph asks for one per shard, and
    each would otherwise build its own Celery app and connections."""
    if settings.executor == "celery":
        from tools.executors.celery_executor import CeleryExecutor

        if kwargs:
            return CeleryExecutor(settings, **kwargs)
        key = (*(_secret(v) for v in (settings.celery_broker_url, settings.celery_result_backend,
                                       settings.redis_url)), settings.celery_queue, repr(run_settings(settings)))
        with _CELERY_LOCK:
            if key not in _CELERY:
                _CELERY[key] = CeleryExecutor(settings)
            return _CELERY[key]
    return InProcessExecutor(settings, **kwargs)


def _secret(value: Any) -> str:
    """A URL setting's text, for the process's own lookup key only (URLs may hold passwords: never logged)."""
    if value is None:
        return ""
    return str(value.get_secret_value() if hasattr(value, "get_secret_value") else value)


__all__ = ["Executor", "ExecutorUnavailable", "InProcessExecutor", "get_executor", "run_settings"]
