"""One shard = one account in one region (tools/aws/shard.py), and the in-process executor over an organization
whose one member refuses the role: that member's shards fail alone, the others complete (moto in-process)."""

from __future__ import annotations

import threading
import time

import pytest
from moto import mock_aws

from tests.aws.test_accounts import refuse_role_of
from tests.executors.org_fleet import CALLER, CPU_DAYS, REGIONS, TODAY, create_members, seed_account
from tools.aws.org import AccountSessions, CallLimits
from tools.aws.s3 import S3CostCollector
from tools.aws.shard import Shard, ShardResult, collect_shard, merge_shards
from tools.executors import InProcessExecutor
from tools.pricing.book import PriceBook
from tools.settings import load_settings

REGIONAL_CALLS = {
    "autoscaling:DescribeAutoScalingGroups", "cloudwatch:GetMetricData", "ec2:DescribeAddresses", "ec2:DescribeImages",
    "ec2:DescribeInstances", "ec2:DescribeNatGateways", "ec2:DescribeSnapshots", "ec2:DescribeVolumes",
    "lambda:ListFunctions", "rds:DescribeDBInstances", "rds:DescribeDBSnapshots",
}


@pytest.fixture
def org(monkeypatch):
    """The caller (management) and three members, each planted with its fleet: (member ids, planted ids)."""
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # 1,300 AMIs per account and region otherwise
    with mock_aws():
        members = create_members(3)
        planted = {a: seed_account(a, cpu=2.0 + i) for i, a in enumerate([CALLER, *members])}
        yield members, planted


def calls(result: ShardResult) -> dict[str, int]:
    return {f"{c.service}:{c.operation}:{c.region}": c.calls for c in result.api_calls if c.outcome == "ok"}


def test_a_shard_reads_one_account_in_one_region_and_marks_every_resource(org):
    members, planted = org
    settings = load_settings(collection_concurrency=4)
    sessions = AccountSessions(settings)
    shard = Shard(account_id=members[0], region="eu-west-1")
    result = collect_shard(shard, settings, "run-1", today=TODAY, sessions=sessions, limits=CallLimits(4))
    instance, volume = planted[members[0]]["eu-west-1"]
    assert (result.shard, result.run_id, result.errors, result.missing) == (shard, "run-1", [], [])
    by_id = {r.resource_id: r for r in result.resources}
    assert {r.attributes["account_id"] for r in result.resources} == {members[0]}
    root = by_id[instance].attributes["volume_ids"][0]
    assert sorted(by_id) == sorted([instance, volume, root])  # nothing of the caller's or another member's
    assert (by_id[instance].monthly_cost, by_id[volume].monthly_cost, by_id[root].monthly_cost) == (78.11, 11.0, 0.88)
    cpu = by_id[instance].utilization["cpu"]
    assert (cpu.average, cpu.maximum, cpu.days) == (3.0, 3.0, CPU_DAYS)
    assert calls(result) == {**{f"{c}:eu-west-1": 1 for c in REGIONAL_CALLS},
                             "s3:ListBuckets:us-east-1": 1, "s3:GetBucketLocation:us-east-1": 1}
    sent = result.model_dump_json()  # a worker sends it back as JSON
    assert ShardResult.model_validate_json(sent).model_dump_json() == sent
    assert sessions.factory.ledger.by_operation() == {"sts:AssumeRole": 1, "sts:GetCallerIdentity": 1}


def test_a_member_refusing_the_role_fails_its_shards_alone(org):
    members, planted = org
    settings = load_settings(collection_concurrency=2, executor_concurrency=4, executor_shards_per_account=1)
    sessions = AccountSessions(settings)
    refuse_role_of(sessions, members[1])
    shards = [Shard(account_id=a, region=r) for a in [CALLER, *members] for r in REGIONS]
    steps: list[tuple[str, int, int]] = []
    executor = InProcessExecutor(settings, sessions=sessions, limits=CallLimits(4))
    results = executor.run(shards, "run-2", today=TODAY, progress=lambda *step: steps.append(step))
    assert [r.shard for r in results] == shards
    assert steps[-1] == ("shards", 8, 8) and len(steps) == 8
    assert dict(executor.peak_per_account) == {a: 1 for a in [CALLER, *members]}
    refused = [r for r in results if r.shard.account_id == members[1]]
    assert [(e.scope, e.code) for r in refused for e in r.errors] == [(f"account/{members[1]}", "AccessDenied")] * 2
    assert [r.resources for r in refused] == [[], []]
    for r in results:
        if r.shard.account_id == members[1]:
            continue
        seeded = planted[r.shard.account_id][r.shard.region]
        assert r.errors == [] and {x.attributes["account_id"] for x in r.resources} == {r.shard.account_id}
        assert set(seeded) <= {x.resource_id for x in r.resources}
    merged = merge_shards(results, account_id=CALLER)
    assert [(e.scope, e.code) for e in merged.errors] == [(f"account/{members[1]}", "AccessDenied")]
    assert merged.partial and merged.regions == REGIONS and merged.account_id == CALLER
    assert len(merged.resources) == sum(len(r.resources) for r in results) == 3 * (4 + 3)  # each region's instance has a root volume
    described = {(c.region, c.calls) for c in merged.api_calls if (c.service, c.operation) == ("ec2", "DescribeInstances")}
    assert described == {("us-east-1", 3), ("eu-west-1", 3)}


def test_requests_in_flight_are_bounded_per_account_region_and_api(org):
    settings = load_settings(collection_concurrency=8)
    sessions = AccountSessions(settings)
    limits = CallLimits(2)
    factory = sessions.factory_for(CALLER, limits)
    for i in range(7):
        factory.client("s3", "us-east-1").create_bucket(Bucket=f"extra-{i}")
    in_flight, peak, lock = [0], [0], threading.Lock()

    def slow(**_):
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(0.02)
        with lock:
            in_flight[0] -= 1

    factory.client("s3", "us-east-1").meta.events.register_first("before-send.s3.*", slow)
    buckets = S3CostCollector(factory, PriceBook.load(), settings).collect_bucket_costs(["us-east-1"])
    assert len(buckets) == 8 and peak[0] == 2  # 8 threads read the buckets, 2 requests at a time
    assert limits.keys() == [(CALLER, "us-east-1", "s3")]
