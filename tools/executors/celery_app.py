"""The Celery app and its one task, `optiinfra.collect_shard`: a shard in, its result as JSON out.

Workers: `celery -A tools.executors.worker worker --concurrency N` on any machine with this package, AWS
credentials and the same broker (docs/many-accounts.md). A task carries the shard, the run id, the run's day, the
metrics to fetch and the settings that shape the answer; never a credential: each worker uses its own.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from celery import Celery

from tools.aws.shard import Shard, collect_shard
from tools.executors.base import specs_of
from tools.settings import ConfigError, Settings, load_settings

TASK = "optiinfra.collect_shard"


def celery_urls(settings: Settings) -> tuple[str, str]:
    """(broker, result backend): CELERY_BROKER_URL, else REDIS_URL; CELERY_RESULT_BACKEND, else the broker when it
    is Redis, else REDIS_URL."""
    redis = settings.redis_url.get_secret_value() if settings.redis_url else None
    broker = settings.celery_broker_url.get_secret_value() if settings.celery_broker_url else redis
    if not broker:
        raise ConfigError("EXECUTOR=celery: set CELERY_BROKER_URL (redis://host:port/db or "
                          "amqp://user:password@host:port/vhost)")
    backend = settings.celery_result_backend.get_secret_value() if settings.celery_result_backend else None
    backend = backend or (broker if broker.startswith(("redis://", "rediss://")) else redis)
    if not backend:
        raise ConfigError("EXECUTOR=celery: set CELERY_RESULT_BACKEND (redis://host:port/db): shard results "
                          "come back through Redis")
    return broker, backend


def make_app(settings: Settings) -> Celery:
    broker, backend = celery_urls(settings)
    app = Celery("optiinfra-cost-agent", broker=broker, backend=backend, set_as_current=False)
    app.conf.update(
        task_serializer="json", result_serializer="json", accept_content=["json"],
        task_default_queue=settings.celery_queue,
        task_acks_late=True,  # a shard whose worker stops before answering is not lost silently
        worker_prefetch_multiplier=1,  # shards are long: a worker takes the next only when it is free
        result_expires=24 * 3600,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    app.task(name=TASK)(run_shard)
    return app


def run_shard(shard: dict[str, Any], run_id: str, options: dict[str, Any]) -> dict[str, Any]:
    """The task: the worker's settings (its own credentials) under the run's, then `collect_shard`."""
    settings = load_settings(**options.get("settings", {}))
    today = options.get("today")
    result = collect_shard(Shard.model_validate(shard), settings, run_id, specs=specs_of(options.get("specs")),
                           today=None if today is None else date.fromisoformat(today))
    return result.model_dump(mode="json")
