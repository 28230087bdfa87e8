"""One small account with one planted resource per opportunity type: every type found once, nothing else."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import get_args

from tools.models import OpportunityType, Resource

GIB = 1024**3


def _other_resources(build) -> list[Resource]:
    s = build.series
    old = (build.NOW - timedelta(days=180)).isoformat()

    def res(rid: str, kind, service: str, **kw) -> Resource:
        return Resource(resource_id=rid, kind=kind, service=service, region="us-east-1", **kw)

    def fn(rid: str, memory: int, errors: float, used: float | None):
        util = {"invocations": s([20_000.0] * 14), "errors": s([errors] * 14), "duration": s([120.0] * 14)}
        if used is not None:
            util["memory_used_max"] = s([used] * 14)
        return res(rid, "lambda_function", "Lambda", utilization=util,
                   attributes={"memory_mb": memory, "architecture": "x86_64"})

    def rds(rid: str, cls: str, multi: bool, env: str, peak: float):
        return res(rid, "rds_instance", "RDS", resource_type=cls, state="available", tags={"env": env},
                   utilization={"connections": s([peak] * 14)},
                   attributes={"engine": "postgres", "multi_az": multi, "allocated_storage_gb": 100})

    return [
        res("snap-old", "ebs_snapshot", "EBS", attributes={"size_gb": 100, "start_time": old}),
        res("rds-snap", "rds_snapshot", "RDS", attributes={"size_gb": 20, "snapshot_create_time": old}),
        res("eipalloc-1", "elastic_ip", "VPC", attributes={"association_id": None}),
        res("nat-1", "nat_gateway", "VPC", state="available",
            utilization={"bytes_out": s([0.0] * 14), "bytes_in": s([0.0] * 14)}),
        rds("db-idle", "db.t3.medium", False, "prod", 0.0), rds("db-maz", "db.r5.large", True, "staging", 12.0),
        rds("db-ri", "db.m5.large", False, "prod", 60.0),
        fn("fn-mem", 2048, 10.0, 300.0), fn("fn-err", 512, 4_000.0, None),
        res("bucket-lc", "s3_bucket", "S3", utilization={"size_standard": s([220.0 * GIB] * 14)},
            attributes={"lifecycle_rules": 0}),
        res("bucket-up", "s3_bucket", "S3", utilization={"size_standard": s([20.0 * GIB] * 14)},
            attributes={"lifecycle_rules": 1, "incomplete_uploads": 3, "incomplete_parts_gb": 0.5,
                        "incomplete_upload_oldest": "2010-11-10T00:00:00Z"}),
    ]


def account(build):
    i, v = build.instance, build.volume
    ec2 = [
        i("i-idle", "m5.large", cpu=1, cpu_max=3, net_bytes=0.2 * build.MB),
        i("i-right", "m5.2xlarge", cpu=11.8, cpu_max=15), i("i-spot", "m5.large", tags={"env": "dev"}),
        i("i-sp", "m5.large"), i("i-old", "m4.large"), i("i-stop", "m5.large", state="stopped", days=0),
        i("i-new", "m5.large", days=3),
        v("vol-root", "gp3", 20, attached_to="i-stop"), v("vol-gp2", "gp2", 200, attached_to="i-sp"),
        v("vol-orphan", "gp3", 50, attached_to=None),
    ]
    return build.collection(ec2 + _other_resources(build))


EXPECTED = {
    ("idle_resource", "i-idle"): 70.08, ("idle_resource", "i-stop"): 1.6, ("rightsizing", "i-right"): 210.24,
    ("spot_migration", "i-spot"): 24.53, ("savings_plan", "i-sp"): 19.62, ("previous_generation", "i-old"): 2.92,
    ("volume_type_upgrade", "vol-gp2"): 4.0, ("unattached_volume", "vol-orphan"): 4.0,
    ("old_snapshot", "snap-old"): 5.0, ("old_snapshot", "rds-snap"): 1.9, ("unused_elastic_ip", "eipalloc-1"): 3.65,
    ("idle_nat_gateway", "nat-1"): 32.85, ("idle_database", "db-idle"): 64.06, ("multi_az", "db-maz"): 194.0,
    ("reserved_instance", "db-ri"): 51.98, ("lambda_memory", "fn-mem"): 1.98,
    ("lambda_errors", "fn-err"): 0.15, ("s3_lifecycle", "bucket-lc"): 1.16, ("s3_incomplete_uploads", "bucket-up"): 0.01,
}


def test_every_type_found_once_with_evidence(analyzer, build, report_checker):
    report = analyzer.generate_summary_report(account(build))
    report_checker(json.loads(report.model_dump_json()))
    found = {(o.type, f.resource_id): f for o in report.opportunities for f in o.resources}
    assert {t for t, _ in found} == set(get_args(OpportunityType))
    assert set(found) == set(EXPECTED)
    for key, f in found.items():
        assert f.estimated_savings == EXPECTED[key], key
        assert 0 <= f.estimated_savings <= f.monthly_cost
        assert f.evidence["price_source"].startswith("price book "), key
        assert "=" in f.evidence["arithmetic"] and f.recommendation, key
    assert [x["resource_id"] for x in report.insufficient_data] == ["i-new"]
    # every resource once: the sum of all findings, since no resource has two findings here
    assert report.savings.total == round(sum(EXPECTED.values()), 2) == 693.73
    levers = {"reserved_instance", "savings_plan", "spot_migration"}
    lever_sum = round(sum(v for (t, _), v in EXPECTED.items() if t in levers), 2)
    assert (report.savings.pricing_levers, report.total_waste) == (lever_sum, round(693.73 - lever_sum, 2))
    assert report.savings.merged == [] and report.savings.found == 693.73
