"""Cost queries read back exact dollars; bad arguments are refused before any SQL runs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from storage.storage_samples import COLLECTED, DAYS, EC2, LAMBDA, collection, cost_rows, instance, volume

from tools.models import TimePeriod
from tools.storage import AWSMetricsStorage, StorageQueryError, allocate_cents
from tools.storage.reads import TAG_COSTS_KIND


@pytest.fixture
def filled(db: AWSMetricsStorage) -> AWSMetricsStorage:
    db.store_collection(collection(), "run-1")
    return db


def test_allocate_cents_keeps_parts_summing_to_the_total() -> None:
    parts = {"a": Decimal("0.005"), "b": Decimal("0.005"), "c": Decimal("0.005")}
    assert allocate_cents(parts) == {"a": 0.01, "b": 0.01, "c": 0.0}
    assert allocate_cents({}) == {}
    assert allocate_cents({"x": Decimal("-1.004"), "y": Decimal("3.333")}) == {"x": -1.0, "y": 3.33}


def test_cost_summary_is_the_seed_shape(filled: AWSMetricsStorage) -> None:
    summary = filled.cost_summary("2026-10-01", "2026-10-03", service=LAMBDA)
    assert summary.model_dump(mode="json", exclude={"daily", "daily_by_usage_type"}) == {
        "time_period": {"start": "2026-10-01", "end": "2026-10-03"}, "total_cost": 43.01,
        "by_service": {LAMBDA: 43.01}, "by_region": {"us-east-1": 43.01}, "by_tag": {}, "currency": "USD",
        "basis": "", "adjustments": {}, "estimated_days": [], "daily_by_account": [], "account_names": {}}
    assert [(r.day.isoformat(), r.cost) for r in summary.daily] == [
        ("2026-10-01", 1.01), ("2026-10-02", 2.01), ("2026-10-03", 40.0)]  # exact decimals, half-up
    assert filled.cost_summary(DAYS[1], DAYS[2], region="eu-west-1").total_cost == 10.67


def test_trends_by_day_and_month(filled: AWSMetricsStorage) -> None:
    assert filled.query_cost_trends(DAYS[0], DAYS[1], service=EC2) == [
        {"period": "2026-10-01", "service": EC2, "region": "eu-west-1", "cost": 5.33},
        {"period": "2026-10-01", "service": EC2, "region": "us-east-1", "cost": 10.0},
        {"period": "2026-10-02", "service": EC2, "region": "eu-west-1", "cost": 5.33},
        {"period": "2026-10-02", "service": EC2, "region": "us-east-1", "cost": 10.0},
    ]
    assert filled.query_cost_trends("2026-09-01", "2026-10-31", region="us-east-1", granularity="month") == [
        {"period": "2026-10-01", "service": LAMBDA, "region": "us-east-1", "cost": 43.01},
        {"period": "2026-10-01", "service": EC2, "region": "us-east-1", "cost": 30.01},
    ]


def test_by_service_by_region_and_daily_trend(filled: AWSMetricsStorage) -> None:
    assert filled.query_by_service(DAYS[0], DAYS[2]) == {EC2: 46.01, LAMBDA: 43.01}
    assert filled.query_by_service(DAYS[0], DAYS[2], region="eu-west-1") == {EC2: 16.0}
    assert filled.query_by_region(DAYS[0], DAYS[2], service=EC2) == {"eu-west-1": 16.0, "us-east-1": 30.01}
    assert filled.service_daily_trend(LAMBDA, "2026-09-30", "2026-10-02") == [
        {"date": "2026-09-30", "cost": 0.0}, {"date": "2026-10-01", "cost": 1.01}, {"date": "2026-10-02", "cost": 2.01}]


def test_store_cost_metrics_directly(db: AWSMetricsStorage) -> None:
    assert db.store_cost_metrics(cost_rows(), run_id="r") == 9
    assert db.query_by_service(DAYS[0], DAYS[2]) == {EC2: 46.01, LAMBDA: 43.01}


def test_top_resources(db: AWSMetricsStorage) -> None:
    resources = [instance("i-1", 730.0), instance("i-2", 73.0), volume("vol-1", 7.3)]
    db.store_instance_metrics(resources, collected_at=COLLECTED, run_id="r")
    db.store_inventory(resources[:2], collected_at=COLLECTED)  # vol-1 has no inventory row
    top = db.top_resources(2, COLLECTED.date(), COLLECTED.date())
    assert top == [
        {"resource_id": "i-1", "service": "EC2", "region": "us-east-1", "kind": "ec2_instance",
         "resource_type": "m5.large", "name": "web-1", "cost": 24.0, "days": 1},
        {"resource_id": "i-2", "service": "EC2", "region": "us-east-1", "kind": "ec2_instance",
         "resource_type": "m5.large", "name": "web-1", "cost": 2.4, "days": 1},
    ]
    assert db.top_resources()[2] == {"resource_id": "vol-1", "service": "EBS", "region": "eu-west-1", "kind": "",
                                     "resource_type": "", "name": "", "cost": 0.24, "days": 1}
    assert db.top_resources(5, date(2026, 10, 5), date(2026, 10, 9)) == []


@pytest.mark.parametrize(("call", "message"), [
    (lambda s: s.query_by_service("2026-10-05", "2026-10-01"), "start 2026-10-05 is after end 2026-10-01"),
    (lambda s: s.query_by_service("yesterday", "2026-10-01"), "start: expected a date as YYYY-MM-DD, got 'yesterday'"),
    (lambda s: s.query_by_region(DAYS[0], DAYS[1], service="x' OR 1=1 --"),
     "service: expected a service name such as 'AWS Lambda', got \"x' OR 1=1 --\""),
    (lambda s: s.query_by_service(DAYS[0], DAYS[1], region="us-east-1; DROP TABLE cost_metrics"),
     "region: expected a region name such as us-east-1, got 'us-east-1; DROP TABLE cost_metrics'"),
    (lambda s: s.query_cost_trends(DAYS[0], DAYS[1], granularity="week"),
     "granularity: expected one of day, month, got 'week'"),
    (lambda s: s.top_resources(0), "n: expected a whole number from 1 to 1000, got 0"),
    (lambda s: s.query_opportunities(priority="urgent"), "priority: expected one of high, medium, low, got 'urgent'"),
    (lambda s: s.query_opportunities(min_savings="lots"), "min_savings: expected a number of dollars, got 'lots'"),
    (lambda s: s.resource_details("i-1' OR '1"), "resource_id: expected an AWS resource id or ARN, got \"i-1' OR '1\""),
    (lambda s: s.cost_summary(DAYS[0], DAYS[1], tag_key="a'b"), "tag_key: expected a tag key such as 'team', got \"a'b\""),
    (lambda s: s.query_by_service("2000-01-01", "2026-10-01"), "period 2000-01-01..2026-10-01 is longer than 3700 days"),
    (lambda s: s.tag_costs(DAYS[0], DAYS[1], ["team", "a'b"]), "tag_key: expected a tag key such as 'team', got \"a'b\""),
    (lambda s: s.cost_coverage(DAYS[1], DAYS[0]), "start 2026-10-02 is after end 2026-10-01"),
])
def test_bad_arguments_are_refused(filled: AWSMetricsStorage, call, message: str) -> None:
    with pytest.raises(StorageQueryError) as err:
        call(filled)
    assert str(err.value) == message
    assert isinstance(err.value, ValueError)
    assert filled.count("cost_metrics") == 11


def test_cost_coverage_is_the_first_and_last_day_with_costs(filled: AWSMetricsStorage) -> None:
    assert filled.cost_coverage("2026-09-01", "2026-10-31") == TimePeriod(start=DAYS[0], end=DAYS[2])
    assert filled.cost_coverage(DAYS[1], DAYS[1]) == TimePeriod(start=DAYS[1], end=DAYS[1])
    assert filled.cost_coverage("2026-11-01", "2026-11-30") is None
    # usage-type rows alone are no daily spend: the coverage follows the rows the totals read
    assert filled.cost_summary("2026-11-01", "2026-11-30").total_cost == 0.0


def _tag_costs(db: AWSMetricsStorage, start: str, end: str, by_tag: dict, hour: int) -> None:
    db.store_raw(TAG_COSTS_KIND, {"start": start, "end": end, "by_tag": by_tag}, run_id=f"run-{hour}",
                 collected_at=COLLECTED.replace(hour=hour))


def test_tag_costs_read_back_for_the_keys_asked(db: AWSMetricsStorage) -> None:
    assert db.tag_costs(DAYS[0], DAYS[2], ["team"]) is None
    _tag_costs(db, "2026-09-04", "2026-10-03", {"team": {"web": 2.31, "": 0.26}, "env": {"prod": 2.57}}, 6)
    assert db.tag_costs(DAYS[0], DAYS[2], ["team", "owner"]) == (
        TimePeriod(start=date(2026, 9, 4), end=date(2026, 10, 3)), {"team": {"": 0.26, "web": 2.31}})
    assert db.tag_costs("2026-10-04", "2026-10-31", ["team"]) is None  # no stored period overlaps
    assert db.tag_costs("2026-10-03", "2026-10-03", ["env"]) == (
        TimePeriod(start=date(2026, 9, 4), end=date(2026, 10, 3)), {"env": {"prod": 2.57}})


def test_tag_costs_prefer_the_exact_period_then_the_latest(db: AWSMetricsStorage) -> None:
    _tag_costs(db, "2026-09-04", "2026-10-03", {"team": {"web": 1.0}}, 6)
    _tag_costs(db, "2026-09-05", "2026-10-04", {"team": {"web": 2.0}}, 7)
    _tag_costs(db, "2026-09-03", "2026-10-02", {"team": {"web": 3.0}}, 5)
    assert db.tag_costs("2026-09-04", "2026-10-03", ["team"])[1] == {"team": {"web": 1.0}}
    assert db.tag_costs("2026-09-01", "2026-10-31", ["team"]) == (
        TimePeriod(start=date(2026, 9, 5), end=date(2026, 10, 4)), {"team": {"web": 2.0}})
    _tag_costs(db, "2026-09-05", "2026-10-04", {"team": {"web": 2.0}}, 7)  # the same collection stored again
    assert db.count("raw_responses") == 3
