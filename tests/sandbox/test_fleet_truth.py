"""The planted fleet and its ground truth: invariants of the truth, the declared rightsizing targets against the
planted CPU history, the extended variant's cases and their billed money, the cost table's usage basis."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any, get_args

import pytest
from sandbox.sandbox_offline import TODAY, Offline  # type: ignore[import-not-found]

from tools.models import OpportunityType
from tools.sandbox.anomalies import flagged_anomalies
from tools.sandbox.cost_lines import DYNAMODB, USAGE_RECORD_TYPES
from tools.sandbox.fleet import build_fleet
from tools.sandbox.fleet_extended import EXTENDED_EC2
from tools.sandbox.fleet_standard import EC2_BLOCK
from tools.sandbox.fleet_templates import ASG_TAG
from tools.sandbox.metrics import daily_stat
from tools.sandbox.rates import book_has_rds

START, END = TODAY - timedelta(days=30), TODAY - timedelta(days=1)
FULL_COST = ("idle_resource", "unattached_volume", "old_snapshot", "unused_elastic_ip", "idle_nat_gateway",
             "idle_database")


@pytest.fixture(params=["standard", "extended"])
def account(request: pytest.FixtureRequest, offline: Any, extended: Any) -> Any:
    return offline if request.param == "standard" else extended


def _by_key(account: Any) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for p in account.planted:
        out[p.template.key].append(p)
    return out


def _waste(account: Any) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for w in account.truth["waste"]:
        out[w["resource_id"]].append(w)
    return out


def test_ground_truth_invariants(account: Any) -> None:
    planted = {p.resource_id: p for p in account.planted}
    pairs = [(w["resource_id"], w["type"]) for w in account.truth["waste"]]
    assert len(pairs) == len(set(pairs))
    for w in account.truth["waste"]:
        assert w["type"] in get_args(OpportunityType), w
        assert w["resource_id"] in planted and planted[w["resource_id"]].region == w["region"], w
        assert w["type"] in planted[w["resource_id"]].template.expect
        assert 0 <= w["billed_saving"] <= w["billed_monthly_cost"], w
        assert w["billing_arithmetic"] and "$" in w["billing_arithmetic"]
        if w["type"] in FULL_COST:
            assert w["billed_saving"] == w["billed_monthly_cost"]
        elif w["type"] != "s3_incomplete_uploads":
            assert 0 < w["billed_saving"] < w["billed_monthly_cost"]
    monthly: dict[str, set[float]] = defaultdict(set)
    for w in account.truth["waste"]:
        monthly[w["resource_id"]].add(w["billed_monthly_cost"])
    assert all(len(costs) == 1 for costs in monthly.values())  # one monthly cost per resource
    # every expectation of every template is in the truth, nothing ignored or insufficient is
    expected = {(p.resource_id, kind) for p in account.planted for kind in p.template.expect}
    assert expected == set(pairs)
    waste_ids = {w["resource_id"] for w in account.truth["waste"]}
    assert set(account.truth["ignored"]).isdisjoint(waste_ids)
    assert set(account.truth["insufficient_data"]).isdisjoint(waste_ids)
    assert set(account.truth["ignored"]) | set(account.truth["insufficient_data"]) <= set(planted)
    # managed instances are judged as their group: none has a stop or resize finding of its own
    for w in account.truth["waste"]:
        p = planted[w["resource_id"]]
        if p.kind == "ec2_instance" and ASG_TAG in p.template.tags:
            assert w["type"] == "spot_migration"
    advice = account.truth["purchase_advice"]
    for w in account.truth["waste"]:
        if w["type"] == "reserved_instance":
            db = planted[w["resource_id"]].template
            rec = next(r for r in advice["reserved_instances"] if (r["region"], r["instance_type"])
                       == (w["region"], db.instance_class))
            assert w["billed_saving"] == rec["monthly_saving_per_instance"]


def test_declared_rightsizing_targets_fit_the_planted_peaks(account: Any) -> None:
    """The target a template declares is what docs/rules.md picks from the CPU history planted for it: the highest
    daily Maximum of the 14-day window needs more vCPUs (at 60 %) than any smaller size of the family has, and no
    more than the target has. A target outside the family means no smaller size fits."""
    prices = account.prices
    targets = {w["resource_id"]: w["target_type"] for w in account.truth["waste"] if w["type"] == "rightsizing"}
    assert targets
    for p in account.planted:
        if p.resource_id not in targets:
            continue
        t = p.template
        assert targets[p.resource_id] == t.target
        series = account.history.series[(p.region, "AWS/EC2", "CPUUtilization", (("InstanceId", p.resource_id),))]
        window = [d for d in series if END - timedelta(days=13) <= d <= END]
        averages = daily_stat(series, "Average")
        peak = max(daily_stat(series, "Maximum")[d] for d in window)
        assert len(window) == 14 and all(averages[d] < 20 for d in window)
        spec, target = prices.instance_specs(t.instance_type), prices.instance_specs(t.target)
        needed = spec.vcpus * peak / 60
        family = prices.family_types(spec.family)
        smaller = family[:family.index(t.instance_type)]
        too_small = smaller[:smaller.index(t.target)] if t.target in smaller else smaller
        assert all(prices.instance_specs(s).vcpus < needed for s in too_small)
        assert needed <= target.vcpus
        if t.target not in smaller:  # no smaller size fits: a type with the same vCPUs and memory
            assert (target.vcpus, target.memory_gib) == (spec.vcpus, spec.memory_gib)
        assert prices.ec2_hourly(p.region, t.target).unit_price < prices.ec2_hourly(p.region, t.instance_type).unit_price
    rights = {r["resource_id"]: r for r in account.rightsizing if r["action"] == "MODIFY"}
    assert {k: r["target_type"] for k, r in rights.items()} == targets  # AWS's own advice names the same targets


def test_r5a_large_is_the_cheapest_x86_twin_of_r5_large(extended: Any) -> None:
    """No smaller r5 fits memory-app's 40 % peak; r5a.large is the cheapest current-generation x86 type with its 2
    vCPUs and 16 GiB (not burstable, GPU or flex). Only Graviton types are cheaper, and they are never the target."""
    prices = extended.prices
    spec = prices.instance_specs("r5.large")
    assert prices.family_types("r5")[0] == "r5.large"
    twins = sorted((prices.ec2_hourly("us-east-1", n).unit_price, n) for n in prices.instance_types()
                   if (prices.instance_specs(n).vcpus, prices.instance_specs(n).memory_gib)
                   == (spec.vcpus, spec.memory_gib) and prices.instance_specs(n).generation == "current")
    graviton = re.compile(r"^[a-z]+\d+g[a-z]*\.")
    special = re.compile(r"^(p|g|inf|trn|dl|f|vt|mac|u-|hpc|t)\d")
    x86 = [n for _, n in twins if not graviton.match(n) and not special.match(n) and "flex" not in n]
    assert x86[0] == "r5a.large"
    cheaper = [n for price, n in twins if price < prices.ec2_hourly("us-east-1", "r5a.large").unit_price]
    assert cheaper and all(graviton.match(n) for n in cheaper)  # r6g.large, r7g.large
    (memory_app,) = [p for p in extended.planted if p.template.key == "memory-app"]
    assert memory_app.template.target == "r5a.large"


def test_usage_basis_totals_and_adjustments_come_from_the_table(account: Any) -> None:
    truth = account.truth
    period = [ln for ln in account.lines if START <= ln.day <= END]
    usage = [ln for ln in period if ln.record_type in USAGE_RECORD_TYPES]
    assert truth["cost_totals"]["total"] == float(sum((ln.amortized for ln in usage), Decimal(0)))
    assert truth["monthly_spend"] == truth["cost_totals"]["total"]  # the period is the last 30 days
    by_service: dict[str, Decimal] = defaultdict(Decimal)
    for ln in usage:
        by_service[ln.service] += ln.amortized
    assert truth["cost_totals"]["by_service"] == {k: float(v) for k, v in sorted(by_service.items())}
    assert "Tax" not in truth["cost_totals"]["by_service"] and "NoRegion" not in truth["cost_totals"]["by_region"]
    adjustments: dict[str, Decimal] = defaultdict(Decimal)
    for ln in period:
        if ln.record_type not in USAGE_RECORD_TYPES:
            adjustments[ln.record_type] += ln.cost
    assert truth["adjustments"] == {k: float(v) for k, v in sorted(adjustments.items())}
    assert truth["adjustments"]["Credit"] == -90.0 and truth["adjustments"]["Refund"] == -42.5
    assert set(truth["adjustments"]) <= {"Credit", "Refund", "Tax", "RIFee"}
    assert all(ln.cost == ln.cost.quantize(Decimal("0.01")) and ln.amortized == ln.amortized.quantize(
        Decimal("0.01")) for ln in account.lines)
    # usage lines: amortized = unblended except RI-covered hours (unblended 0, amortized at the RI rate)
    assert all(ln.amortized == ln.cost for ln in account.lines if ln.record_type == "Usage")
    assert all(ln.cost == 0 < ln.amortized for ln in account.lines if ln.record_type == "DiscountedUsage")


def test_the_planted_anomalies_are_the_only_ones_on_the_usage_basis(account: Any) -> None:
    flagged = sorted(flagged_anomalies(account.lines, START, END), key=lambda f: f[2])
    assert [(s, r, d.isoformat()) for s, r, d in flagged] == [(a["service"], a["region"], a["date"])
                                                              for a in account.truth["anomalies"]]
    assert len(flagged) == (2 if account.fleet.variant == "extended" else 1)


def test_extended_variant_resources_and_their_billed_money(extended: Any) -> None:
    waste = _waste(extended)
    extra = [p for p in extended.planted if not p.block.standard]
    found = {p.template.key: [(w["type"], w["billed_monthly_cost"], w["billed_saving"]) for w in waste[p.resource_id]]
             for p in extra if p.kind != "ec2_instance" or p.template.count == 1}
    assert found["win-idle"] == [("idle_resource", 137.18, 137.18)]  # $135.30 / 720 h x 730 h
    # peak <= 29 % of 8 vCPUs fits 4: m5.xlarge, Windows on both sides: 18.05 / 24 - 9.02 / 24 (the rule's
    # 0.192 + 4 x 0.046 = $0.376/h, a day's line rounded to the cent) = $0.37625/h x 730 h
    assert found["win-underused"] == [("rightsizing", 549.02, 274.66)]
    assert "m5.xlarge $0.375833/h rule (USE1-BoxUsage:m5.xlarge RunInstances:0002 not billed)" in \
        waste[next(p.resource_id for p in extra if p.template.key == "win-underused")][0]["billing_arithmetic"]
    assert found["rhel-app"] == [("savings_plan", 182.2, 49.19)]  # $179.70 / 720 x 730, x 27 %
    assert found["spot-idle"] == [("idle_resource", 48.97, 48.97)]  # $48.30 / 720 x 730
    assert found["ri-shared-idle"] == [("idle_resource", 184.02, 184.02)]  # the on-demand rate, $363 / 1440 h
    assert found["ri-covered"] == []  # covered: never told to buy coverage
    assert found["golden-ami"] == []  # older than 90 days, but backs a registered AMI
    # r5.large is the family's smallest: r5a.large (same 2 vCPUs / 16 GiB): (6.05 / 48 - 2.71 / 24) x 730
    assert found["memory-app"] == [("rightsizing", 92.01, 9.58)]
    # 6 h a day: 730 x 6 / 24 = 182.5 h x the billed $0.50 / 6 h
    assert found["part-time-dev"] == [("idle_resource", 15.21, 15.21)]
    assert found["just-stopped"] == [] and found["stopped-data"] == []  # stopped 2 days ago: inside the grace
    # 2 TB gp2 -> gp3 with 6,000 IOPS and 250 MiB/s: $20.00 at book prices, at the billed GB rates $19.94
    assert found["bulk-data"] == [("volume_type_upgrade", 199.99, 19.94)]
    bulk = waste[next(p.resource_id for p in extra if p.template.key == "bulk-data")][0]["billing_arithmetic"]
    assert "+ 3000 IOPS x" in bulk and "+ 125 MiB/s x" in bulk
    assert found["small-objects"] == []  # about 42 KB an object: under Standard-IA's 128 KB minimum
    assert found["ledger-db"] == []  # Multi-AZ, Environment=production
    assert found["reports-uat"] == [("multi_az", 116.77, 58.38)]  # Stage=UAT: non-production
    gp2 = [ln for ln in extended.lines if START <= ln.day <= END and ln.usage_type == "USE1-RDS:GP2-Storage"]
    storage = sum((ln.cost for ln in gp2), Decimal(0)) / sum((ln.quantity for ln in gp2), Decimal(0))
    legacy = (Decimal("64.80") / 720 * 730 + 50 * storage).quantize(Decimal("0.01"))  # $0.090 x 24 x 30 days
    assert found["legacy-pg"] == [("idle_database", float(legacy), float(legacy))] == [("idle_database", 71.48, 71.48)]
    assert not book_has_rds(extended.prices, "us-east-1", "db.m3.medium", "postgres")  # only billing can price it
    # the Auto Scaling group: one finding on the group, its two idle members none of their own
    (group,) = [p for p in extra if p.kind == "autoscaling_group"]
    members = [p.resource_id for p in extra if p.template.key == "batch-node"]
    assert group.resource_id.startswith("arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:")
    assert group.resource_id.endswith(":autoScalingGroupName/batch-asg") and len(members) == 2
    (entry,) = waste[group.resource_id]
    assert (entry["type"], entry["billed_monthly_cost"], entry["billed_saving"]) == ("idle_resource", 124.1, 124.1)
    assert entry["covered_resources"] == members and not any(waste[m] for m in members)  # 2 x 730 h x $0.085
    standard = {(w["resource_id"], w["type"]) for w in Offline().truth["waste"]}
    assert standard <= {(w["resource_id"], w["type"]) for w in extended.truth["waste"]}
    assert extended.truth["variant"] == "extended" and extended.truth["counts"]["ec2_instance"] == 53
    assert extended.truth["counts"]["autoscaling_group"] == 1


def test_part_time_and_new_service_lines(extended: Any) -> None:
    """The part-time instance is billed 6 h a day (its CPU has 72 samples a day); the new service bills only from 5
    days ago, in the first region."""
    (part,) = [p for p in extended.planted if p.template.key == "part-time-dev"]
    lines = [ln for ln in extended.lines if ln.usage_type == "USE1-BoxUsage:t3.large"]
    assert lines and {(ln.quantity, ln.cost) for ln in lines} == {(Decimal(6), Decimal("0.50"))}
    series = extended.history.series[("us-east-1", "AWS/EC2", "CPUUtilization", (("InstanceId", part.resource_id),))]
    assert set(daily_stat(series, "SampleCount").values()) == {72.0}
    busy = next(p for p in extended.planted if p.template.key == "web-prod")
    other = extended.history.series[(busy.region, "AWS/EC2", "CPUUtilization", (("InstanceId", busy.resource_id),))]
    assert set(daily_stat(other, "SampleCount").values()) == {288.0}
    dynamo = [ln for ln in extended.lines if ln.service == DYNAMODB]
    assert sorted((TODAY - ln.day).days for ln in dynamo) == [1, 2, 3, 4, 5]
    assert {(ln.region, ln.usage_type, ln.cost, ln.record_type) for ln in dynamo} == {
        ("us-east-1", "USE1-WriteCapacityUnit-Hrs", Decimal("24.96"), "Usage")}  # 1,600 WCU x 24 h x $0.00065
    assert not any(ln.service == DYNAMODB for ln in Offline().lines)
    (stopped,) = [p for p in extended.planted if p.template.key == "just-stopped"]
    cpu = extended.history.series[("us-east-1", "AWS/EC2", "CPUUtilization", (("InstanceId", stopped.resource_id),))]
    assert max(cpu) == TODAY - timedelta(days=3)  # its last full day running
    compute = [ln for ln in extended.lines if ln.usage_type == "USE1-BoxUsage:m5.large" and ln.tags[0] == "prod"
               and ln.tags[1] == "data" and ln.day >= TODAY - timedelta(days=3)]
    assert compute  # idle-batch and just-stopped share these lines; just-stopped stops after today - 3
    assert {ln.day for ln in compute if ln.quantity == 48} == {TODAY - timedelta(days=3)}


def test_every_waste_kind_planted_in_every_region(offline: Any) -> None:
    kinds = Counter((w["region"], w["type"]) for w in offline.truth["waste"])
    per_region = {"idle_resource": 3, "rightsizing": 2, "previous_generation": 3, "spot_migration": 5,
                  "savings_plan": 3, "unattached_volume": 3, "volume_type_upgrade": 2, "old_snapshot": 2,
                  "unused_elastic_ip": 1, "idle_nat_gateway": 1, "idle_database": 1, "multi_az": 1,
                  "reserved_instance": 2, "lambda_memory": 1, "lambda_errors": 1, "s3_lifecycle": 1,
                  "s3_incomplete_uploads": 1}
    assert kinds == Counter({(r, k): n for r in ("us-east-1", "eu-west-1") for k, n in per_region.items()})
    assert len(offline.truth["insufficient_data"]) == 2
    assert len(offline.truth["ignored"]) == 4  # an idle instance and a volume per region


def test_templates_declare_their_targets() -> None:
    for t in EC2_BLOCK + EXTENDED_EC2:
        assert ("rightsizing" in t.expect) == bool(t.target), t.key
    assert {t.key: t.target for t in EC2_BLOCK + EXTENDED_EC2 if t.target} == {
        "underused-api": "m5.xlarge", "underused-worker": "c5.2xlarge", "win-underused": "m5.xlarge",
        "memory-app": "r5a.large"}


def test_scale_counts_and_determinism() -> None:
    assert build_fleet(10_000, ["us-east-1", "eu-west-1"]).ec2_count == 10_000
    assert build_fleet(10_000, ["us-east-1", "eu-west-1"], variant="extended").ec2_count == 10_013
    with pytest.raises(ValueError):
        build_fleet(40, ["us-east-1"], variant="gold")  # type: ignore[arg-type]
    assert build_fleet(45, ["us-east-1", "eu-west-1", "us-west-2"]).ec2_count == 45
    assert build_fleet(1, ["us-east-1"]).ec2_count == 1
    first, second = Offline(), Offline()
    assert first.truth == second.truth
    assert first.history.series == second.history.series
    assert first.lines == second.lines


def test_cost_totals_add_up(offline: Any) -> None:
    totals = offline.truth["cost_totals"]
    assert round(sum(totals["by_service"].values()), 2) == totals["total"]
    assert round(sum(totals["by_region"].values()), 2) == totals["total"]
    assert offline.truth["period"] == {"start": (TODAY - timedelta(days=30)).isoformat(),
                                       "end": (TODAY - timedelta(days=1)).isoformat()}


def test_cli_rejects_bad_arguments(capsys: Any) -> None:
    from tools.sandbox.__main__ import main

    assert main(["--regions", "mars-1"]) == 2
    assert main(["--scale", "0"]) == 2
    assert main(["--accounts", "2", "--refuse", "2"]) == 2
    assert main(["--refuse", "x"]) == 2
    with pytest.raises(SystemExit):
        main(["--variant", "billing"])
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("cost-agent sandbox: --regions: unknown region 'mars-1'; use a comma-separated list of ")
    assert lines[1:4] == ["cost-agent sandbox: --scale: expected a number of EC2 instances, 1 or more, got 0",
                          "cost-agent sandbox: --refuse: member indexes run from 0 to 1, got '2'",
                          "cost-agent sandbox: --refuse: expected comma-separated member indexes such as 0,2, got 'x'"]


def test_rds_and_lambda_names_repeat_across_regions_and_their_ids_are_arns(offline: Any) -> None:
    named = [p for p in offline.planted if p.kind in ("rds_instance", "rds_snapshot", "lambda_function")]
    by_name: dict[tuple[str, str], set[str]] = {}
    for p in named:
        by_name.setdefault((p.kind, p.name), set()).add(p.region)
    assert all(regions == {"us-east-1", "eu-west-1"} for regions in by_name.values())
    orders = sorted(p.resource_id for p in named if p.name == "orders-db-0000")
    assert orders == ["arn:aws:rds:eu-west-1:123456789012:db:orders-db-0000",
                      "arn:aws:rds:us-east-1:123456789012:db:orders-db-0000"]
    waste = {w["resource_id"] for w in offline.truth["waste"] if w["type"] == "lambda_memory"}
    assert waste == {"arn:aws:lambda:us-east-1:123456789012:function:image-resize-0000",
                     "arn:aws:lambda:eu-west-1:123456789012:function:image-resize-0000"}
