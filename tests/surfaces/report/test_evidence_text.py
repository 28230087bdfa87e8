"""Evidence as sentences: each key group the rules write (the demo's and the extended account's evidence) reads as
exact sentences; the report's own keys are left to it; anything unknown stays as "key: value"."""

from __future__ import annotations

import pytest

from agent.surfaces.report.evidence_text import APART, sentences

PRICE = {"price_basis": "billed", "price_source": "billed: Cost Explorer", "arithmetic": "730 h x $1/h = $730.00"}

CASES = [
    ("idle_resource", {
        "cpu_avg": 1.2, "cpu_max": 3.0, "network_mb_day": 0.224, "days": 14,
        "thresholds": {"cpu_avg_pct": 5.0, "cpu_max_pct": 10.0, "network_mb_day": 1.0}, "hours_per_month": 730.0,
        "running": "ran 336 of 336 h (100 %) by its CPU sample count", "hourly_price": 0.10708333333333334,
        "aws_recommendation": {"action": "TERMINATE", "target_type": None, "estimated_monthly_savings": 78.11,
                               "source": "Cost Explorer GetRightsizingRecommendation",
                               "confidence": "0.95 -> 0.975 (AWS agrees)"}, **PRICE}, [
        "CPU averaged 1.2 % (peak 3.0 %) over 14 days.",
        "Network in and out 0.224 MB a day.",
        "Idle means average CPU under 5.0 %, peak under 10.0 % and network under 1 MB a day.",
        "Ran 336 of 336 h (100 %) by its CPU sample count, so a month counts 730 h.",
        "Price $0.1071 an hour.",
        "AWS agrees (Cost Explorer GetRightsizingRecommendation): terminate, saving $78.11 a month; "
        "confidence 0.95 -> 0.975."]),
    ("rightsizing", {
        "cpu_avg": 9.5, "cpu_peak": 28.7, "cpu_peak_statistic": "CPUUtilization Maximum", "days": 14,
        "threshold_pct": 20.0, "target_cpu_pct": 60.0, "memory_needed_gib": None,
        "memory": "not measured (no CloudWatch agent memory metric): sized on CPU only",
        "current_type": "c5.4xlarge", "target_type": "c5.2xlarge", "target_reason": "smaller size of the family",
        "current_vcpus": 16, "target_vcpus": 8, "hourly_price": 0.7679166666666667,
        "target_hourly_price": 0.38416666666666666,
        "graviton_option": {"target_type": "c6g.2xlarge", "hourly_price": 0.272, "monthly_saving": 80.3,
                            "note": "needs an arm64 build of the software"}, **PRICE}, [
        "CPU averaged 9.5 % (peak 28.7 %, CPUUtilization Maximum) over 14 days.",
        "Every day's CPU stayed under the 20.0 % threshold.",
        "The new type is sized to run that peak at 60.0 % CPU or less.",
        "c5.4xlarge (16 vCPUs) -> c5.2xlarge (8 vCPUs): smaller size of the family.",
        "Memory not measured (no CloudWatch agent memory metric): sized on CPU only.",
        "Graviton alternative: c6g.2xlarge at $0.2720 an hour would save $80.30 a month (needs an arm64 build of "
        "the software).",
        "Price $0.7679 an hour now, $0.3842 an hour after the change."]),
    ("rightsizing", {"memory": "measured by the CloudWatch agent", "memory_needed_gib": 3.25}, [
        "Memory measured by the CloudWatch agent: needs 3.25 GiB."]),
    ("idle_resource", {"state": "stopped", "stopped_days": 40,
                       "covered_resources": ["vol-d92e7459da3d51f35", "vol-ff65255845a94f348"], "volume_gb": 120,
                       **PRICE}, [
        "Stopped for 40 days.",
        "Still paying for 2 volume(s) (120 GB): vol-d92e7459da3d51f35, vol-ff65255845a94f348."]),
    ("idle_resource", {
        "resource": "batch-asg (us-east-1)", "managed_by": "Auto Scaling group", "group": "batch-asg",
        "members": [{"resource_id": "i-0a56", "estimated_savings": 62.05, "arithmetic": "730 h x $0.0850/h = $62.05"},
                    {"resource_id": "i-2fdd", "estimated_savings": None, "arithmetic": ""}],
        "covered_resources": ["i-0a56", "i-2fdd"], **PRICE}, [
        "Auto Scaling group batch-asg: 2 instance(s).",
        "i-0a56 saves $62.05 (730 h x $0.0850/h = $62.05).",
        "i-2fdd saves nothing priced."]),
    ("idle_resource", {"price_note": "33 % of BoxUsage:r5.xlarge hours in us-east-1 were covered by Reserved "
                                    "Instances or Savings Plans", "covered_share": 0.3333}, [
        "33 % of BoxUsage:r5.xlarge hours in us-east-1 were covered by Reserved Instances or Savings Plans."]),
    ("savings_plan", {"covered_share": 0.07}, ["Commitments cover 7.0 % of this usage type's hours."]),
    ("spot_migration", {"reason": "non-production", "days": 14, "spot_savings_pct": 35.0, **PRICE}, [
        "Spot candidate: non-production; spot costs about 35.0 % less than on-demand.",
        "Based on 14 days of data."]),
    ("savings_plan", {
        "running_fraction": 1.0, "days": 14, "discount_pct": 27.0,
        "aws_purchase_recommendation": {"type": "COMPUTE_SP", "term": "ONE_YEAR", "payment_option": "NO_UPFRONT",
                                        "estimated_savings_pct": 27.0, "hourly_commitment": 1.202,
                                        "account_monthly_savings": 324.6,
                                        "source": "Cost Explorer GetSavingsPlansPurchaseRecommendation"}}, [
        "Running 100.0 % of the last 14 days.",
        "A Savings Plan takes 27.0 % off.",
        "AWS recommends a COMPUTE_SP Savings Plan, 1-year, no upfront, committing $1.202 an hour: 27.0 % off, "
        "$324.60 a month for the whole account (Cost Explorer GetSavingsPlansPurchaseRecommendation)."]),
    ("reserved_instance", {
        "resource": "billing-db (eu-west-1)", "connections_max": 37.0, "days": 14, "instance_monthly": 577.61,
        "aws_purchase_recommendation": {"instances": 1.0, "term": "THREE_YEARS", "payment_option": "PARTIAL_UPFRONT",
                                        "estimated_monthly_savings": 207.94, "savings_pct": 36.0,
                                        "break_even_months": 7.5,
                                        "source": "Cost Explorer GetReservationPurchaseRecommendation"}}, [
        "Peak 37 database connections over 14 days.",
        "Instance $577.61 a month.",
        "AWS recommends 1 Reserved Instance(s), 3-year, partial upfront: 36.0 % off, $207.94 a month, break-even "
        "after 7.5 months (Cost Explorer GetReservationPurchaseRecommendation)."]),
    ("idle_database", {"connections_max": 0, "days": 14, "instance_monthly": 58.4, "storage_monthly": 6.39}, [
        "Peak 0 database connections over 14 days.", "Instance $58.40 a month, storage $6.39 a month."]),
    ("multi_az", {"multi_az": True, "env": "env=staging"}, [
        "Multi-AZ: a standby in a second zone doubles the instance and storage cost.", "Tagged env=staging."]),
    ("multi_az", {"env": "untagged"}, ["No environment tag."]),
    ("volume_type_upgrade", {"volume_type": "io1", "size_gb": 500, "iops": 8000, "gp3_iops": 8000,
                             "gp3_throughput_mibs": 500, "target_price_source": "billed: gp3", **PRICE}, [
        "500 GB io1 with 8,000 IOPS.", "As gp3: 8,000 IOPS and 500 MiB/s."]),
    ("unattached_volume", {"state": "available", "volume_type": "gp2", "size_gb": 100}, [
        "Unattached (state available).", "100 GB gp2."]),
    ("old_snapshot", {
        "age_days": 200, "max_age_days": 90, "size_gb": 100.0,
        "note": "snapshots are incremental: deleting one frees only the blocks no other snapshot shares",
        "capped": "the EBS snapshots of eu-west-1 cost $9.43 a month in Cost Explorer"}, [
        "100 GB snapshot.", "200 days old; the limit is 90 days.",
        "Snapshots are incremental: deleting one frees only the blocks no other snapshot shares.",
        "Capped: the EBS snapshots of eu-west-1 cost $9.43 a month in Cost Explorer."]),
    ("unused_elastic_ip", {"association_id": None, "public_ip": "198.51.100.7", "hourly_price": 0.005}, [
        "Address 198.51.100.7 is not associated with anything.", "Price $0.0050 an hour."]),
    ("idle_nat_gateway", {"bytes_total": 0.0, "days": 14}, ["0 bytes through the gateway in 14 days."]),
    ("lambda_memory", {"memory_used_max_mb": 299.3, "days": 14, "configured_mb": 2048, "recommended_mb": 384,
                       "monthly_cost_arithmetic": "5,227,198 calls x $0.0000002 = $1.04"}, [
        "Used at most 299.3 MB of the 2,048 MB configured over 14 days; 384 MB is enough.",
        "Monthly cost: 5,227,198 calls x $0.0000002 = $1.04."]),
    ("lambda_errors", {"worst_day": "2026-11-30", "worst_day_error_rate_pct": 20.0, "lookback_error_rate_pct": 4.17,
                       "days": 14, "invocations": 239198.0, "errors": 9972.0}, [
        "9,972 of 239,198 invocations failed (4.17 %) over 14 days.", "Worst day 2026-11-30: 20.0 % failed."]),
    ("s3_lifecycle", {"standard_gb": 219.42, "days": 14, "lifecycle_rules": 0, "objects": 200269.64285714287,
                      "average_object_kb": 1148.8, "cold_fraction": 0.5, "transition_fee_source": "book"}, [
        "219.42 GB in S3 Standard and no lifecycle rule.", "200,270 objects averaging 1,148.8 KB.",
        "Assumes 50.0 % of the data is cold enough for Standard-IA.", "Based on 14 days of data."]),
    ("s3_lifecycle", {"standard_gb": 80.0, "objects": None, "average_object_kb": None,
                      "objects_note": "object count not measured: the 128 KB minimum and transition fees not checked"},
     ["80 GB in S3 Standard.",
      "Object count not measured: the 128 KB minimum and transition fees not checked."]),
    ("s3_incomplete_uploads", {"incomplete_uploads": 3, "oldest": "2010-11-10T20:48:33+00:00", "parts_gb": 0.0}, [
        "3 incomplete multipart upload(s), the oldest started 2010-11-10, holding 0 GB of parts."]),
    ("idle_resource", {"unpriced_reason": "no billed usage or price for m5.large (RunInstances) in us-east-1",
                       "price_basis": "unpriced", "price_source": "none"}, [
        "Unpriced: no billed usage or price for m5.large (RunInstances) in us-east-1."]),
]


@pytest.mark.parametrize(("kind", "evidence", "expected"), CASES, ids=[f"{i}-{c[0]}" for i, c in enumerate(CASES)])
def test_each_key_group_reads_as_exact_sentences(kind: str, evidence: dict, expected: list[str]) -> None:
    assert sentences(kind, evidence) == expected


def test_unknown_keys_stay_as_key_value_and_nested_unknowns_are_kept() -> None:
    evidence = {"cpu_avg": 2.0, "new_metric": 1.5, "labels": {"a": 1}, "comment": "kept as written",
                "aws_recommendation": {"action": "MODIFY", "target_type": "m5.large", "region_hint": "eu"},
                "thresholds": {"cpu_avg_pct": 5}}
    assert sentences("idle_resource", evidence) == [
        "CPU averaged 2.0 %.",
        'thresholds: {"cpu_avg_pct": 5}',
        "AWS agrees (Cost Explorer): modify to m5.large; region_hint: eu.",
        "new_metric: 1.5", 'labels: {"a": 1}', "comment: kept as written"]


def test_the_reports_own_keys_are_left_to_it() -> None:
    assert sorted(APART) == ["arithmetic", "price_basis", "price_source", "resource", "target_price_source",
                             "transition_fee_source"]
    assert sentences("idle_resource", {key: "x" for key in APART}) == []
