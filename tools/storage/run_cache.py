"""One run's bulky data between the steps of a graph, keyed by the run's id.

Always kept in this process, so a fresh machine needs no service and a step reads the object the step before
put, without parsing it again. With `REDIS_URL` set, also written to Redis (zlib-compressed JSON, one hash per
run), so a run outlives a restart of the process between its steps: a step that misses here reads Redis once.
Entries expire `ttl_seconds` after their run's last write; a finished run drops its own.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Callable
from contextlib import suppress
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter

from tools.settings import Settings

M = TypeVar("M", bound=BaseModel)

PREFIX = "optiinfra:run:"
DEFAULT_TTL_SECONDS = 24 * 3600
COMPRESSION_LEVEL = 1
"""zlib's fastest level: daily metric series compress about tenfold already."""
REDIS_TIMEOUT_SECONDS = 30.0
"""One value can be tens of megabytes at fleet scale."""


class RunCacheError(RuntimeError):
    """The run cache could not do what was asked (Redis unreachable, or a value it cannot read)."""


class RunDataMissing(RunCacheError, LookupError):
    """A step asked for data its run no longer has: expired, dropped when the run finished, or lost with the
    process that held it (no `REDIS_URL`)."""


class LocalRunData:
    """The in-process layer: live objects per (run id, key), with an expiry per run."""

    def __init__(self, ttl_seconds: float = DEFAULT_TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._runs: dict[str, tuple[float, dict[str, Any]]] = {}

    def put(self, run_id: str, key: str, value: Any) -> None:
        with self._lock:
            self._expire()
            _, entries = self._runs.get(run_id, (0.0, {}))
            entries[key] = value
            self._runs[run_id] = (self._clock() + self.ttl, entries)

    def get(self, run_id: str, key: str) -> Any | None:
        with self._lock:
            self._expire()
            _, entries = self._runs.get(run_id, (0.0, {}))
            return entries.get(key)

    def drop(self, run_id: str) -> None:
        with self._lock:
            self._runs.pop(run_id, None)

    def runs(self) -> list[str]:
        """The run ids held (tests, diagnostics)."""
        with self._lock:
            self._expire()
            return sorted(self._runs)

    def _expire(self) -> None:
        now = self._clock()
        for run_id in [r for r, (expires, _) in self._runs.items() if expires <= now]:
            del self._runs[run_id]


class RedisRunData:
    """The durable layer: one Redis hash per run (a field per key), expiring `ttl_seconds` after its last write."""

    def __init__(self, url: str, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> None:
        import redis  # lazy on purpose: an optional extra ([server]), needed only when REDIS_URL is set

        self.client = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=2)
        self.ttl = ttl_seconds
        self._errors: type[Exception] = redis.RedisError

    def put(self, run_id: str, key: str, blob: bytes) -> None:
        try:
            with self.client.pipeline(transaction=True) as pipe:
                pipe.hset(PREFIX + run_id, key, blob)
                pipe.expire(PREFIX + run_id, self.ttl)
                pipe.execute()
        except self._errors as exc:
            raise RunCacheError(f"run {run_id}: {key} not written to Redis ({_reason(exc)}); "
                                "kept in this process only") from exc

    def get(self, run_id: str, key: str) -> bytes | None:
        try:
            blob: bytes | None = self.client.hget(PREFIX + run_id, key)  # type: ignore[assignment]
        except self._errors as exc:
            raise RunCacheError(f"run {run_id}: cannot read {key} from Redis ({_reason(exc)})") from exc
        return blob

    def drop(self, run_id: str) -> None:
        with suppress(self._errors):  # the entries expire after `ttl_seconds` anyway
            self.client.delete(PREFIX + run_id)


def _reason(exc: Exception) -> str:
    first = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


@cache
def _adapter(kind: type[BaseModel]) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


class RunCache:
    """`put`, `get` and `drop` a run's values (pydantic models) by run id and key."""

    def __init__(self, local: LocalRunData, durable: RedisRunData | None = None) -> None:
        self.local = local
        self.durable = durable
        """Where a run's data outlives this process (Redis), or None."""

    def put(self, run_id: str, key: str, value: BaseModel) -> None:
        """Keep `value` for the run. This process keeps it in any case; a Redis failure raises `RunCacheError`
        after that, so the caller can record it and go on in this process."""
        self.local.put(run_id, key, value)
        if self.durable is not None:
            self.durable.put(run_id, key, zlib.compress(_adapter(type(value)).dump_json(value), COMPRESSION_LEVEL))

    def get(self, run_id: str, key: str, kind: type[M]) -> M:
        """The run's value for `key`, from this process, else from Redis (then kept here: parsed once)."""
        value = self.local.get(run_id, key)
        if value is None and self.durable is not None:
            value = self._load(run_id, key, kind)
        if value is None:
            where = ("this process nor in Redis" if self.durable is not None
                     else "this process (set REDIS_URL to keep runs across restarts)")
            raise RunDataMissing(f"run {run_id}: no {key} in {where}; it expired, the run finished, or the "
                                 "process holding it stopped: start a new run")
        if not isinstance(value, kind):
            raise RunCacheError(f"run {run_id}: {key} is a {type(value).__name__}, not a {kind.__name__}")
        return value

    def drop(self, run_id: str) -> None:
        """Forget the run here and in Redis (a Redis failure leaves its entries to expire)."""
        self.local.drop(run_id)
        if self.durable is not None:
            self.durable.drop(run_id)

    def _load(self, run_id: str, key: str, kind: type[M]) -> M | None:
        blob = self.durable.get(run_id, key) if self.durable is not None else None
        if blob is None:
            return None
        try:
            value = kind.model_validate_json(zlib.decompress(blob))
        except (zlib.error, ValueError) as exc:
            raise RunCacheError(f"run {run_id}: {key} in Redis is not a readable {kind.__name__}") from exc
        self.local.put(run_id, key, value)
        return value


_LOCAL = LocalRunData()
_DURABLE: dict[str, RedisRunData] = {}
_DURABLE_LOCK = threading.Lock()


def get_run_cache(settings: Settings) -> RunCache:
    """The run cache of this process: its one in-process layer, over Redis when `settings.redis_url` is set."""
    if settings.redis_url is None:
        return RunCache(_LOCAL)
    url = settings.redis_url.get_secret_value()
    with _DURABLE_LOCK:
        durable = _DURABLE.get(url)
        if durable is None:
            durable = _DURABLE[url] = RedisRunData(url)
    return RunCache(_LOCAL, durable)
