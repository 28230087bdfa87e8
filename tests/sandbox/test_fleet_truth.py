"""The planted fleet, its ground truth and an independent reading of docs/rules.md agree exactly."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sandbox.sandbox_offline import TODAY, Offline  # type: ignore[import-not-found]

from tools.sandbox.fleet import build_fleet
from tools.sandbox.selfcheck import expected_findings, truth_pairs


def test_ground_truth_equals_the_rules_for_both_metric_windows(offline: Any) -> None:
    truth = truth_pairs(offline.truth)
    for end in (TODAY - timedelta(days=1), TODAY):
        assert expected_findings(offline.planted, offline.history, offline.prices, TODAY, end) == truth


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
