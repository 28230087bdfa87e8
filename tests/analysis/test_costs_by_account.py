"""by_account: one month of each linked account's usage spend, the same month as total_monthly_cost, reconciled to
it to the cent; empty when one account is read."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from agent.analysis.costs import monthly_by_account
from agent.analysis.report import OTHER, AnalysisResult, account_breakdown, breakdowns, build_report
from tools.models import CostRow

A, B, C = "111111111111", "222222222222", "333333333333"
EC2 = "Amazon Elastic Compute Cloud - Compute"


def _summary(build, days: int, per_day: float, accounts: dict[str, float]):
    """`days` days ending yesterday: one region row of `per_day`, and one row per account of its daily amount."""
    end = build.TODAY - timedelta(days=1)
    span = [end - timedelta(days=i) for i in range(days)]
    rows = [CostRow(day=d, service=EC2, region="us-east-1", cost=per_day) for d in span]
    by_account = [CostRow(day=d, service=EC2, region="", account_id=a, cost=c) for d in span for a, c in accounts.items()]
    costs = build.cost_summary(rows, start=span[-1], end=end)
    return costs.model_copy(update={"daily_by_account": by_account})


def test_a_cent_of_rounding_goes_to_the_largest_account_so_the_parts_add_up(build, settings, report_checker):
    # 30 x 1.1111111111 = 33.333333333 each (33.33 rounded, three of them 99.99); 30 x 3.3333333333 = 100.00 in all
    costs = _summary(build, 30, 3.3333333333, {A: 1.1111111111, B: 1.1111111111, C: 1.1111111111})
    total, *_ = breakdowns(costs)
    assert total == Decimal("100.00")
    assert account_breakdown(costs, total) == {A: 33.34, B: 33.33, C: 33.33}  # a tie: the first id takes the cent
    report = build_report(build.collection([], costs), AnalysisResult(), [], settings)
    assert (report.total_monthly_cost, report.by_account) == (100.0, {A: 33.34, B: 33.33, C: 33.33})
    report_checker(json.loads(report.model_dump_json()))


def test_a_short_lookback_is_scaled_to_the_same_month_as_the_total(build):
    # 7 days x 30/7: A $2.00 a day -> $60.00, B $1.00 a day -> $30.00; the total $3.00 a day -> $90.00
    costs = _summary(build, 7, 3.0, {A: 2.0, B: 1.0})
    total, *_ = breakdowns(costs)
    assert monthly_by_account(costs)[A].quantize(Decimal("0.01")) == Decimal("60.00")
    assert (total, account_breakdown(costs, total)) == (Decimal("90.00"), {A: 60.0, B: 30.0})


def test_a_60_day_lookback_counts_only_its_last_30_days(build):
    end = build.TODAY - timedelta(days=1)
    costs = _summary(build, 60, 3.0, {A: 2.0, B: 1.0})
    # the older 30 days of A cost ten times more: outside the month, they change nothing
    older = [r.model_copy(update={"cost": 20.0}) if r.account_id == A and r.day < end - timedelta(days=29) else r
             for r in costs.daily_by_account]
    costs = costs.model_copy(update={"daily_by_account": older})
    total, *_ = breakdowns(costs)
    assert (total, account_breakdown(costs, total)) == (Decimal("90.00"), {A: 60.0, B: 30.0})


def test_spend_no_account_row_explains_is_shown_apart(build):
    # the rows by account hold $6.00 of the $10.00 a day: $120.00 of the month is nobody's, and says so
    costs = _summary(build, 30, 10.0, {A: 6.0})
    total, *_ = breakdowns(costs)
    assert account_breakdown(costs, total) == {A: 180.0, OTHER: 120.0}


def test_one_account_read_has_no_by_account(build, settings):
    costs = _summary(build, 30, 3.0, {})
    assert account_breakdown(costs, Decimal("90.00")) == {} and account_breakdown(None, Decimal(0)) == {}
    assert build_report(build.collection([], costs), AnalysisResult(), [], settings).by_account == {}
