"""Cost Explorer client against a loopback JSON server: exact totals, requests, validation, cache, missing data."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tests.aws.conftest import TODAY
from tools.aws.ce_cache import PREFIX, DiskCache, RedisCache, cache_key, make_cache
from tools.aws.clients import ClientFactory
from tools.aws.cost_explorer import (
    CostExplorerClient,
    CostExplorerRequestError,
    CostExplorerUnavailable,
    months_back,
)
from tools.models import TimePeriod
from tools.settings import load_settings

EC2 = "Amazon Elastic Compute Cloud - Compute"


@pytest.fixture
def make_client(ce_server, tmp_path):
    made = []

    def make(**overrides):
        settings = load_settings(data_dir=tmp_path, **overrides)
        factory = ClientFactory(settings)
        client = CostExplorerClient(factory, settings, make_cache(settings), today=TODAY)
        made.append(factory)
        return client, factory

    with mock_aws():
        yield make


def test_summary_totals_reconcile_to_the_cent_with_history_and_tags(make_client, ce_server):
    ce, factory = make_client()
    summary = ce.collect_summary()
    assert summary.time_period == TimePeriod(start=date(2026, 10, 25), end=date(2026, 11, 23))
    assert summary.total_cost == 162.16
    assert summary.by_service == {EC2: 146.16, "EC2 - Other": 10.0, "AWS Lambda": 3.7,
                                  "Amazon Simple Storage Service": 2.3}
    assert summary.by_region == {"us-east-1": 85.12, "eu-west-1": 77.04}
    assert summary.by_tag["env"] == {"": 12.3, "dev": 77.04, "prod": 72.82}
    assert summary.by_tag["team"] == {"": 162.16}
    for parts in (summary.by_service, summary.by_region, summary.by_tag["env"]):
        assert sum(Decimal(str(v)) for v in parts.values()) == Decimal("162.16")
    # 58 days of daily history (28 before the period) by service x region and by service x usage type
    assert len(summary.daily) == 58 * 5 and len(summary.daily_by_usage_type) == 58 * 5
    assert min(r.day for r in summary.daily) == date(2026, 9, 27)
    assert max(r.day for r in summary.daily) == date(2026, 11, 23)
    lambda_row = next(r for r in summary.daily_by_usage_type if r.service == "AWS Lambda")
    assert (lambda_row.usage_type, lambda_row.region, lambda_row.cost) == ("USE1-Lambda-GB-Second", "", 0.1234567891)
    # requests: exclusive end, both metrics, 3 pages of 20 days each for the two daily queries, 1 per tag
    first = ce_server.requests[0][1]
    assert first["TimePeriod"] == {"Start": "2026-09-27", "End": "2026-11-24"}
    assert first["Granularity"] == "DAILY" and first["Metrics"] == ["UnblendedCost", "AmortizedCost"]
    assert first["GroupBy"] == [{"Type": "DIMENSION", "Key": "SERVICE"}, {"Type": "DIMENSION", "Key": "REGION"}]
    usage_only = {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Usage", "DiscountedUsage",
                                                                   "SavingsPlanCoveredUsage"]}}
    assert first["Filter"] == usage_only  # credits, refunds, tax and fees never enter the spend
    tag_request = ce_server.requests[-2][1]
    assert tag_request["GroupBy"] == [{"Type": "TAG", "Key": "cost-center"}] and tag_request["Filter"] == usage_only
    assert tag_request["TimePeriod"] == {"Start": "2026-10-25", "End": "2026-11-24"}
    adjustments = ce_server.requests[-1][1]  # everything else on the bill, by record type, shown apart
    assert adjustments["GroupBy"] == [{"Type": "DIMENSION", "Key": "RECORD_TYPE"}] and "Filter" not in adjustments
    assert summary.adjustments == {}  # this bill is all usage
    assert factory.ledger.count("ce", "GetCostAndUsage") == 3 + 3 + 3 + 1
    assert factory.ledger.paid_usd() == Decimal("0.10")


def test_billed_rates_are_two_grouped_requests(make_client, ce_server):
    from tools.aws.ce_rates import billed_usage

    ce, factory = make_client()
    billed = billed_usage(ce)
    on_demand, covered = (body for _, body in ce_server.requests)
    assert on_demand["GroupBy"] == [{"Type": "DIMENSION", "Key": "USAGE_TYPE"}, {"Type": "DIMENSION", "Key": "OPERATION"}]
    assert on_demand["Filter"] == {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Usage"]}}
    assert on_demand["Metrics"] == ["UnblendedCost", "UsageQuantity"] and on_demand["Granularity"] == "MONTHLY"
    assert covered["GroupBy"][1] == {"Type": "DIMENSION", "Key": "RECORD_TYPE"}
    box = next(b for b in billed if b.usage_type == "USE1-BoxUsage:m5.large")
    # 30 days x $2.304 = $69.12 over 30 x 24 = 720 hours: $0.096 an hour
    assert (box.operation, box.cost, box.quantity, box.unit) == ("RunInstances", 69.12, 720.0, "Hrs")
    assert factory.ledger.count("ce", "GetCostAndUsage") == 2


@pytest.mark.parametrize("start,end,granularity,message", [
    (date(2026, 11, 10), date(2026, 11, 9), "DAILY", "after end"),
    (date(2025, 10, 23), date(2026, 11, 1), "MONTHLY", r"more than 13 months back \(earliest 2025-10-24\)"),
    (date(2026, 11, 1), date(2026, 11, 15), "HOURLY", "at most 14 days, asked 15"),
    (date(2026, 11, 1), date(2026, 11, 2), "WEEKLY", "granularity must be one of"),
])
def test_requests_aws_would_reject_are_refused_before_any_call(make_client, ce_server, start, end, granularity,
                                                              message):
    ce, factory = make_client()
    with pytest.raises(CostExplorerRequestError, match=message):
        ce.get_cost_and_usage(start, end, granularity=granularity)
    assert factory.ledger.count() == 0 and ce_server.requests == []


def test_the_limits_themselves_are_accepted(make_client, ce_server):
    ce, factory = make_client()
    ce.get_cost_and_usage(date(2025, 10, 24), date(2025, 10, 24), granularity="MONTHLY")
    ce.get_cost_and_usage(date(2026, 11, 1), date(2026, 11, 14), granularity="HOURLY", group_by=())
    assert factory.ledger.count("ce", "GetCostAndUsage", outcome="ok") == 2
    assert ce_server.requests[1][1]["TimePeriod"] == {"Start": "2026-11-01", "End": "2026-11-15"}
    assert months_back(date(2026, 3, 31), 13) == date(2025, 2, 28)
    ce.get_cost_and_usage(date(2026, 11, 1), date(2026, 11, 1), group_by=("INSTANCE_TYPE", "team"))
    assert ce_server.requests[-1][1]["GroupBy"] == [{"Type": "DIMENSION", "Key": "INSTANCE_TYPE"},
                                                    {"Type": "TAG", "Key": "team"}]


def test_disk_cache_hit_costs_nothing_and_refresh_rewrites(make_client, ce_server, tmp_path):
    ce, factory = make_client()
    first = ce.get_cost_and_usage(date(2026, 11, 1), date(2026, 11, 23))
    assert factory.ledger.count("ce") == 2  # 23 days: two pages
    ce_again, factory_again = make_client()  # a new process would read the same files
    assert ce_again.get_cost_and_usage(date(2026, 11, 1), date(2026, 11, 23)) == first
    assert factory_again.ledger.count("ce") == 0 and factory_again.ledger.paid_usd() == 0  # only the free STS identity call
    assert len(list((tmp_path / "ce-cache").glob("*.json"))) == 1
    ce_again.get_cost_and_usage(date(2026, 11, 1), date(2026, 11, 23), refresh=True)
    assert factory_again.ledger.count("ce") == 2


def test_cache_key_ignores_parameter_order_and_entries_expire(tmp_path):
    assert cache_key("op", {"a": 1, "b": [1, 2]}) == cache_key("op", {"b": [1, 2], "a": 1})
    now = {"t": 1000.0}
    cache = DiskCache(tmp_path, ttl_seconds=3600, clock=lambda: now["t"])
    cache.set("k", [{"x": 1}])
    now["t"] += 3599
    assert cache.get("k") == [{"x": 1}]
    now["t"] += 1
    assert cache.get("k") is None


def test_redis_cache_hit_costs_nothing(make_client, redis_url):
    ce, factory = make_client(redis_url=redis_url)
    assert isinstance(ce.cache, RedisCache)
    for key in ce.cache.client.scan_iter(PREFIX + "*"):
        ce.cache.client.delete(key)
    first = ce.get_cost_and_usage(date(2026, 11, 1), date(2026, 11, 5), group_by=("SERVICE", "TAG:env"))
    assert factory.ledger.count("ce") == 1
    ce_again, factory_again = make_client(redis_url=redis_url)
    assert ce_again.get_cost_and_usage(date(2026, 11, 1), date(2026, 11, 5), group_by=("SERVICE", "TAG:env")) == first
    assert factory_again.ledger.count("ce") == 0 and factory_again.ledger.paid_usd() == 0
    keys = list(ce.cache.client.scan_iter(PREFIX + "*"))
    assert len(keys) == 1 and 3590 < ce.cache.client.ttl(keys[0]) <= 3600
    assert json.loads(ce.cache.client.get(keys[0]))[0]["ResultsByTime"][0]["TimePeriod"]["Start"] == "2026-11-01"


def test_forecast_reservations_and_rightsizing(make_client, ce_server):
    ce, _ = make_client()
    forecast = ce.get_cost_forecast()
    assert forecast.time_period == TimePeriod(start=date(2026, 11, 24), end=date(2026, 12, 23))
    assert (forecast.mean, forecast.lower, forecast.upper) == (160.5, 150.25, 170.75)
    assert ce_server.requests[-1][1]["TimePeriod"] == {"Start": "2026-11-24", "End": "2026-12-24"}
    ri = ce.get_reservation_utilization()
    assert (ri.utilization_percentage, ri.coverage_percentage, ri.net_savings) == (97.5, 25.5, 12.3)
    [rec] = ce.get_right_sizing_recommendations()
    assert (rec.resource_id, rec.current_type, rec.action, rec.target_type, rec.estimated_monthly_savings) == (
        "i-0abc", "m5.2xlarge", "MODIFY", "m5.xlarge", 140.16)


def test_unsupported_operation_is_missing_data_and_other_errors_raise(make_client, ce_server):
    ce, _ = make_client()
    with pytest.raises(CostExplorerUnavailable):
        ce.get_savings_plans_utilization()
    assert ce.missing == ["savings_plans_utilization: DataUnavailableException",
                          "savings_plans_coverage: DataUnavailableException"]
    ce_server.responder = lambda op, body: (400, {"__type": "AccessDeniedException", "message": "no"})
    with pytest.raises(ClientError):
        ce.get_cost_forecast(refresh=True)


def test_savings_plans_coverage_is_spend_weighted(make_client, ce_server):
    def answer(op, body):
        if op == "GetSavingsPlansUtilization":
            return 200, {"Total": {"Utilization": {"UtilizationPercentage": "90", "TotalCommitment": "100"},
                                   "Savings": {"NetSavings": "20.5"}}}
        return 200, {"SavingsPlansCoverages": [
            {"Coverage": {"SpendCoveredBySavingsPlans": "30", "TotalCost": "100"}},
            {"Coverage": {"SpendCoveredBySavingsPlans": "10", "TotalCost": "60"}}]}

    ce_server.responder = answer
    ce, _ = make_client()
    sp = ce.get_savings_plans_utilization()
    assert (sp.utilization_percentage, sp.coverage_percentage, sp.net_savings) == (90.0, 25.0, 20.5)


def test_an_operation_the_endpoint_lacks_is_unavailable_not_a_crash(tmp_path):
    """moto in-process implements no forecast: a NotImplementedError becomes missing data."""
    with mock_aws():
        settings = load_settings(data_dir=tmp_path)
        ce = CostExplorerClient(ClientFactory(settings), settings, today=TODAY)
        with pytest.raises(CostExplorerUnavailable) as unavailable:
            ce.get_cost_forecast()
        assert (unavailable.value.operation, unavailable.value.code) == ("get_cost_forecast", "NotImplemented")
        with pytest.raises(CostExplorerUnavailable):  # remembered for the hour: no second request
            ce.get_cost_forecast()
        assert ce.factory.ledger.count("ce", "GetCostForecast") == 1


def test_the_cache_never_serves_one_endpoint_s_answers_to_another(make_client, ce_server):
    """Same data directory, same request, two endpoints (two accounts): each gets its own answer."""
    ce, _ = make_client()
    assert ce._cache_scope() == f"123456789012@{ce.factory.client('ce').meta.endpoint_url}"
    from tools.aws.ce_cache import cache_key

    params = {"TimePeriod": {"Start": "2026-11-01", "End": "2026-11-06"}}
    assert cache_key("GetCostAndUsage", params, "111@http://a") != cache_key("GetCostAndUsage", params, "222@http://a")
    assert cache_key("GetCostAndUsage", params, "111@http://a") != cache_key("GetCostAndUsage", params, "111@http://b")
