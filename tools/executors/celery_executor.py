"""Shards on Celery workers: one task per shard, results back through the Redis result backend, in order.

What it does not do (docs/many-accounts.md): bound one account's requests across workers (each worker process bounds
its own), retry a shard whose worker was lost (it is reported failed), or carry credentials (each worker has its
own)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date
from typing import Any

from celery import Celery, group
from celery.exceptions import TimeoutError as ResultTimeout
from pydantic import ValidationError

from tools.aws.shard import Shard, ShardResult
from tools.executors.base import ExecutorUnavailable, Progress, Specs, failed, run_settings, specs_json
from tools.executors.celery_app import TASK, make_app
from tools.settings import Settings


class CeleryExecutor:
    def __init__(self, settings: Settings, app: Celery | None = None) -> None:
        self.settings = settings
        self.app = app or make_app(settings)

    def run(self, shards: Sequence[Shard], run_id: str, *, today: date | None = None, specs: Specs | None = None,
            progress: Progress | None = None) -> list[ShardResult]:
        """One result per shard, in order; raises ExecutorUnavailable when the broker or result backend is down."""
        if not shards:
            return []
        options: dict[str, Any] = {"settings": run_settings(self.settings), "specs": specs_json(specs),
                                   "today": today.isoformat() if today else None}
        self.check()
        try:
            sent = group(self.app.signature(TASK, args=(s.model_dump(mode="json"), run_id, options))
                         for s in shards).apply_async()
        except Exception as exc:  # kombu's OperationalError and the transports' own: no shard could be sent
            raise ExecutorUnavailable(f"Celery broker not reachable ({type(exc).__name__}: {exc}); start it or set "
                                      "CELERY_BROKER_URL") from exc
        deadline = time.monotonic() + self.settings.executor_timeout_seconds
        results: list[ShardResult] = []
        try:
            for shard, answer in zip(shards, sent.results or [], strict=True):
                results.append(self._answer(shard, run_id, answer, deadline))
                if progress:
                    progress("shards", len(results), len(shards))
        finally:
            if not sent.ready():
                sent.revoke()  # what is still queued after a timeout is not worth running
            sent.forget()
        return results

    def check(self) -> None:
        """Fail at once, in one line, when the result backend or the broker is down (Celery itself would retry the
        backend for about 20 s, then say the application must be restarted)."""
        client = getattr(self.app.backend, "client", None)
        try:
            if client is not None:
                client.ping()
        except Exception as exc:
            raise ExecutorUnavailable(f"Celery result backend not reachable ({type(exc).__name__}: {exc}); start it "
                                      "or set CELERY_RESULT_BACKEND") from exc
        try:
            with self.app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, interval_start=0.5)
        except Exception as exc:
            raise ExecutorUnavailable(f"Celery broker not reachable ({type(exc).__name__}: {exc}); start it or set "
                                      "CELERY_BROKER_URL") from exc

    @staticmethod
    def _answer(shard: Shard, run_id: str, answer: Any, deadline: float) -> ShardResult:
        try:
            # propagate=False: a task that failed answers with its exception instead of raising it here
            value = answer.get(timeout=max(0.1, deadline - time.monotonic()), propagate=False)
        except ResultTimeout as exc:
            return failed(shard, run_id, exc)
        except Exception as exc:  # the result backend itself is gone: no other shard can answer either
            raise ExecutorUnavailable(f"Celery result backend not reachable ({type(exc).__name__}); start it or set "
                                      "CELERY_RESULT_BACKEND") from exc
        if isinstance(value, BaseException):  # the task raised, or its worker was lost, or it was revoked
            return failed(shard, run_id, value)
        try:
            return ShardResult.model_validate(value)
        except ValidationError as exc:
            return failed(shard, run_id, exc)
