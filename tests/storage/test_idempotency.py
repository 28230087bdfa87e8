"""Re-collecting a period replaces its rows: totals never double and the newer collection wins."""

from __future__ import annotations

from datetime import timedelta

from storage.storage_samples import COLLECTED, DAYS, EC2, LAMBDA, collection

from tools.storage import AWSMetricsStorage


def _snapshot(db: AWSMetricsStorage) -> dict:
    summary = db.cost_summary(DAYS[0], DAYS[-1])
    # per-resource cost rows are dated on the collection day, after the cost period
    by_tag = db.cost_summary(DAYS[0], COLLECTED.date(), tag_key="team").by_tag
    return {"total": summary.total_cost, "by_service": summary.by_service, "by_region": summary.by_region,
            "by_tag": by_tag, "usage": [(r.usage_type, r.cost) for r in summary.daily_by_usage_type],
            "top": db.top_resources(5, DAYS[0], COLLECTED.date()),
            "counts": {t: db.count(t) for t in ("cost_metrics", "resource_costs", "resource_metrics", "resources")}}


def test_the_same_collection_written_twice_reads_back_unchanged(db: AWSMetricsStorage) -> None:
    assert db.store_collection(collection(), "run-1") == {"cost_rows": 11, "resources": 2, "metric_rows": 5}
    first = _snapshot(db)
    db.store_collection(collection(), "run-1")
    db.store_collection(collection(), "run-2")
    assert _snapshot(db) == first
    assert first["total"] == 89.02
    assert first["by_service"] == {EC2: 46.01, LAMBDA: 43.01}
    assert first["by_region"] == {"eu-west-1": 16.0, "us-east-1": 73.02}
    assert first["by_tag"] == {"team": {"": 0.26, "web": 2.31}}  # 2.304 + 0.263 = 2.57
    assert first["usage"] == [("USE1-Lambda-GB-Second", 38.5), ("USE1-Request", 1.5)]
    assert first["counts"] == {"cost_metrics": 11, "resource_costs": 2, "resource_metrics": 5, "resources": 2}


def test_a_later_recollection_with_changed_values_wins(db: AWSMetricsStorage) -> None:
    db.store_collection(collection(), "run-1")
    later = COLLECTED + timedelta(hours=2)  # same day: same keys, newer version
    db.store_collection(collection(scale=2.0, collected_at=later, monthly=140.16), "run-2")
    summary = db.cost_summary(DAYS[0], DAYS[-1])
    assert summary.total_cost == 178.04
    assert summary.by_service == {EC2: 92.02, LAMBDA: 86.02}
    assert db.top_resources(1, DAYS[0], COLLECTED.date())[0]["cost"] == 4.61
    assert db.resource_details("i-0aaa")["resource"]["monthly_cost"] == 140.16


def test_an_older_collection_arriving_late_does_not_overwrite(db: AWSMetricsStorage) -> None:
    db.store_collection(collection(scale=2.0), "run-2")
    db.store_collection(collection(collected_at=COLLECTED - timedelta(hours=1)), "run-1")
    assert db.cost_summary(DAYS[0], DAYS[-1]).total_cost == 178.04


def test_cost_explorer_tag_totals_are_stored_with_the_collection_and_read_back(db: AWSMetricsStorage) -> None:
    with_tags = collection()
    with_tags.costs.by_tag = {"team": {"web": 60.5, "data": 28.52}, "env": {"prod": 89.02}}
    db.store_collection(with_tags, "run-1")
    db.store_collection(with_tags, "run-1")  # again: the newer copy replaces it, nothing adds up twice
    period, by_tag = db.tag_costs(DAYS[0], DAYS[-1], ["team", "env", "owner"])
    assert (period.start, period.end) == (DAYS[0], DAYS[-1])
    assert by_tag == {"team": {"web": 60.5, "data": 28.52}, "env": {"prod": 89.02}}
