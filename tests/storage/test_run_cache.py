"""The run cache: live objects in this process (no service needed), the same data in Redis when configured, so
a run's step after a restart reads what the step before put."""

from __future__ import annotations

import uuid
import zlib
from datetime import UTC, date, datetime

import pytest
import redis

from tools.models import CollectionResult, MetricSummary, Resource
from tools.settings import load_settings
from tools.storage.run_cache import (
    PREFIX,
    LocalRunData,
    RedisRunData,
    RunCache,
    RunCacheError,
    RunDataMissing,
    get_run_cache,
)


def _collection() -> CollectionResult:
    cpu = MetricSummary(metric="CPUUtilization", statistic="Average", daily={date(2026, 11, 20): 1.5},
                        average=1.5, maximum=1.5, days=1, insufficient=True)
    instance = Resource(resource_id="i-0abc", kind="ec2_instance", service="Amazon Elastic Compute Cloud - Compute",
                        region="us-east-1", resource_type="m5.large", attributes={"launch_time": "2026-01-02"},
                        monthly_cost=70.08, utilization={"cpu": cpu})
    return CollectionResult(collected_at=datetime(2026, 11, 24, 6, 0, tzinfo=UTC), regions=["us-east-1"],
                            resources=[instance], missing=["forecast: NotImplemented"])


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_this_process_hands_back_the_object_it_was_given() -> None:
    cache = RunCache(LocalRunData())
    collection = _collection()
    cache.put("run-1", "collection", collection)
    assert cache.get("run-1", "collection", CollectionResult) is collection  # validated once, never re-parsed
    cache.drop("run-1")
    with pytest.raises(RunDataMissing, match=r"^run run-1: no collection in this process \(set REDIS_URL"):
        cache.get("run-1", "collection", CollectionResult)


def test_a_run_expires_a_ttl_after_its_last_write() -> None:
    clock = Clock()
    local = LocalRunData(ttl_seconds=60, clock=clock)
    local.put("old", "collection", _collection())
    clock.now += 50
    local.put("new", "collection", _collection())
    assert local.runs() == ["new", "old"]
    clock.now += 10
    assert local.runs() == ["new"]
    assert local.get("old", "collection") is None


def test_a_value_of_another_kind_is_an_error() -> None:
    cache = RunCache(LocalRunData())
    cache.put("run-2", "analysis", _collection())
    with pytest.raises(RunCacheError, match="^run run-2: analysis is a CollectionResult, not a Resource$"):
        cache.get("run-2", "analysis", Resource)


def test_redis_keeps_the_run_for_a_new_process(redis_url) -> None:
    run_id = f"test-{uuid.uuid4().hex}"
    collection = _collection()
    RunCache(LocalRunData(), RedisRunData(redis_url, ttl_seconds=600)).put(run_id, "collection", collection)
    client = redis.Redis.from_url(redis_url)
    blob = client.hget(PREFIX + run_id, "collection")
    assert CollectionResult.model_validate_json(zlib.decompress(blob)) == collection
    assert 590 <= client.ttl(PREFIX + run_id) <= 600
    restarted = RunCache(LocalRunData(), RedisRunData(redis_url, ttl_seconds=600))  # nothing in this process
    loaded = restarted.get(run_id, "collection", CollectionResult)
    assert loaded == collection and loaded is not collection
    assert restarted.get(run_id, "collection", CollectionResult) is loaded  # parsed once, then kept here
    restarted.drop(run_id)
    assert client.exists(PREFIX + run_id) == 0
    with pytest.raises(RunDataMissing, match=f"^run {run_id}: no collection in this process nor in Redis;"):
        restarted.get(run_id, "collection", CollectionResult)


def test_an_unreachable_redis_fails_the_write_after_this_process_kept_the_value() -> None:
    cache = RunCache(LocalRunData(), RedisRunData("redis://127.0.0.1:9/0"))  # nothing listens on port 9
    collection = _collection()
    with pytest.raises(RunCacheError, match=r"^run run-3: collection not written to Redis \(ConnectionError: "):
        cache.put("run-3", "collection", collection)
    assert cache.get("run-3", "collection", CollectionResult) is collection
    cache.drop("run-3")  # the entries would expire in Redis: no error
    with pytest.raises(RunCacheError, match=r"^run run-3: cannot read collection from Redis \(ConnectionError: "):
        cache.get("run-3", "collection", CollectionResult)


def test_the_process_shares_one_local_layer_over_redis_when_configured(redis_url) -> None:
    plain = get_run_cache(load_settings(redis_url=None))
    durable = get_run_cache(load_settings(redis_url=redis_url))
    assert (plain.durable, type(durable.durable)) == (None, RedisRunData)
    assert plain.local is durable.local
    assert get_run_cache(load_settings(redis_url=redis_url)).durable is durable.durable
