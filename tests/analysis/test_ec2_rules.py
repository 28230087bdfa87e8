"""EC2 rules at, below and above their thresholds; insufficient data; ignore tag; precedence."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tools.models import BilledUsage, PriceSheet, PurchaseRecommendation, TimePeriod


def run(analyzer, build, *resources, **extra):
    return analyzer.analyze_all_services(build.collection(list(resources), **extra))


@pytest.mark.parametrize(("cpu", "cpu_max", "net_mb", "idle"), [
    (4.99, 9.99, 0.99, True),
    (5.0, 9.99, 0.99, False),    # average CPU at the threshold is not below it
    (4.99, 10.0, 0.99, False),   # peak at the threshold
    (4.99, 9.99, 1.0, False),    # network at 1 MB/day
])
def test_idle_thresholds(analyzer, build, cpu, cpu_max, net_mb, idle):
    result = run(analyzer, build, build.instance("i-a", "m5.large", cpu=cpu, cpu_max=cpu_max,
                                                  net_bytes=net_mb * build.MB))
    found = build.findings(result)
    assert (("idle_resource", "i-a") in found) is idle
    if idle:
        f = found[("idle_resource", "i-a")]
        assert (f.monthly_cost, f.estimated_savings, f.confidence) == (70.08, 70.08, 0.95)
        assert f.evidence["cpu_avg"] == 4.99 and f.evidence["cpu_max"] == 9.99 and f.evidence["days"] == 14
        assert f.evidence["network_mb_day"] == 0.99
        assert f.evidence["arithmetic"] == "730 h x $0.0960/h = $70.08"
        assert f.evidence["price_source"].endswith("us-east-1 m5.large Linux on-demand")
        assert f.recommendation.startswith("Stop or terminate (snapshot first if the data matters)")


@pytest.mark.parametrize(("days", "listed", "confidence"), [(6, True, None), (7, False, 0.475), (14, False, 0.95)])
def test_idle_needs_min_data_days(analyzer, build, days, listed, confidence):
    result = run(analyzer, build, build.instance("i-a", "m5.large", days=days, cpu=1, cpu_max=2, net_bytes=0))
    found = build.findings(result)
    if listed:
        assert found == {}
        assert result.insufficient_data == [{"resource_id": "i-a", "region": "us-east-1", "kind": "ec2_instance",
                                             "metric": "cpu", "days": 6, "needed": 7}]
    else:
        assert list(found) == [("idle_resource", "i-a")]
        assert found[("idle_resource", "i-a")].confidence == confidence
        assert result.insufficient_data == []


def test_ignore_tag_skips_every_rule(analyzer, build):
    tags = {"env": "dev", "cost-agent:ignore": "True"}
    result = run(analyzer, build, build.instance("i-ign", "m4.large", cpu=1, cpu_max=2, net_bytes=0, tags=tags),
                 build.volume("vol-ign", attached_to=None, tags={"cost-agent:ignore": "true"}))
    assert result.opportunities == []
    assert result.skipped_ignored == ["i-ign", "vol-ign"]


def test_ignore_tag_is_configurable(build, prices):
    from agent.analysis import AWSCostAnalyzer
    from tools.settings import load_settings

    analyzer = AWSCostAnalyzer(load_settings(ignore_tag="finops=skip"), prices)
    result = run(analyzer, build, build.volume("vol-a", attached_to=None, tags={"finops": "skip"}),
                 build.volume("vol-b", attached_to=None, tags={"cost-agent:ignore": "true"}))
    assert result.skipped_ignored == ["vol-a"]
    assert list(build.findings(result)) == [("unattached_volume", "vol-b")]


def test_rightsizing_to_the_smallest_size_that_fits(analyzer, build):
    # the real peak: 8 vCPU x 15 % (Maximum statistic) / 60 % target = 2 vCPU -> m5.large
    result = run(analyzer, build, build.instance("i-big", "m5.2xlarge", cpu=11.8, cpu_max=15))
    f = build.findings(result)[("rightsizing", "i-big")]
    assert (f.monthly_cost, f.estimated_savings, f.confidence) == (280.32, 210.24, 0.8)
    assert f.recommendation == ("Resize m5.2xlarge -> m5.large (smaller size of the family): CPU peak 15.0 % "
                                "over 14 days")
    assert f.evidence["arithmetic"] == "730 h x ($0.3840/h - $0.0960/h) = $210.24"
    assert (f.evidence["current_vcpus"], f.evidence["target_vcpus"]) == (8, 2)
    assert f.evidence["cpu_peak_statistic"] == "CPUUtilization Maximum"


def test_rightsizing_target_follows_peak(analyzer, build):
    # 8 vCPU x 25 % / 60 % = 3.33 vCPU -> m5.xlarge (4 vCPU): (0.384 - 0.192) x 730
    result = run(analyzer, build, build.instance("i-big", "m5.2xlarge", cpu=10, cpu_max=25))
    f = build.findings(result)[("rightsizing", "i-big")]
    assert f.evidence["target_type"] == "m5.xlarge" and f.estimated_savings == 140.16


def test_a_box_pegged_an_hour_a_day_keeps_its_size(analyzer, build):
    # daily average 8 %, but 95 % at its peak: 8 x 95 / 60 = 12.7 vCPU, no smaller m5 fits. The cheapest x86 type
    # of the same 8 vCPU / 32 GiB is m5a.2xlarge: (0.384 - 0.344) x 730 = 29.20; Graviton m6g.2xlarge is offered.
    result = run(analyzer, build, build.instance("i-peaky", "m5.2xlarge", cpu=8, cpu_max=95))
    f = build.findings(result)[("rightsizing", "i-peaky")]
    assert (f.evidence["target_type"], f.estimated_savings) == ("m5a.2xlarge", 29.2)
    assert f.evidence["target_reason"] == "same vCPUs and memory, cheaper type"
    assert f.evidence["graviton_option"] == {"target_type": "m6g.2xlarge", "hourly_price": 0.308,
                                             "monthly_saving": 55.48, "note": "needs an arm64 build of the software"}


def test_memory_measured_by_the_agent_limits_the_target(analyzer, build):
    # CPU alone allows m5.large (8 x 15 / 60 = 2 vCPU); 32 GiB x 45 % used / 80 % target = 18 GiB -> m5.2xlarge
    # keeps its size (m5.xlarge has 16 GiB): the same-size alternative m5a.2xlarge instead.
    inst = build.instance("i-mem", "m5.2xlarge", cpu=11.8, cpu_max=15, memory_gib=32.0)
    inst.utilization["mem_max"] = build.series([45.0] * 14, statistic="Maximum")
    f = build.findings(run(analyzer, build, inst))[("rightsizing", "i-mem")]
    assert (f.evidence["target_type"], f.evidence["memory_needed_gib"]) == ("m5a.2xlarge", 18.0)


@pytest.mark.parametrize(("values", "found"), [
    ([19.99] * 14, True),
    ([19.99] * 13 + [20.0], False),   # one day at the threshold
    ([5.0] * 13, False),               # 13 days: not a full lookback
])
def test_rightsizing_every_day_below_threshold(analyzer, build, values, found):
    inst = build.instance("i-big", "m5.2xlarge", days=len(values), cpu=10, cpu_max=40)
    inst.utilization["cpu"] = build.series(values)
    result = run(analyzer, build, inst)
    assert (("rightsizing", "i-big") in build.findings(result)) is found


@pytest.mark.parametrize(("itype", "target", "saving"), [
    ("r5.large", "r5a.large", 9.49),    # (0.126 - 0.113) x 730; r6g.large is Graviton: an option, not the pick
    ("c5.large", "c6a.large", 6.21),    # (0.085 - 0.0765) x 730; a1.large is arm64
    ("m5.large", "m5a.large", 7.3),     # (0.096 - 0.086) x 730
])
def test_no_smaller_size_means_a_cheaper_type_of_the_same_size(analyzer, build, itype, target, saving):
    result = run(analyzer, build, build.instance("i-small", itype, cpu=8, cpu_max=40))
    f = build.findings(result)[("rightsizing", "i-small")]
    assert (f.evidence["target_type"], f.estimated_savings) == (target, saving)


def test_no_cheaper_type_of_the_same_size_no_rightsizing(analyzer, build):
    result = run(analyzer, build, build.instance("i-small", "m5a.large", cpu=8, cpu_max=40))
    assert ("rightsizing", "i-small") not in build.findings(result)


def test_previous_generation(analyzer, build):
    result = run(analyzer, build, build.instance("i-old", "m4.large", cpu=50, cpu_max=90))
    f = build.findings(result)[("previous_generation", "i-old")]
    assert (f.monthly_cost, f.estimated_savings, f.confidence) == (73.0, 2.92, 0.85)
    assert f.evidence["target_type"] == "m5.large"
    assert f.evidence["arithmetic"] == "730 h x ($0.1000/h - $0.0960/h) = $2.92"
    assert ("savings_plan", "i-old") not in build.findings(result)


@pytest.mark.parametrize(("tags", "attrs", "reason"), [
    ({"env": "dev"}, {}, "non-production"),
    ({"env": "prod", "aws:autoscaling:groupName": "web"}, {}, "Auto Scaling group web"),
    ({"env": "prod", "stateless": "true"}, {}, "tagged stateless=true"),
])
def test_spot_candidates(analyzer, build, tags, attrs, reason):
    result = run(analyzer, build, build.instance("i-s", "m5.large", cpu=50, tags=tags, **attrs))
    found = build.findings(result)
    f = found[("spot_migration", "i-s")]
    assert (f.monthly_cost, f.estimated_savings, f.confidence) == (70.08, 24.53, 0.7)
    assert f.evidence["reason"] == reason
    assert f.evidence["arithmetic"] == "730 h x $0.0960/h x 35 % = $24.53"
    assert ("savings_plan", "i-s") not in found


def test_spot_not_for_production_or_spot_instances(analyzer, build):
    result = run(analyzer, build, build.instance("i-p", "m5.large", cpu=50, tags={"env": "production"}),
                 build.instance("i-q", "m5.large", cpu=50, tags={"env": "dev"}, lifecycle="spot"))
    assert sorted(build.findings(result)) == [("savings_plan", "i-p")]


@pytest.mark.parametrize(("days", "found"), [(12, False), (13, True)])
def test_savings_plan_steady_fraction(analyzer, build, days, found):
    # 12/14 = 0.857 < 0.9; 13/14 = 0.929
    result = run(analyzer, build, build.instance("i-p", "m5.large", days=days, cpu=50))
    assert (("savings_plan", "i-p") in build.findings(result)) is found


def test_savings_plan_at_the_percentage_aws_quotes_for_the_account(analyzer, build):
    steady = build.instance("i-p", "m5.2xlarge", cpu=50)
    plain = build.findings(run(analyzer, build, steady))[("savings_plan", "i-p")]
    assert (plain.monthly_cost, plain.estimated_savings, plain.confidence) == (280.32, 78.49, 0.75)
    assert plain.evidence["arithmetic"] == "730 h x $0.3840/h x 28 % (AWS's estimate for this account) = $78.49"
    quoted = PurchaseRecommendation(kind="savings_plan", estimated_monthly_savings=100.0, savings_percentage=19.5)
    f = build.findings(run(analyzer, build, steady, purchase_recommendations=[quoted]))[("savings_plan", "i-p")]
    assert f.estimated_savings == 54.66  # 280.32 x 19.5 % = 54.6624
    assert f.evidence["aws_purchase_recommendation"]["estimated_savings_pct"] == 19.5


def test_savings_plan_findings_never_claim_more_than_aws_estimates(analyzer, build):
    # Three steady instances at 19.5 %: $54.66 each, $163.99 in all, against AWS's $100.00 for the account.
    fleet = [build.instance(f"i-{n}", "m5.2xlarge", cpu=50) for n in ("a", "b", "c")]
    quoted = PurchaseRecommendation(kind="savings_plan", estimated_monthly_savings=100.0, savings_percentage=19.5)
    found = build.findings(run(analyzer, build, *fleet, purchase_recommendations=[quoted]))
    plans = {rid: f for (kind, rid), f in found.items() if kind == "savings_plan"}
    assert {rid: f.estimated_savings for rid, f in plans.items()} == {"i-a": 54.66, "i-b": 45.34}
    assert plans["i-b"].evidence["arithmetic"].endswith("; capped at what is left of AWS's estimate: $45.34")
    assert plans["i-a"].evidence["allocated"].startswith("AWS estimates $100.00 a month for the account's Savings Plan")


def test_no_savings_plan_without_aws_advice_or_when_already_covered(analyzer, build):
    steady = build.instance("i-p", "m5.2xlarge", cpu=50)
    assert build.findings(run(analyzer, build, steady, purchase_recommendations=[])) == {}
    sheet = PriceSheet(period=TimePeriod(start=build.TODAY - timedelta(days=30), end=build.TODAY - timedelta(days=1)),
                       billed=[BilledUsage(usage_type="BoxUsage:m5.2xlarge", operation="RunInstances",
                                           quantity=1440, unit="Hrs", cost=552.96),
                               BilledUsage(usage_type="BoxUsage:m5.2xlarge", record_type="DiscountedUsage",
                                           quantity=720, unit="Hrs", cost=172.80)])
    assert build.findings(run(analyzer, build, steady, price_sheet=sheet)) == {}


def test_idle_excludes_every_other_ec2_rule(analyzer, build):
    result = run(analyzer, build, build.instance("i-x", "t2.large", cpu=1, cpu_max=2, net_bytes=0,
                                                  tags={"env": "dev"}))
    assert sorted(build.findings(result)) == [("idle_resource", "i-x")]


def test_stopped_instance_pays_for_its_volumes(analyzer, build):
    result = run(analyzer, build, build.instance("i-stop", "m5.large", state="stopped", days=0),
                 build.volume("vol-a", "gp2", 100, attached_to="i-stop"),
                 build.volume("vol-b", "gp3", 50, attached_to="i-stop"))
    found = build.findings(result)
    f = found[("idle_resource", "i-stop")]
    assert (f.monthly_cost, f.estimated_savings, f.confidence) == (14.0, 14.0, 0.85)
    assert f.evidence["covered_resources"] == ["vol-a", "vol-b"]
    assert f.evidence["arithmetic"] == "vol-a $10.00 + vol-b $4.00 = $14.00"
    assert found[("volume_type_upgrade", "vol-a")].estimated_savings == 2.0
    assert result.insufficient_data == []


def test_a_part_time_instance_costs_the_hours_it_runs(analyzer, build):
    # 72 five-minute CPU samples a day = 6 hours a day: 730 x 6/24 = 182.5 h x $0.096 = $17.52
    inst = build.instance("i-nightly", "m5.large", cpu=1, cpu_max=3, net_bytes=0.2 * build.MB)
    inst.utilization["cpu_samples"] = build.series([72.0] * 14, statistic="SampleCount")
    f = build.findings(run(analyzer, build, inst))[("idle_resource", "i-nightly")]
    assert (f.monthly_cost, f.estimated_savings, f.evidence["hours_per_month"]) == (17.52, 17.52, 182.5)
    assert f.evidence["arithmetic"] == "182.5 h x $0.0960/h = $17.52"


def test_detailed_monitoring_and_a_recent_launch_count_as_full_time(analyzer, build):
    # 1,440 one-minute samples a day over the 5 days since launch: running all the time
    inst = build.instance("i-new", "m5.large", days=7, cpu=1, cpu_max=3, net_bytes=0.2 * build.MB,
                          launch_time=(build.NOW - timedelta(days=7)).isoformat())
    inst.utilization["cpu_samples"] = build.series([1440.0] * 7, statistic="SampleCount")
    f = build.findings(run(analyzer, build, inst))[("idle_resource", "i-new")]
    assert f.monthly_cost == 70.08


@pytest.mark.parametrize(("stopped_days", "found"), [(2, False), (6, False), (8, True), (40, True)])
def test_a_stopped_instance_is_waste_only_after_the_grace_period(analyzer, build, stopped_days, found):
    inst = build.instance("i-stop", "m5.large", state="stopped", days=0,
                          stopped_at=(build.NOW - timedelta(days=stopped_days)).isoformat())
    vol = build.volume("vol-1", "gp3", 100, attached_to="i-stop")
    result = run(analyzer, build, inst, vol)
    assert (("idle_resource", "i-stop") in build.findings(result)) is found


def test_without_a_stop_time_the_last_cpu_datapoint_dates_the_stop(analyzer, build):
    inst = build.instance("i-stop", "m5.large", state="stopped", days=3)  # data until yesterday: stopped today
    vol = build.volume("vol-1", "gp3", 100, attached_to="i-stop")
    assert build.findings(run(analyzer, build, inst, vol)) == {}
