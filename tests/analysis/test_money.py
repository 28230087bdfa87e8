"""Findings priced at what the account is billed; what cannot be priced is reported unpriced, never dropped."""

from __future__ import annotations

import json
from datetime import timedelta

from tools.models import BilledUsage, CostRow, PriceSheet, Resource, TimePeriod


def sheet(build, *rows: BilledUsage) -> PriceSheet:
    return PriceSheet(period=TimePeriod(start=build.TODAY - timedelta(days=30), end=build.TODAY - timedelta(days=1)),
                      billed=list(rows))


def hours(usage_type: str, operation: str, rate: float, qty: float = 720) -> BilledUsage:
    return BilledUsage(usage_type=usage_type, operation=operation, quantity=qty, unit="Hrs", cost=rate * qty)


def idle(build, iid: str, itype: str, **attrs) -> Resource:
    return build.instance(iid, itype, cpu=1, cpu_max=3, net_bytes=0.2 * build.MB, **attrs)


def legacy_db(build) -> Resource:
    return Resource(resource_id="db-legacy", kind="rds_instance", service="RDS", region="us-east-1",
                    resource_type="db.m3.medium", state="available", tags={"env": "prod"},
                    utilization={"connections": build.series([0.0] * 14, statistic="Maximum")},
                    attributes={"engine": "postgres", "multi_az": False, "allocated_storage_gb": 20})


def test_windows_spot_and_legacy_db_at_their_billed_rates(analyzer, build):
    prices = sheet(build, hours("BoxUsage:m5.large", "RunInstances:0002", 0.188),
                   hours("SpotUsage:m5.xlarge", "RunInstances:SV001", 0.0672),
                   hours("InstanceUsage:db.m3.medium", "CreateDBInstance:0014", 0.09),
                   BilledUsage(usage_type="RDS:GP2-Storage", operation="CreateDBInstance:0014", quantity=19.73,
                               unit="GB-Mo", cost=2.27))
    result = analyzer.analyze_all_services(build.collection(
        [idle(build, "i-win", "m5.large", platform="Windows"), idle(build, "i-spot", "m5.xlarge", lifecycle="spot"),
         legacy_db(build)], price_sheet=prices))
    found = build.findings(result)
    win, spot, db = found[("idle_resource", "i-win")], found[("idle_resource", "i-spot")], \
        found[("idle_database", "db-legacy")]
    assert (win.monthly_cost, win.estimated_savings, win.price_basis) == (137.24, 137.24, "billed")  # 730 x 0.188
    assert (spot.monthly_cost, spot.price_basis) == (49.06, "billed")                                  # 730 x 0.0672
    # 730 x 0.09 + 20 GB x (2.27 / 19.73) = 65.70 + 2.30
    assert (db.monthly_cost, db.price_basis) == (68.0, "billed")
    assert "RunInstances:0002" in win.evidence["price_source"]


def test_what_nothing_can_price_is_reported_unpriced_and_counted(analyzer, build, report_checker):
    collection = build.collection([idle(build, "i-win", "m5.large", platform="Windows"), legacy_db(build),
                                   idle(build, "i-linux", "m5.large")])
    report = analyzer.generate_summary_report(collection)
    found = {(o.type, f.resource_id): f for o in report.opportunities for f in o.resources}
    for key in (("idle_resource", "i-win"), ("idle_database", "db-legacy")):
        f = found[key]
        assert (f.monthly_cost, f.estimated_savings, f.price_basis) == (None, None, "unpriced"), key
        assert f.evidence["unpriced_reason"]
    assert found[("idle_resource", "i-linux")].price_basis == "book"
    assert report.unpriced_findings == 2
    assert report.total_waste == 70.08  # priced findings only: i-linux, 730 x 0.096
    assert any(line.startswith("2 of 3 findings could not be priced") for line in report.missing)
    report_checker(json.loads(report.model_dump_json()))


def test_partly_covered_idle_instance_saves_what_the_bill_drops_by(analyzer, build):
    prices = sheet(build, hours("BoxUsage:m5.large", "RunInstances", 0.096, qty=360),
                   BilledUsage(usage_type="BoxUsage:m5.large", record_type="DiscountedUsage", quantity=1080,
                               unit="Hrs", cost=64.8))
    result = analyzer.analyze_all_services(build.collection([idle(build, "i-1", "m5.large")], price_sheet=prices))
    f = build.findings(result)[("idle_resource", "i-1")]
    # 360 on-demand hours in 30 days = 365 a month: half a month of on-demand hours to remove, the rest covered.
    assert (f.monthly_cost, f.estimated_savings) == (70.08, 35.04)
    assert f.evidence["covered_share"] == 0.75
    assert "on-demand share the bill drops by" in f.evidence["arithmetic"]


def test_old_snapshots_never_claim_more_than_their_region_spends_and_ami_snapshots_are_kept(analyzer, build):
    old = (build.NOW - timedelta(days=200)).isoformat()

    def snap(sid: str, size: int, **attrs) -> Resource:
        return Resource(resource_id=sid, kind="ebs_snapshot", service="EBS", region="us-east-1",
                        attributes={"size_gb": size, "start_time": old, **attrs})

    days = [build.TODAY - timedelta(days=n) for n in range(1, 31)]
    usage = [CostRow(day=d, service="EC2 - Other", region="", usage_type="EBS:SnapshotUsage", cost=0.24)
             for d in days]  # $7.20 in 30 days = $7.30 a month
    costs = build.cost_summary([CostRow(day=d, service="EC2 - Other", region="us-east-1", cost=0.24) for d in days],
                               usage)
    result = analyzer.analyze_all_services(build.collection(
        [snap("snap-a", 100), snap("snap-b", 100), snap("snap-ami", 100, backs_ami="ami-1")], costs))
    found = build.findings(result)
    assert set(found) == {("old_snapshot", "snap-a"), ("old_snapshot", "snap-b")}  # the AMI's snapshot is kept
    a = found[("old_snapshot", "snap-a")]
    assert a.estimated_savings == 3.65 and a.monthly_cost == 5.0  # $10.00 claimed, $7.30 spent: x 0.73
    assert "upper bound" in a.evidence["note"] and "cost $7.30 a month" in a.evidence["capped"]


def test_windows_rightsizing_keeps_the_licence_per_vcpu(analyzer, build):
    prices = sheet(build, hours("BoxUsage:m5.2xlarge", "RunInstances:0002", 0.752))  # 0.384 + 8 x 0.046
    inst = build.instance("i-win", "m5.2xlarge", cpu=10, cpu_max=25, platform="Windows")
    f = build.findings(analyzer.analyze_all_services(build.collection([inst], price_sheet=prices)))[
        ("rightsizing", "i-win")]
    # m5.xlarge Windows: 0.192 + 4 x 0.046 = 0.376; (0.752 - 0.376) x 730 = 274.48
    assert (f.evidence["target_type"], f.estimated_savings, f.price_basis) == ("m5.xlarge", 274.48, "billed")
