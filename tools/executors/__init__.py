"""Where a run's shards (account x region, tools/aws/shard.py) run: threads of this process or Celery workers.

`get_executor(settings).run(shards, run_id)` -> one ShardResult per shard, in order, the same either way."""

from __future__ import annotations

from typing import Any

from tools.executors.base import Executor, ExecutorUnavailable, run_settings
from tools.executors.inprocess import InProcessExecutor
from tools.settings import Settings


def get_executor(settings: Settings, **kwargs: Any) -> Executor:
    """EXECUTOR=inprocess (default) or celery (imported only then: Celery is the server extra's)."""
    if settings.executor == "celery":
        from tools.executors.celery_executor import CeleryExecutor

        return CeleryExecutor(settings, **kwargs)
    return InProcessExecutor(settings, **kwargs)


__all__ = ["Executor", "ExecutorUnavailable", "InProcessExecutor", "get_executor", "run_settings"]
