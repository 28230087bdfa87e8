"""The planted fleet, its ground truth and an independent reading of docs/rules.md agree exactly."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sandbox.sandbox_offline import TODAY, Offline  # type: ignore[import-not-found]

from tools.sandbox.costs import USAGE_RECORD_TYPES, flagged_anomalies
from tools.sandbox.fleet import build_fleet
from tools.sandbox.rates import book_has_rds
from tools.sandbox.selfcheck import expected_findings, truth_pairs

START, END = TODAY - timedelta(days=30), TODAY - timedelta(days=1)


@pytest.fixture(params=["standard", "billing"])
def account(request: pytest.FixtureRequest, offline: Any, billing: Any) -> Any:
    return offline if request.param == "standard" else billing


def test_ground_truth_equals_the_rules_for_both_metric_windows(account: Any) -> None:
    truth = truth_pairs(account.truth)
    for end in (TODAY - timedelta(days=1), TODAY):
        assert expected_findings(account.planted, account.history, account.prices, TODAY, end) == truth


def test_billed_money_of_every_waste_item(account: Any) -> None:
    for w in account.truth["waste"]:
        assert 0 <= w["billed_saving"] <= w["billed_monthly_cost"], w
        assert w["billing_arithmetic"] and "$" in w["billing_arithmetic"]
        if w["type"] in ("idle_resource", "unattached_volume", "old_snapshot", "unused_elastic_ip",
                         "idle_nat_gateway", "idle_database"):
            assert w["billed_saving"] == w["billed_monthly_cost"]
        elif w["type"] != "s3_incomplete_uploads":
            assert 0 < w["billed_saving"] < w["billed_monthly_cost"]
    monthly: dict[str, set[float]] = defaultdict(set)
    for w in account.truth["waste"]:
        monthly[w["resource_id"]].add(w["billed_monthly_cost"])
    assert all(len(costs) == 1 for costs in monthly.values())  # one monthly cost per resource
    advice = account.truth["purchase_advice"]
    for w in account.truth["waste"]:
        if w["type"] == "reserved_instance":
            region, name = w["region"], w["resource_id"].rsplit(":", 1)[1]
            rec = next(r for r in advice["reserved_instances"] if r["region"] == region
                       and r["instance_type"] == ("db.m5.large" if name.startswith("orders") else "db.m5.xlarge"))
            assert w["billed_saving"] == rec["monthly_saving_per_instance"]


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


def test_the_planted_anomaly_is_the_only_one_on_the_usage_basis(account: Any) -> None:
    flagged = flagged_anomalies(account.lines, START, END)
    planted = account.truth["anomalies"][0]
    assert [(s, r, d.isoformat()) for s, r, d in flagged] == [(planted["service"], planted["region"], planted["date"])]


def test_billing_variant_resources_and_their_billed_money(billing: Any) -> None:
    waste: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for w in billing.truth["waste"]:
        waste[w["resource_id"]].append(w)
    extra = [p for p in billing.planted if not p.block.standard]
    found = {p.template.key: [(w["type"], w["billed_monthly_cost"], w["billed_saving"]) for w in waste[p.resource_id]]
             for p in extra}
    assert found["win-idle"] == [("idle_resource", 137.18, 137.18)]  # $135.30 / 720 h x 730 h
    # peak CPU needs all 8 vCPUs: the cheaper same-size x86 type, Windows on both sides (18.05 - 17.09) / 24 x 730
    assert found["win-underused"] == [("rightsizing", 549.02, 29.2)]
    assert "m5a.2xlarge $0.712083/h rule (USE1-BoxUsage:m5a.2xlarge RunInstances:0002 not billed)" in next(
        w["billing_arithmetic"] for w in billing.truth["waste"] if w["type"] == "rightsizing"
        and "win-underused" in w["resource_id"])
    assert found["rhel-app"] == [("savings_plan", 182.2, 49.19)]  # $179.70 / 720 x 730, x 27 %
    assert found["spot-idle"] == [("idle_resource", 48.97, 48.97)]  # $48.30 / 720 x 730
    assert 0.30 <= 48.97 / (0.192 * 730) <= 0.35  # a third of the Linux on-demand price
    assert found["ri-shared-idle"] == [("idle_resource", 184.02, 184.02)]  # the on-demand rate, $363 / 1440 h
    assert found["ri-shared-busy"] == [] and found["ri-covered"] == []  # covered: never told to buy coverage
    assert found["golden-ami"] == []  # older than 90 days, but backs a registered AMI
    gp2 = [ln for ln in billing.lines if START <= ln.day <= END and ln.usage_type == "USE1-RDS:GP2-Storage"]
    storage = sum((ln.cost for ln in gp2), Decimal(0)) / sum((ln.quantity for ln in gp2), Decimal(0))
    legacy = (Decimal("64.80") / 720 * 730 + 50 * storage).quantize(Decimal("0.01"))  # $0.090 x 24 x 30 days
    assert found["legacy-pg"] == [("idle_database", float(legacy), float(legacy))] == [("idle_database", 71.48, 71.48)]
    assert not book_has_rds(billing.prices, "us-east-1", "db.m3.medium", "postgres")  # only billing can price it
    standard = {(w["resource_id"], w["type"]) for w in Offline().truth["waste"]}
    assert standard <= {(w["resource_id"], w["type"]) for w in billing.truth["waste"]}
    assert billing.truth["variant"] == "billing" and billing.truth["counts"]["ec2_instance"] == 48


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


def test_scale_counts_and_determinism() -> None:
    assert build_fleet(10_000, ["us-east-1", "eu-west-1"]).ec2_count == 10_000
    assert build_fleet(10_000, ["us-east-1", "eu-west-1"], variant="billing").ec2_count == 10_008
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
    with pytest.raises(SystemExit):
        main(["--variant", "gold"])
    assert "--regions a comma-separated list of" in capsys.readouterr().err


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
