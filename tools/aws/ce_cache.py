"""Cost Explorer answers cached for an hour, keyed by the normalized request: Redis when set, else disk."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Any, Protocol

from tools.settings import Settings

log = logging.getLogger(__name__)
PREFIX = "optiinfra:ce:"


def cache_key(operation: str, params: dict[str, Any], scope: str = "") -> str:
    """Same request to the same account and endpoint -> same key, whatever the order of its parameters."""
    text = json.dumps({"scope": scope, "operation": operation, "params": params}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class Cache(Protocol):
    def get(self, key: str) -> Any | None: ...
    def set(self, key: str, value: Any) -> None: ...


class DiskCache:
    """One JSON file per key under `directory`; an entry older than `ttl_seconds` is a miss."""

    def __init__(self, directory: Path, ttl_seconds: int, clock=time.time) -> None:
        self.directory = Path(directory)
        self.ttl = ttl_seconds
        self._clock = clock

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def get(self, key: str) -> Any | None:
        path = self._path(key)
        try:
            entry = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        if self._clock() - entry.get("stored_at", 0) >= self.ttl:
            return None
        return entry.get("value")

    def set(self, key: str, value: Any) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self._path(key).with_suffix(".tmp")
        tmp.write_text(json.dumps({"stored_at": self._clock(), "value": value}, default=str))
        tmp.replace(self._path(key))  # atomic: a concurrent reader sees the old entry or the new one


class RedisCache:
    """Values as JSON with Redis's own expiry; a Redis failure is a miss, never a failed collection."""

    def __init__(self, url: str, ttl_seconds: int) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.ttl = ttl_seconds

    def get(self, key: str) -> Any | None:
        try:
            raw = self.client.get(PREFIX + key)
        except Exception as exc:  # the cache is an optimisation; an outage must not stop collection
            log.warning("Redis cache unavailable (%s): reading Cost Explorer", type(exc).__name__)
            return None
        return json.loads(raw) if raw else None

    def set(self, key: str, value: Any) -> None:
        if self.ttl <= 0:
            return
        try:
            self.client.set(PREFIX + key, json.dumps(value, default=str), ex=self.ttl)
        except Exception as exc:
            log.warning("Redis cache unavailable (%s): answer not cached", type(exc).__name__)


def make_cache(settings: Settings) -> Cache:
    """Redis when `REDIS_URL` is set, otherwise files under the data directory."""
    if settings.redis_url is not None:
        return RedisCache(settings.redis_url.get_secret_value(), settings.ce_cache_ttl_seconds)
    return DiskCache(settings.data_dir / "ce-cache", settings.ce_cache_ttl_seconds)
