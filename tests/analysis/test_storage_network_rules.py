"""EBS, snapshot and network rules at, below and above their thresholds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tools.models import Resource


def run(analyzer, build, *resources):
    return analyzer.analyze_all_services(build.collection(list(resources)))


def test_unattached_volume_excludes_type_upgrade(analyzer, build):
    result = run(analyzer, build, build.volume("vol-u", "gp2", 100, attached_to=None))
    found = build.findings(result)
    assert list(found) == [("unattached_volume", "vol-u")]
    f = found[("unattached_volume", "vol-u")]
    assert (f.monthly_cost, f.estimated_savings, f.confidence) == (10.0, 10.0, 0.95)
    assert f.evidence["arithmetic"] == "100 GB x $0.1000/GB-month = $10.00"


def test_gp2_to_gp3_under_334_gb_is_storage_only(analyzer, build):
    f = build.findings(run(analyzer, build, build.volume("vol-g", "gp2", 200)))[("volume_type_upgrade", "vol-g")]
    # 600 IOPS and ~128 MiB/s: gp3's free 3,000 IOPS and 125 MiB/s match them
    assert (f.monthly_cost, f.estimated_savings, f.confidence) == (20.0, 4.0, 0.9)
    assert f.evidence["arithmetic"] == ("(200 GB x $0.1000/GB-month) - (200 GB x $0.0800/GB-month) "
                                        "= $20.00 - $16.00 = $4.00")
    assert (f.evidence["gp3_iops"], f.evidence["gp3_throughput_mibs"]) == (600, 125)


@pytest.mark.parametrize(("size", "iops", "mibs", "savings"), [
    (500, 1500, 250, 5.0),     # 50 - (40 + 125 MiB/s x 0.04)
    (2000, 6000, 250, 20.0),   # 200 - (160 + 3,000 IOPS x 0.005 + 125 MiB/s x 0.04): half the naive $40
    (6000, 16000, 250, 50.0),  # 600 - (480 + 13,000 x 0.005 + 5)
])
def test_large_gp2_volumes_need_gp3_iops_and_throughput_to_match(analyzer, build, size, iops, mibs, savings):
    f = build.findings(run(analyzer, build, build.volume("vol-g", "gp2", size)))[("volume_type_upgrade", "vol-g")]
    assert (f.evidence["gp3_iops"], f.evidence["gp3_throughput_mibs"], f.estimated_savings) == (iops, mibs, savings)


@pytest.mark.parametrize(("iops", "savings"), [(16000, 1005.0), (16001, None), (3000, 225.0)])
def test_io1_to_gp3_up_to_16000_iops(analyzer, build, iops, savings):
    # io1 16,000 IOPS: 1000 x 0.125 + 16000 x 0.065 = 1165; gp3 at 16,000 IOPS and 500 MiB/s:
    # 1000 x 0.08 + 13000 x 0.005 + 375 x 0.04 = 160
    vol = build.volume("vol-io", "io1", 1000, iops=iops)
    found = build.findings(run(analyzer, build, vol))
    if savings is None:
        assert found == {}
        return
    io_cost = 1000 * 0.125 + iops * 0.065
    gp3_cost = 1000 * 0.08 + max(0, iops - 3000) * 0.005 + (500 - 125) * 0.04
    assert round(io_cost - gp3_cost, 2) == savings
    f = found[("volume_type_upgrade", "vol-io")]
    assert (f.monthly_cost, f.estimated_savings) == (round(io_cost, 2), savings)


def snapshot(sid: str, age: timedelta, build, kind: str = "ebs_snapshot", size: int = 100) -> Resource:
    key = "start_time" if kind == "ebs_snapshot" else "snapshot_create_time"
    service = "EBS" if kind == "ebs_snapshot" else "RDS"
    return Resource(resource_id=sid, kind=kind, service=service, region="us-east-1",
                    attributes={"size_gb": size, key: (build.NOW - age).isoformat()})


@pytest.mark.parametrize(("age", "found"), [
    (timedelta(days=90), False), (timedelta(days=90, seconds=1), True), (timedelta(days=89), False),
])
def test_old_snapshot_age(analyzer, build, age, found):
    result = run(analyzer, build, snapshot("snap-1", age, build))
    assert (("old_snapshot", "snap-1") in build.findings(result)) is found


def test_old_snapshot_prices(analyzer, build):
    result = run(analyzer, build, snapshot("snap-1", timedelta(days=120), build),
                 snapshot("rds-snap", timedelta(days=200), build, kind="rds_snapshot", size=200))
    ebs = next(o for o in result.opportunities if o.service == "EBS")
    rds = next(o for o in result.opportunities if o.service == "RDS")
    assert (ebs.type, ebs.estimated_savings, ebs.resources[0].monthly_cost) == ("old_snapshot", 5.0, 5.0)
    assert (rds.type, rds.estimated_savings, rds.resources[0].evidence["age_days"]) == ("old_snapshot", 19.0, 200)
    assert "upper bound" in ebs.resources[0].evidence["note"]
    assert ebs.resources[0].confidence == 0.7


def eip(aid: str, association: str | None) -> Resource:
    return Resource(resource_id=aid, kind="elastic_ip", service="VPC", region="eu-west-1",
                    attributes={"public_ip": "203.0.113.7", "association_id": association})


def test_unused_elastic_ip(analyzer, build):
    result = run(analyzer, build, eip("eipalloc-1", None), eip("eipalloc-2", "eipassoc-9"))
    found = build.findings(result)
    assert list(found) == [("unused_elastic_ip", "eipalloc-1")]
    f = found[("unused_elastic_ip", "eipalloc-1")]
    assert (f.monthly_cost, f.estimated_savings, f.confidence) == (3.65, 3.65, 0.99)
    assert f.recommendation == "Release Elastic IP 203.0.113.7: not associated with anything"


def nat(build, days: int, total_bytes: float) -> Resource:
    util = {"bytes_out": build.series([total_bytes] + [0.0] * (days - 1), statistic="Sum") if days else None,
            "bytes_in": build.series([0.0] * days, statistic="Sum") if days else None}
    return Resource(resource_id="nat-1", kind="nat_gateway", service="VPC", region="us-east-1", state="available",
                    utilization={k: v for k, v in util.items() if v is not None})


@pytest.mark.parametrize(("days", "total", "found", "listed"), [
    (14, 0.0, True, False), (14, 1_048_575.0, True, False), (14, 1_048_576.0, False, False), (13, 0.0, False, True),
])
def test_idle_nat_gateway(analyzer, build, days, total, found, listed):
    result = run(analyzer, build, nat(build, days, total))
    hits = build.findings(result)
    assert (("idle_nat_gateway", "nat-1") in hits) is found
    if found:
        f = hits[("idle_nat_gateway", "nat-1")]
        assert (f.monthly_cost, f.estimated_savings, f.confidence) == (32.85, 32.85, 0.9)
    assert bool(result.insufficient_data) is listed
    if listed:
        assert result.insufficient_data[0]["needed"] == 14 and result.insufficient_data[0]["days"] == 13
