"""Anomalies: a planted spike with its driver; no alarm on an ordinary weekend dip; thresholds."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tools.models import CostRow

SERVICE = "AWS Lambda"


def weekly(build, *, weekday: float = 100.0, weekend: float = 40.0, overrides: dict[date, float] | None = None,
           days: int = 58) -> tuple[list[CostRow], list[CostRow]]:
    """`days` days of daily cost ending yesterday with a weekly rhythm, split into two usage types."""
    rows, usage = [], []
    end = build.TODAY - timedelta(days=1)
    for i in range(days):
        day = end - timedelta(days=i)
        cost = (overrides or {}).get(day, weekend if day.weekday() >= 5 else weekday)
        base = weekend if day.weekday() >= 5 else weekday
        rows.append(CostRow(day=day, service=SERVICE, region="us-east-1", cost=cost))
        usage.append(CostRow(day=day, service=SERVICE, region="", usage_type="USE1-Request", cost=base / 2))
        usage.append(CostRow(day=day, service=SERVICE, region="", usage_type="USE1-Lambda-GB-Second",
                             cost=cost - base / 2))
    return rows, usage


def test_no_alarm_on_weekend_dip_or_weekly_rhythm(analyzer, build):
    rows, usage = weekly(build)
    assert analyzer.detect_anomalies(build.cost_summary(rows, usage)) == []


def test_planted_spike_with_its_driver(analyzer, build):
    spike = date(2026, 11, 11)   # a Wednesday inside the period
    rows, usage = weekly(build, overrides={spike: 160.0})
    found = analyzer.detect_anomalies(build.cost_summary(rows, usage))
    assert len(found) == 1
    a = found[0]
    assert (a.service, a.region, a.date, a.expected_cost, a.actual_cost, a.change_percentage) == (
        SERVICE, "us-east-1", spike, 100.0, 160.0, 60.0)
    assert [(d.usage_type, d.expected_cost, d.actual_cost, d.change) for d in a.drivers] == [
        ("USE1-Lambda-GB-Second", 50.0, 110.0, 60.0)]
    assert a.baseline == "mean of the same weekday over the previous 4 weeks"


def test_weekend_spike_against_weekend_baseline(analyzer, build):
    saturday = date(2026, 11, 14)
    rows, usage = weekly(build, overrides={saturday: 70.0})   # below any weekday, but +75 % on a Saturday
    found = analyzer.detect_anomalies(build.cost_summary(rows, usage))
    assert [(a.date, a.expected_cost, a.actual_cost, a.change_percentage) for a in found] == [
        (saturday, 40.0, 70.0, 75.0)]


@pytest.mark.parametrize(("actual", "flagged"), [(120.0, False), (120.01, True), (119.0, False)])
def test_threshold_is_strictly_above_20_percent(analyzer, build, actual, flagged):
    day = date(2026, 11, 18)
    rows, usage = weekly(build, overrides={day: actual})
    assert bool(analyzer.detect_anomalies(build.cost_summary(rows, usage))) is flagged


@pytest.mark.parametrize(("actual", "flagged"), [(14.99, False), (15.0, True)])
def test_minimum_dollars(analyzer, build, actual, flagged):
    day = date(2026, 11, 18)
    rows, usage = weekly(build, weekday=10.0, weekend=10.0, overrides={day: actual})
    assert bool(analyzer.detect_anomalies(build.cost_summary(rows, usage))) is flagged


def test_needs_two_weeks_of_baseline_and_ignores_drops(analyzer, build):
    # only 36 days of history: the first days of the period have fewer than 2 same-weekday baselines
    first = build.TODAY - timedelta(days=30)
    rows, usage = weekly(build, days=36, overrides={first: 500.0, date(2026, 11, 18): 10.0})
    assert analyzer.detect_anomalies(build.cost_summary(rows, usage)) == []


def test_history_before_the_period_is_never_flagged(analyzer, build):
    before = build.TODAY - timedelta(days=31)
    rows, usage = weekly(build, overrides={before: 900.0})
    assert analyzer.detect_anomalies(build.cost_summary(rows, usage)) == []


def test_a_new_service_is_flagged_on_its_first_day_only(analyzer, build):
    rows, usage = weekly(build)
    first = build.TODAY - timedelta(days=5)
    for n in range(5):  # $20 a day of DynamoDB from five days ago, nothing before
        day = first + timedelta(days=n)
        rows.append(CostRow(day=day, service="Amazon DynamoDB", region="eu-west-1", cost=20.0))
        usage.append(CostRow(day=day, service="Amazon DynamoDB", region="", usage_type="EU-ReadCapacityUnit-Hrs",
                             cost=20.0))
    found = analyzer.detect_anomalies(build.cost_summary(rows, usage))
    assert [(a.service, a.region, a.date, a.expected_cost, a.actual_cost, a.change_percentage) for a in found] == [
        ("Amazon DynamoDB", "eu-west-1", first, 0.0, 20.0, 100.0)]
    assert found[0].baseline == "no spend in the previous 4 weeks: new spend"
    assert [d.usage_type for d in found[0].drivers] == ["EU-ReadCapacityUnit-Hrs"]


def test_drivers_come_from_the_anomalys_own_region(analyzer, build):
    spike = date(2026, 11, 11)
    rows, usage = weekly(build, overrides={spike: 160.0})
    usage.append(CostRow(day=spike, service=SERVICE, region="", usage_type="EU-Lambda-GB-Second", cost=500.0))
    [a] = analyzer.detect_anomalies(build.cost_summary(rows, usage))
    assert [d.usage_type for d in a.drivers] == ["USE1-Lambda-GB-Second"]
