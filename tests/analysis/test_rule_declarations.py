"""What each rule declares is what it reads: every metric, price method and setting a rule touches while it judges
one small account (one resource per finding type) is in its declaration, and every declared one is touched."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

import pytest

from agent.analysis.rules import DataNeed, Rule, registry
from tools.models import Resource

GIB = 1024**3


class SeenUtilization(dict):
    """A resource's utilization that notes every key asked for."""

    def __init__(self, data: dict, seen: set[str]) -> None:
        super().__init__(data)
        self.seen = seen

    def get(self, key, default=None):
        self.seen.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.seen.add(key)
        return super().__getitem__(key)


class Watched:
    """Settings or prices that note every attribute asked for (`base` is the list book, watched the same way)."""

    def __init__(self, target: Any, seen: set[str]) -> None:
        self._target, self._seen = target, seen

    def __getattr__(self, name: str) -> Any:
        if name == "base":
            return Watched(self._target.base, self._seen)
        self._seen.add(name)
        return getattr(self._target, name)


def _account(build) -> list[Resource]:
    s, i, v = build.series, build.instance, build.volume
    old = (build.NOW - timedelta(days=180)).isoformat()

    def res(rid: str, kind, service: str, **kw) -> Resource:
        return Resource(resource_id=rid, kind=kind, service=service, region="us-east-1", **kw)

    def fn(rid: str, memory: int, errors: float, used: float | None) -> Resource:
        util = {"invocations": s([20_000.0] * 14), "errors": s([errors] * 14), "duration": s([120.0] * 14)}
        if used is not None:
            util["memory_used_max"] = s([used] * 14)
        return res(rid, "lambda_function", "Lambda", utilization=util,
                   attributes={"memory_mb": memory, "architecture": "x86_64"})

    def rds(rid: str, cls: str, multi: bool, env: str, peak: float) -> Resource:
        return res(rid, "rds_instance", "RDS", resource_type=cls, state="available", tags={"env": env},
                   utilization={"connections": s([peak] * 14)},
                   attributes={"engine": "postgres", "multi_az": multi, "allocated_storage_gb": 100})

    idle, older = i("i-idle", "m5.large", cpu=1, cpu_max=3, net_bytes=0.2 * build.MB), i("i-old", "m4.large")
    sized = i("i-right", "m5.2xlarge", cpu=11.8, cpu_max=15, memory_gib=32)
    sized.utilization["mem_max"] = s([30.0] * 14, statistic="Maximum")  # the CloudWatch agent measures memory
    for instance in (idle, older):
        instance.utilization["cpu_samples"] = s([288.0] * 14, statistic="SampleCount")
    stopped = i("i-stop", "m5.large", state="stopped", days=0)
    stopped.utilization["cpu"] = s([])  # measured, no datapoint in the lookback: stopped all of it
    return [  # volumes with provisioned IOPS, so every EBS price method is asked
        idle, sized, older, i("i-spot", "m5.large", tags={"env": "dev"}), i("i-sp", "m5.large"),
        stopped,
        v("vol-root", "gp3", 20, attached_to="i-stop", iops=4000), v("vol-io", "io1", 400, attached_to="i-sp",
                                                                     iops=5000),
        v("vol-orphan", "io1", 50, attached_to=None, iops=1000),
        res("snap-old", "ebs_snapshot", "EBS", attributes={"size_gb": 100, "start_time": old}),
        res("rds-snap", "rds_snapshot", "RDS", attributes={"size_gb": 20, "snapshot_create_time": old}),
        res("eipalloc-1", "elastic_ip", "VPC", attributes={"association_id": None}),
        res("nat-1", "nat_gateway", "VPC", state="available",
            utilization={"bytes_out": s([0.0] * 14), "bytes_in": s([0.0] * 14)}),
        rds("db-idle", "db.t3.medium", False, "prod", 0.0), rds("db-maz", "db.r5.large", True, "staging", 12.0),
        rds("db-ri", "db.m5.large", False, "prod", 60.0),
        fn("fn-mem", 2048, 10.0, 300.0), fn("fn-err", 512, 4_000.0, None),
        res("bucket-lc", "s3_bucket", "S3", attributes={"lifecycle_rules": 0},
            utilization={"size_standard": s([220.0 * GIB] * 14), "objects": s([1000.0] * 14)}),
        res("bucket-up", "s3_bucket", "S3", utilization={"size_standard": s([20.0 * GIB] * 14)},
            attributes={"lifecycle_rules": 1, "incomplete_uploads": 3, "incomplete_parts_gb": 0.5,
                        "incomplete_upload_oldest": "2010-11-10T00:00:00Z"}),
    ]


def _reads(rule: Rule, analyzer, build) -> dict[str, set[str]]:
    """{'metrics', 'prices', 'settings'} -> what the rule read over the account, asked as the engine asks it."""
    resources = _account(build)
    ctx = analyzer._context(build.collection(resources))
    seen: dict[str, set[str]] = defaultdict(set)
    object.__setattr__(ctx, "settings", Watched(ctx.settings, seen["settings"]))
    object.__setattr__(ctx, "prices", Watched(ctx.prices, seen["prices"]))
    hits = []
    for resource in (r for r in resources if rule.applies_to(r)):
        resource.utilization = SeenUtilization(resource.utilization, seen["metrics"])
        unmet = [need.shortfall(resource, ctx) if isinstance(need, DataNeed) else need.missing(resource, ctx)
                 for need in rule.needs]
        hit = rule.evaluate(resource, ctx) if all(u is None for u in unmet) else None
        hits += [hit] if hit is not None else []
    assert hits, f"{rule.name} found nothing in the account: too little of it was asked to check"
    if rule.settle is not None:
        rule.settle(hits, ctx)
    return seen


@pytest.mark.parametrize("rule", registry.rules(), ids=lambda r: r.name)
def test_a_rule_reads_exactly_what_it_declares(rule, analyzer, build):
    seen = _reads(rule, analyzer, build)
    assert seen["metrics"] == {m.key for m in rule.metrics}
    assert seen["prices"] == set(rule.prices)
    assert seen["settings"] == set(rule.thresholds)
