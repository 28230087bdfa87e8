"""Several accounts: Cost Explorer asked once more, at the payer, by linked account and service; the report's
by_account is one month per account and adds up to total_monthly_cost to the cent (docs/money.md)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from agent.analysis.report import AnalysisResult, build_report
from tests.aws.conftest import ACCOUNT_NAMES, TODAY, cost_and_usage
from tools.aws.ce_cache import make_cache
from tools.aws.clients import ClientFactory
from tools.aws.cost_explorer import CostExplorerClient
from tools.models import CollectionResult, CostRow
from tools.settings import load_settings

PROD, DEV, SHARED = "111122223333", "444455556666", "777788889999"
USAGE_ONLY = {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Usage", "DiscountedUsage", "SavingsPlanCoveredUsage"]}}
BY_ACCOUNT = [{"Type": "DIMENSION", "Key": "LINKED_ACCOUNT"}, {"Type": "DIMENSION", "Key": "SERVICE"}]
# One month (2026-10-25..2026-11-23) of the conftest bill per account, by hand:
#   prod:   30 x (2.304 EC2 us-east-1 + 0.1234567891 Lambda) = 72.823703673 -> 72.82
#   dev:    30 x 2.568 EC2 eu-west-1                         = 77.04
#   shared: 30 x (0.3333333333 EBS + 0.0766666667 S3)        = 12.30
# together 162.163703673 -> 162.16 = total_monthly_cost
MONTH_BY_ACCOUNT = {DEV: 77.04, PROD: 72.82, SHARED: 12.3}


@pytest.fixture
def make_client(ce_server, tmp_path):
    def make(**overrides):
        settings = load_settings(data_dir=tmp_path, **overrides)
        factory = ClientFactory(settings)
        return CostExplorerClient(factory, settings, make_cache(settings), today=TODAY), factory, settings

    with mock_aws():
        yield make


def _account_requests(ce_server) -> list[dict]:
    return [body for op, body in ce_server.requests if op == "GetCostAndUsage" and body.get("GroupBy") == BY_ACCOUNT]


def _report(summary, settings):
    collection = CollectionResult(account_id=PROD, collected_at=datetime(2026, 11, 24, 6, tzinfo=UTC),
                                  regions=["us-east-1", "eu-west-1"], costs=summary)
    return build_report(collection, AnalysisResult(), [], settings)


@pytest.mark.parametrize("accounts", ["organization", f"{PROD},{DEV}"])
def test_several_accounts_add_one_request_by_linked_account(make_client, ce_server, accounts):
    ce, factory, _ = make_client(aws_accounts=accounts)
    summary = ce.collect_summary()
    first, *more = _account_requests(ce_server)
    daily = ce_server.requests[0][1]
    # the main daily spend request's metrics and usage filter over the report period only (by_account needs the
    # month, not the 28 days of anomaly history); only the grouping and the start differ
    assert first == {"TimePeriod": {"Start": "2026-10-25", "End": "2026-11-24"}, "Granularity": "DAILY",
                     "Metrics": ["UnblendedCost", "AmortizedCost"], "GroupBy": BY_ACCOUNT, "Filter": USAGE_ONLY}
    assert daily["TimePeriod"] == {"Start": "2026-09-27", "End": "2026-11-24"}
    assert {k: v for k, v in daily.items() if k not in ("GroupBy", "TimePeriod")} == {
        k: v for k, v in first.items() if k not in ("GroupBy", "TimePeriod")}
    # 30 days in pages of 20: two paid pages, the later one the same request with its token
    assert [body.get("NextPageToken") for body in more] == ["20"]
    assert factory.ledger.count("ce", "GetCostAndUsage") == 3 + 3 + 3 + 2 + 1
    assert factory.ledger.paid_usd() == Decimal("0.12")
    assert len(summary.daily_by_account) == 30 * 5
    lambda_row = next(r for r in summary.daily_by_account if r.service == "AWS Lambda")
    assert lambda_row == CostRow(day=date(2026, 10, 25), service="AWS Lambda", region="", cost=0.1234567891,
                                 amortized_cost=0.1234567891, account_id=PROD)
    assert summary.account_names == ACCOUNT_NAMES
    assert summary.total_cost == 162.16  # the spend itself is the main request's, unchanged


def test_one_account_asks_nothing_by_linked_account(make_client, ce_server):
    ce, factory, settings = make_client()
    summary = ce.collect_summary()
    assert _account_requests(ce_server) == []
    assert factory.ledger.count("ce", "GetCostAndUsage") == 3 + 3 + 3 + 1
    assert (summary.daily_by_account, summary.account_names) == ([], {})
    assert _report(summary, settings).by_account == {}


def test_by_account_is_one_month_per_account_adding_up_to_the_total(make_client, ce_server, report_checker):
    ce, _, settings = make_client(aws_accounts="organization")
    report = _report(ce.collect_summary(), settings)
    assert report.total_monthly_cost == 162.16
    assert report.by_account == MONTH_BY_ACCOUNT
    assert sum(Decimal(str(v)) for v in report.by_account.values()) == Decimal("162.16")
    report_checker(json.loads(report.model_dump_json()))


def test_the_answer_by_account_is_cached_like_the_others(make_client, ce_server):
    ce, _, _ = make_client(aws_accounts="organization")
    first = ce.collect_summary()
    again, factory, _ = make_client(aws_accounts="organization")  # a new process reads the same cache
    assert again.collect_summary().daily_by_account == first.daily_by_account
    assert factory.ledger.count("ce") == 0 and len(_account_requests(ce_server)) == 2


def test_a_60_day_lookback_still_gives_one_month_per_account(make_client, ce_server):
    ce, _, settings = make_client(aws_accounts="organization", aws_cost_lookback_days=60)
    summary = ce.collect_summary()
    requests = _account_requests(ce_server)
    # the report period: 60 days, three pages
    assert requests[0]["TimePeriod"] == {"Start": "2026-09-25", "End": "2026-11-24"} and len(requests) == 3
    assert summary.total_cost == 324.33  # 60 days of the period: 2 x 162.163703673
    report = _report(summary, settings)
    assert (report.total_monthly_cost, report.by_account) == (162.16, MONTH_BY_ACCOUNT)


def test_the_answer_by_linked_account_has_cost_explorer_s_own_shape():
    body = {"TimePeriod": {"Start": "2026-11-01", "End": "2026-11-03"}, "Granularity": "DAILY",
            "Metrics": ["UnblendedCost", "AmortizedCost"], "GroupBy": BY_ACCOUNT, "Filter": USAGE_ONLY}
    page = cost_and_usage(body)
    assert page["DimensionValueAttributes"] == [{"Value": i, "Attributes": {"description": ACCOUNT_NAMES[i]}}
                                                for i in (PROD, DEV, SHARED)]
    Stubber(boto3.client("ce", region_name="us-east-1")).add_response("get_cost_and_usage", page)  # validates


def test_an_endpoint_without_answers_by_account_is_missing_data_not_a_failure(make_client, ce_server):
    def responder(operation: str, body: dict) -> tuple[int, dict]:
        if body.get("GroupBy") == BY_ACCOUNT:
            return 400, {"__type": "DataUnavailableException", "message": "no linked accounts"}
        return ce_server.default(operation, body)

    ce_server.responder = responder
    ce, _, _ = make_client(aws_accounts="organization")
    summary = ce.collect_summary()
    assert (summary.total_cost, summary.daily_by_account) == (162.16, [])
    assert ce.missing == ["costs_by_account: DataUnavailableException"]
