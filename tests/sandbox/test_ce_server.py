"""The local Cost Explorer server through a real boto3 client; every answer validated with Stubber."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from sandbox.sandbox_offline import TODAY  # type: ignore[import-not-found]

from tools.sandbox.anomalies import flagged_anomalies
from tools.sandbox.ce_query import PAGE_ROWS
from tools.sandbox.ce_server import CostExplorerState, serve_cost_explorer
from tools.sandbox.cost_lines import LAMBDA

START = TODAY - timedelta(days=30)
PERIOD = {"Start": START.isoformat(), "End": TODAY.isoformat()}
USAGE = {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Usage", "DiscountedUsage", "SavingsPlanCoveredUsage"]}}
"""docs/money.md's usage basis, as the product filters it."""


def _validate(operation: str, response: dict[str, Any]) -> None:
    """Stubber.add_response checks the answer against botocore's output shape for the operation."""
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    Stubber(boto3.client("ce", region_name="us-east-1")).add_response(operation, body)


def _pages(ce: Any, **params: Any) -> list[dict[str, Any]]:
    pages, token = [], None
    while True:
        page = ce.get_cost_and_usage(**params, **({"NextPageToken": token} if token else {}))
        _validate("get_cost_and_usage", page)
        pages.append(page)
        token = page.get("NextPageToken")
        if not token:
            return pages


def test_paging_returns_every_row(ce: Any, offline: Any) -> None:
    first = TODAY - timedelta(days=90)
    pages = _pages(ce, TimePeriod={"Start": first.isoformat(), "End": TODAY.isoformat()}, Granularity="DAILY",
                   Metrics=["UnblendedCost"], GroupBy=[{"Type": "DIMENSION", "Key": "SERVICE"},
                                                       {"Type": "DIMENSION", "Key": "USAGE_TYPE"}])
    got: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for page in pages:
        for result in page["ResultsByTime"]:
            for group in result["Groups"]:
                got[(result["TimePeriod"]["Start"], *group["Keys"])] += Decimal(group["Metrics"]["UnblendedCost"]["Amount"])
    want: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for line in offline.lines:
        want[(line.day.isoformat(), line.service, line.usage_type)] += line.cost
    assert len(pages) == -(-len(want) // PAGE_ROWS) and len(pages) > 1
    assert dict(got) == dict(want)
    assert sum(got.values()) == offline.total()


def test_monthly_total_and_by_service_match_ground_truth(ce: Any, offline: Any) -> None:
    totals = offline.truth["cost_totals"]
    plain = _pages(ce, TimePeriod=PERIOD, Granularity="MONTHLY", Metrics=["UnblendedCost", "AmortizedCost"],
                   Filter=USAGE)
    total = sum(Decimal(r["Total"]["AmortizedCost"]["Amount"]) for p in plain for r in p["ResultsByTime"])
    assert float(total) == totals["total"] == float(offline.usage(START, TODAY)) == offline.truth["monthly_spend"]
    everything = _pages(ce, TimePeriod=PERIOD, Granularity="MONTHLY", Metrics=["UnblendedCost"])
    billed = sum(Decimal(r["Total"]["UnblendedCost"]["Amount"]) for p in everything for r in p["ResultsByTime"])
    assert billed == offline.total(START, TODAY)
    assert billed - total == sum(Decimal(str(v)) for v in offline.truth["adjustments"].values())
    grouped = _pages(ce, TimePeriod=PERIOD, Granularity="MONTHLY", Metrics=["AmortizedCost"], Filter=USAGE,
                     GroupBy=[{"Type": "DIMENSION", "Key": "SERVICE"}])
    by_service: dict[str, Decimal] = defaultdict(Decimal)
    for page in grouped:
        for result in page["ResultsByTime"]:
            assert result["Total"] == {}
            for group in result["Groups"]:
                by_service[group["Keys"][0]] += Decimal(group["Metrics"]["AmortizedCost"]["Amount"])
    assert {k: float(v) for k, v in by_service.items()} == totals["by_service"]
    assert sum(by_service.values()) == total
    assert sum(Decimal(str(v)) for v in totals["by_region"].values()) == total


def test_tag_groups_sum_to_total(ce: Any, offline: Any) -> None:
    pages = _pages(ce, TimePeriod=PERIOD, Granularity="MONTHLY", Metrics=["UnblendedCost"], Filter=USAGE,
                   GroupBy=[{"Type": "TAG", "Key": "team"}])
    by_team: dict[str, Decimal] = defaultdict(Decimal)
    for page in pages:
        for result in page["ResultsByTime"]:
            for group in result["Groups"]:
                by_team[group["Keys"][0]] += Decimal(group["Metrics"]["UnblendedCost"]["Amount"])
    assert set(by_team) == {"team$data", "team$payments", "team$platform", "team$research", "team$web"}
    assert float(sum(by_team.values())) == offline.truth["cost_totals"]["total"]


def test_filters_and_not(ce: Any, offline: Any) -> None:
    lambda_east = {"And": [{"Dimensions": {"Key": "SERVICE", "Values": [LAMBDA]}},
                           {"Dimensions": {"Key": "REGION", "Values": ["us-east-1"]}}]}
    page = ce.get_cost_and_usage(TimePeriod=PERIOD, Granularity="MONTHLY", Metrics=["UnblendedCost"],
                                 Filter=lambda_east)
    _validate("get_cost_and_usage", page)
    want = sum((ln.cost for ln in offline.lines if ln.service == LAMBDA and ln.region == "us-east-1"
                and START <= ln.day < TODAY), Decimal(0))
    assert sum(Decimal(r["Total"]["UnblendedCost"]["Amount"]) for r in page["ResultsByTime"]) == want
    page = ce.get_cost_and_usage(TimePeriod=PERIOD, Granularity="MONTHLY", Metrics=["UnblendedCost"],
                                 Filter={"And": [USAGE, {"Not": {"Dimensions": {"Key": "REGION",
                                                                                "Values": ["us-east-1"]}}}]})
    got = sum(Decimal(r["Total"]["UnblendedCost"]["Amount"]) for r in page["ResultsByTime"])
    assert float(got) == offline.truth["cost_totals"]["by_region"]["eu-west-1"]


def test_validation_errors(ce: Any) -> None:
    with pytest.raises(ClientError) as err:
        ce.get_cost_and_usage(TimePeriod={"Start": TODAY.isoformat(), "End": TODAY.isoformat()},
                              Granularity="DAILY", Metrics=["UnblendedCost"])
    assert err.value.response["Error"]["Code"] == "ValidationException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as err:
        ce.get_cost_and_usage(TimePeriod=PERIOD, Granularity="DAILY", Metrics=["UnblendedCost"],
                              GroupBy=[{"Type": "DIMENSION", "Key": k} for k in ("SERVICE", "REGION", "USAGE_TYPE")])
    assert err.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as err:
        ce.get_savings_plans_utilization(TimePeriod=PERIOD)
    assert err.value.response["Error"]["Code"] == "DataUnavailableException"


def test_forecast_reservations_and_rightsizing(ce: Any, offline: Any) -> None:
    end = TODAY + timedelta(days=10)
    forecast = ce.get_cost_forecast(TimePeriod={"Start": TODAY.isoformat(), "End": end.isoformat()},
                                    Metric="UNBLENDED_COST", Granularity="MONTHLY")
    _validate("get_cost_forecast", forecast)
    week = offline.total(TODAY - timedelta(days=7), TODAY)
    assert Decimal(forecast["Total"]["Amount"]) == (week / 7 * 10).quantize(Decimal("0.0001"))
    reservations = ce.get_reservation_utilization(TimePeriod=PERIOD)
    _validate("get_reservation_utilization", reservations)
    assert reservations["UtilizationsByTime"] == []  # the standard account has no Reserved Instances
    coverage = ce.get_reservation_coverage(TimePeriod=PERIOD)
    _validate("get_reservation_coverage", coverage)
    assert coverage["Total"]["CoverageHours"]["ReservedHours"] == "0"
    assert coverage["Total"]["CoverageHours"]["CoverageHoursPercentage"] == "0"
    savings_plans = ce.get_savings_plans_coverage(TimePeriod=PERIOD)
    _validate("get_savings_plans_coverage", savings_plans)
    assert {c["Coverage"]["CoveragePercentage"] for c in savings_plans["SavingsPlansCoverages"]} == {"0"}
    recs, token, pages = [], "", 0
    while token is not None:
        page = ce.get_rightsizing_recommendation(Service="AmazonEC2", PageSize=3,
                                                 **({"NextPageToken": token} if token else {}))
        _validate("get_rightsizing_recommendation", page)
        recs += page["RightsizingRecommendations"]
        token, pages = page.get("NextPageToken"), pages + 1
    assert pages == 4
    modify = {r["CurrentInstance"]["ResourceId"]: r["ModifyRecommendationDetail"]["TargetInstances"][0]
              ["ResourceDetails"]["EC2ResourceDetails"]["InstanceType"] for r in recs if r["RightsizingType"] == "MODIFY"}
    assert sorted(modify.values()) == ["c5.2xlarge", "c5.2xlarge", "m5.xlarge", "m5.xlarge"]  # the declared targets
    assert len(recs) == 10  # 4 MODIFY (underused) + 6 TERMINATE (idle, including the ignored one)


def test_latency_per_request(offline: Any) -> None:
    state = CostExplorerState(offline.lines, [], TODAY, latency_ms=250)
    with serve_cost_explorer(state) as server:
        client = boto3.client("ce", region_name="us-east-1", endpoint_url=server.url)
        began = time.monotonic()
        client.get_reservation_coverage(TimePeriod=PERIOD)
        assert time.monotonic() - began >= 0.25
    assert state.requests == ["GetReservationCoverage"]


def test_only_the_planted_anomaly_is_flagged(offline: Any) -> None:
    flagged = flagged_anomalies(offline.lines, TODAY - timedelta(days=30), TODAY - timedelta(days=1))
    planted = offline.truth["anomalies"][0]
    assert [(s, r, d.isoformat()) for s, r, d in flagged] == [(planted["service"], planted["region"], planted["date"])]
    assert planted["driver"] == "USE1-Lambda-GB-Second"
