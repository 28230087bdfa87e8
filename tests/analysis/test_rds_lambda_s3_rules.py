"""RDS, Lambda and S3 rules at, below and above their thresholds; RI coverage netting."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tools.models import BilledUsage, PriceSheet, PurchaseRecommendation, Resource, TimePeriod

GIB = 1024**3


def run(analyzer, build, *resources, **extra):
    return analyzer.analyze_all_services(build.collection(list(resources), **extra))


def db(build, *, days: int = 14, peak: float = 5.0, multi_az: bool = False, env: str = "prod") -> Resource:
    util = {"connections": build.series([peak] * days, statistic="Maximum")} if days else {}
    return Resource(resource_id="db-1", kind="rds_instance", service="RDS", region="us-east-1",
                    resource_type="db.m5.large", state="available", tags={"env": env}, utilization=util,
                    attributes={"engine": "postgres", "multi_az": multi_az, "allocated_storage_gb": 100,
                                "storage_type": "gp2"})


def test_idle_database(analyzer, build):
    found = build.findings(run(analyzer, build, db(build, peak=0, multi_az=True, env="dev")))
    assert list(found) == [("idle_database", "db-1")]   # idle excludes multi_az
    f = found[("idle_database", "db-1")]
    assert (f.monthly_cost, f.estimated_savings, f.confidence) == (282.88, 282.88, 0.9)
    assert f.evidence["arithmetic"] == ("730 h x $0.3560/h + 100 GB x $0.2300/GB-month = "
                                        "$259.88 + $23.00 = $282.88")


def test_idle_database_needs_14_days(analyzer, build):
    result = run(analyzer, build, db(build, days=13, peak=0))
    assert result.opportunities == []
    assert result.insufficient_data == [{"resource_id": "db-1", "region": "us-east-1", "kind": "rds_instance",
                                         "metric": "connections", "days": 13, "needed": 14}]


def test_multi_az_outside_production_excludes_reserved(analyzer, build):
    found = build.findings(run(analyzer, build, db(build, multi_az=True, env="staging")))
    assert list(found) == [("multi_az", "db-1")]
    f = found[("multi_az", "db-1")]
    assert (f.monthly_cost, f.estimated_savings, f.confidence) == (282.88, 141.44, 0.8)


def test_reserved_instance_from_aws_purchase_advice(analyzer, build):
    plain = build.findings(run(analyzer, build, db(build)))[("reserved_instance", "db-1")]
    assert (plain.monthly_cost, plain.estimated_savings, plain.confidence) == (141.44, 51.98, 0.75)
    assert plain.evidence["arithmetic"] == "AWS's $103.96 a month for 2 instance(s) / 2 = $51.98"
    assert plain.evidence["aws_purchase_recommendation"]["break_even_months"] == 7.5
    assert "breaks even in 7.5 months" in plain.recommendation


def test_reserved_instances_never_outnumber_aws_advice_and_the_own_account_comes_first(analyzer, build):
    # AWS advises 2 reservations; 3 matching databases: the caller's own (no account attribute, then its id) first,
    # a member's after it; the third is not listed. Together they claim AWS's $103.96, never more.
    own = db(build)
    member_a = db(build).model_copy(update={"resource_id": "db-a", "attributes": {**own.attributes,
                                                                                  "account_id": "222222222222"}})
    member_b = db(build).model_copy(update={"resource_id": "db-b", "attributes": {**own.attributes,
                                                                                  "account_id": "333333333333"}})
    found = build.findings(run(analyzer, build, member_b, own, member_a))
    reserved = {rid: f for (kind, rid), f in found.items() if kind == "reserved_instance"}
    assert sorted(reserved) == ["db-1", "db-a"]
    assert sum(f.estimated_savings for f in reserved.values()) == 103.96
    assert reserved["db-1"].evidence["allocated"] == (
        "AWS recommends 2 reservation(s) for db.m5.large in us-east-1; 3 databases match, the first 2 (own account "
        "first, then the largest) are listed")


@pytest.mark.parametrize("advice", [
    [],  # AWS recommends nothing: no purchase suggested, never a fixed discount
    [PurchaseRecommendation(kind="reserved_instance", service="RDS", region="us-east-1", instance_type="db.m5.large",
                            engine="MySQL", deployment="Single-AZ", count=1, estimated_monthly_savings=50.0)],
    [PurchaseRecommendation(kind="reserved_instance", service="RDS", region="eu-west-1", instance_type="db.m5.large",
                            engine="PostgreSQL", deployment="Single-AZ", count=1, estimated_monthly_savings=50.0)],
    [PurchaseRecommendation(kind="reserved_instance", service="RDS", region="us-east-1", instance_type="db.m5.large",
                            engine="PostgreSQL", deployment="Multi-AZ", count=1, estimated_monthly_savings=50.0)],
])
def test_no_reserved_instance_without_matching_advice(analyzer, build, advice):
    assert build.findings(run(analyzer, build, db(build), purchase_recommendations=advice)) == {}


def test_reserved_instance_needs_min_days(analyzer, build):
    result = run(analyzer, build, db(build, days=6))
    assert result.opportunities == []
    assert result.insufficient_data[0]["needed"] == 7 and result.insufficient_data[0]["days"] == 6


def function(build, *, error_days: dict[int, float] | None = None, calls: float = 1_000_000,
             memory_used: float | None = None, memory_mb: int = 1024) -> Resource:
    """14 days of `calls` a day at 200 ms; error_days maps days-ago (1 = yesterday) -> errors that day."""
    inv = build.series([calls] * 14, statistic="Sum")
    errors = {day: 0.0 for day in inv.daily}
    for ago, count in (error_days or {}).items():
        errors[build.TODAY - timedelta(days=ago)] = count
    err = build.series([errors[d] for d in sorted(errors)], statistic="Sum")
    util = {"invocations": inv, "errors": err, "duration": build.series([200.0] * 14)}
    if memory_used is not None:
        util["memory_used_max"] = build.series([memory_used] * 14, statistic="Maximum")
    return Resource(resource_id="fn-1", kind="lambda_function", service="Lambda", region="us-east-1",
                    utilization=util, attributes={"memory_mb": memory_mb, "architecture": "x86_64"})


@pytest.mark.parametrize(("error_days", "found"), [
    ({1: 200_000}, True),          # 20 % yesterday
    ({7: 100_100}, True),          # 10.01 % seven days ago: inside the last 7 days
    ({8: 500_000}, False),         # 8 days ago: outside
    ({1: 100_000}, False),         # exactly 10 %
])
def test_lambda_errors(analyzer, build, error_days, found):
    hits = build.findings(run(analyzer, build, function(build, error_days=error_days)))
    assert (("lambda_errors", "fn-1") in hits) is found


def test_lambda_errors_need_ten_calls(analyzer, build):
    hits = build.findings(run(analyzer, build, function(build, calls=9, error_days={1: 9})))
    assert hits == {}


def test_lambda_errors_dollars(analyzer, build):
    f = build.findings(run(analyzer, build, function(build, error_days={1: 200_000})))[("lambda_errors", "fn-1")]
    # 30,416,666.67 calls x $0.0000002 = $6.08; x 0.2 s x 1 GB x $0.0000166667 = $101.39 -> $107.47
    assert (f.monthly_cost, f.estimated_savings, f.confidence) == (107.47, 1.54, 0.6)
    assert f.evidence["lookback_error_rate_pct"] == 1.43 and f.evidence["worst_day_error_rate_pct"] == 20.0


@pytest.mark.parametrize(("used", "memory_mb", "savings"), [
    (300.0, 1024, 63.37),    # recommend 384 MB: $101.39 x (1 - 384/1024)
    (307.2, 512, 12.67),     # recommend 384 = exactly 0.75 x 512: $50.69 x 0.25
    (307.3, 512, None),      # recommend 448 > 384
    (None, 1024, None),      # no Lambda Insights: no finding
])
def test_lambda_memory(analyzer, build, used, memory_mb, savings):
    hits = build.findings(run(analyzer, build, function(build, memory_used=used, memory_mb=memory_mb)))
    if savings is None:
        assert ("lambda_memory", "fn-1") not in hits
    else:
        assert hits[("lambda_memory", "fn-1")].estimated_savings == savings
        assert hits[("lambda_memory", "fn-1")].confidence == 0.7


def bucket(build, *, gb: float = 100.0, rules: int = 0, uploads: int = 0, oldest_days: float = 8,
           parts_gb: float = 0.0, abort: bool = False) -> Resource:
    return Resource(resource_id="bucket-1", kind="s3_bucket", service="S3", region="us-east-1",
                    utilization={"size_standard": build.series([gb * GIB] * 14)},
                    attributes={"lifecycle_rules": rules, "has_abort_incomplete_rule": abort,
                                "incomplete_uploads": uploads, "incomplete_parts_gb": parts_gb,
                                "incomplete_upload_oldest": (build.NOW - timedelta(days=oldest_days)).isoformat()})


@pytest.mark.parametrize(("gb", "rules", "savings"), [(100.0, 0, 0.53), (50.0, 0, 0.26), (49.99, 0, None),
                                                      (100.0, 1, None)])
def test_s3_lifecycle(analyzer, build, gb, rules, savings):
    hits = build.findings(run(analyzer, build, bucket(build, gb=gb, rules=rules)))
    if savings is None:
        assert hits == {}
    else:
        f = hits[("s3_lifecycle", "bucket-1")]
        assert (f.estimated_savings, f.monthly_cost, f.confidence) == (savings, round(gb * 0.023, 2), 0.5)


@pytest.mark.parametrize(("oldest", "abort", "parts", "expected"), [
    (8, False, 10.0, 0.23), (8, False, 0.0, 0.0), (7, False, 10.0, None), (8, True, 10.0, None),
])
def test_s3_incomplete_uploads(analyzer, build, oldest, abort, parts, expected):
    res = bucket(build, gb=1, rules=1, uploads=3, oldest_days=oldest, abort=abort, parts_gb=parts)
    hits = build.findings(run(analyzer, build, res))
    if expected is None:
        assert hits == {}
    else:
        f = hits[("s3_incomplete_uploads", "bucket-1")]
        assert (f.estimated_savings, f.monthly_cost, f.confidence) == (expected, expected, 0.9)


@pytest.mark.parametrize(("tags", "flagged"), [
    ({"Environment": "production"}, False), ({"ENV": "Prod"}, False), ({"stage": "prd"}, False),
    ({"tier": "live"}, False), ({}, False),  # untagged: not known to be non-production, so not told to drop it
    ({"Environment": "Staging"}, True), ({"env": "dev"}, True), ({"stage": "uat"}, True),
    ({"environment": "production", "env": "dev"}, True),  # the first key the settings list (env) decides
])
def test_multi_az_only_outside_production_by_any_common_tag_spelling(analyzer, build, tags, flagged):
    resource = db(build, multi_az=True).model_copy(update={"tags": tags})
    found = build.findings(run(analyzer, build, resource))
    assert (("multi_az", "db-1") in found) is flagged


def test_environment_tags_are_configurable(build):
    from agent.analysis import AWSCostAnalyzer
    from tools.pricing.book import PriceBook
    from tools.settings import load_settings

    custom = AWSCostAnalyzer(load_settings(production_tag_keys="lifecycle", non_production_tag_values="ephemeral"),
                             PriceBook.load())
    resource = db(build, multi_az=True).model_copy(update={"tags": {"Lifecycle": "Ephemeral", "env": "prod"}})
    assert ("multi_az", "db-1") in build.findings(run(custom, build, resource))


@pytest.mark.parametrize(("objects", "savings"), [
    (1_000, 0.52),        # 100 MB objects: 100 GB x 0.5 x (0.023 - 0.0125) = 0.525 - 500 transitions ($0.0004 a month)
    (200_000, 0.44),      # 512 KB objects: 0.525 - 100,000 x $0.01/1,000 / 12 = 0.525 - 0.0833
    (700_000, 0.23),      # 150 KB objects: 0.525 - 350,000 x $0.01/1,000 / 12 = 0.525 - 0.2917
    (800_000, 0.19),      # 131 KB objects: 0.525 - 400,000 x $0.01/1,000 / 12 = 0.525 - 0.3333
    (1_000_000, None),    # 105 KB objects: under Standard-IA's 128 KB minimum, no saving exists
])
def test_s3_lifecycle_counts_object_size_and_transition_fees(analyzer, build, objects, savings):
    resource = bucket(build, gb=100.0)
    resource.utilization["objects"] = build.series([float(objects)] * 14)
    hits = build.findings(run(analyzer, build, resource))
    if savings is None:
        assert ("s3_lifecycle", "bucket-1") not in hits
        return
    assert hits[("s3_lifecycle", "bucket-1")].estimated_savings == savings


def test_s3_lifecycle_skipped_when_transitions_cost_more_than_the_saving(analyzer, build):
    # billed Standard at $0.01/GB-month: IA at the same discount 0.01 x 0.0125/0.023; saving 100 x 0.5 x 0.00457 =
    # $0.228 a month < 400,000 transitions x $0.01/1,000 / 12 = $0.333
    resource = bucket(build, gb=100.0)
    resource.utilization["objects"] = build.series([800_000.0] * 14)
    sheet = PriceSheet(period=TimePeriod(start=build.TODAY - timedelta(days=30), end=build.TODAY - timedelta(days=1)),
                       billed=[BilledUsage(usage_type="TimedStorage-ByteHrs", operation="StandardStorage",
                                           quantity=1000.0, unit="GB-Mo", cost=10.0)])
    assert ("s3_lifecycle", "bucket-1") not in build.findings(run(analyzer, build, resource, price_sheet=sheet))
