"""What every executor offers: run a run's shards, return one result per shard, in the shards' order."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, Protocol

from pydantic import TypeAdapter

from tools.aws.collect import error_of
from tools.aws.shard import Shard, ShardResult, worker_name
from tools.models import MetricSpec
from tools.settings import SECRET_FIELDS, Settings

Progress = Callable[[str, int, int], None]
"""progress("shards", done, total), as the collection's own progress callbacks."""
Specs = Mapping[str, Sequence[MetricSpec]]
SPECS = TypeAdapter(dict[str, tuple[MetricSpec, ...]])

WORKER_LOCAL = SECRET_FIELDS | {
    "aws_profile", "aws_role_arn", "data_dir", "api_host", "api_port", "executor", "celery_queue",
}
"""Settings a worker keeps its own of: credentials and identity, its machine's paths, where it listens."""


class ExecutorUnavailable(Exception):
    """No shard can run: the broker or the result backend cannot be reached. One line that says what to fix."""


class Executor(Protocol):
    def run(self, shards: Sequence[Shard], run_id: str, *, today: date | None = None, specs: Specs | None = None,
            progress: Progress | None = None) -> list[ShardResult]:
        """One result per shard, in the order of `shards`; a shard that could not run is a result with an error."""
        ...


def run_settings(settings: Settings) -> dict[str, Any]:
    """The settings that shape a shard's answer (thresholds, windows, role name ...), as JSON for a worker;
    never a credential nor a secret."""
    return settings.model_dump(mode="json", exclude=WORKER_LOCAL)


def specs_json(specs: Specs | None) -> dict[str, Any] | None:
    return None if specs is None else SPECS.dump_python({k: tuple(v) for k, v in specs.items()}, mode="json")


def specs_of(data: dict[str, Any] | None) -> dict[str, tuple[MetricSpec, ...]] | None:
    return None if data is None else SPECS.validate_python(data)


def failed(shard: Shard, run_id: str, exc: BaseException) -> ShardResult:
    """A shard the executor could not get an answer for (lost worker, timeout, broker down)."""
    return ShardResult(shard=shard, run_id=run_id, collected_at=datetime.now(UTC), worker=worker_name(),
                       errors=[error_of(f"account/{shard.account_id}/{shard.region}", exc)])
