"""`GET /api/v1/aws/costs`: spend by tag for the keys asked, spend by linked account and one account's, and
"no data yet" said, not shown as $0.00."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from surface_samples import AUTH, END, START, daily_rows

from tools.models import CostRow, Report
from tools.storage.reads import TAG_COSTS_KIND

COSTS = "/api/v1/aws/costs"
PERIOD = {"start_date": START.isoformat(), "end_date": END.isoformat()}
# What a collection stores for its report period: Cost Explorer's TAG group totals, '' the untagged spend.
BY_TAG = {"team": {"": 260.0, "checkout": 1500.0, "data": 500.0},
          "env": {"": 60.0, "dev": 700.0, "prod": 1500.0},
          "cost-center": {"": 2260.0}}


def _store_tag_costs(storage, start: str, end: str, by_tag: dict, at: datetime) -> None:
    storage.store_raw(TAG_COSTS_KIND, {"start": start, "end": end, "by_tag": by_tag}, run_id=f"run-{at:%d%H}",
                      collected_at=at)


def test_by_tag_for_the_keys_asked(client, filled: Report, storage_env) -> None:
    _store_tag_costs(storage_env, "2026-10-24", "2026-11-22", BY_TAG, datetime(2026, 11, 23, 6, tzinfo=UTC))
    r = client.get(COSTS, params={**PERIOD, "tag_key": ["team", "env"]}, headers=AUTH)
    assert r.status_code == 200
    body = r.json()
    assert body["total_cost"] == 2260.0
    assert body["by_tag"] == {"team": {"": 260.0, "checkout": 1500.0, "data": 500.0},
                              "env": {"": 60.0, "dev": 700.0, "prod": 1500.0}}
    assert sum(body["by_tag"]["team"].values()) == body["total_cost"]  # the same usage basis as the total
    assert (body["by_tag_period"], body["notes"]) == ({"start": "2026-10-24", "end": "2026-11-22"}, [])


def test_by_tag_defaults_to_cost_allocation_tags(client, filled: Report, storage_env) -> None:
    _store_tag_costs(storage_env, "2026-10-24", "2026-11-22", BY_TAG, datetime(2026, 11, 23, 6, tzinfo=UTC))
    body = client.get(COSTS, params=PERIOD, headers=AUTH).json()
    assert body["by_tag"] == BY_TAG  # COST_ALLOCATION_TAGS: env, team, cost-center
    assert list(body["by_tag"]) == ["env", "team", "cost-center"]


def test_a_key_never_collected_is_named(client, filled: Report, storage_env) -> None:
    _store_tag_costs(storage_env, "2026-10-24", "2026-11-22", BY_TAG, datetime(2026, 11, 23, 6, tzinfo=UTC))
    body = client.get(COSTS, params={**PERIOD, "tag_key": ["owner", "team", "owner"]}, headers=AUTH).json()
    assert body["by_tag"] == {"owner": {}, "team": BY_TAG["team"]}
    assert body["notes"] == ["Tag key 'owner' was not collected: add it to COST_ALLOCATION_TAGS and collect again."]


def test_by_tag_comes_from_the_latest_overlapping_collection_and_says_its_period(client, filled: Report,
                                                                                storage_env) -> None:
    older = {"team": {"checkout": 1.0}}
    _store_tag_costs(storage_env, "2026-10-22", "2026-11-20", older, datetime(2026, 11, 21, 6, tzinfo=UTC))
    _store_tag_costs(storage_env, "2026-10-23", "2026-11-21", BY_TAG, datetime(2026, 11, 22, 6, tzinfo=UTC))
    _store_tag_costs(storage_env, "2025-01-01", "2025-01-30", older, datetime(2026, 11, 24, 6, tzinfo=UTC))
    body = client.get(COSTS, params={**PERIOD, "tag_key": "team"}, headers=AUTH).json()
    assert body["by_tag"] == {"team": BY_TAG["team"]}
    assert body["by_tag_period"] == {"start": "2026-10-23", "end": "2026-11-21"}
    assert body["notes"] == ["by_tag covers 2026-10-23..2026-11-21, the report period of the latest collection that "
                             "overlaps the period asked."]
    # one covering exactly the period asked wins over a later one that only overlaps
    _store_tag_costs(storage_env, "2026-10-24", "2026-11-22", older, datetime(2026, 11, 23, 6, tzinfo=UTC))
    exact = client.get(COSTS, params={**PERIOD, "tag_key": "team"}, headers=AUTH).json()
    assert (exact["by_tag"], exact["notes"]) == ({"team": {"checkout": 1.0}}, [])


def test_by_tag_is_account_wide_so_not_under_a_filter(client, filled: Report, storage_env) -> None:
    _store_tag_costs(storage_env, "2026-10-24", "2026-11-22", BY_TAG, datetime(2026, 11, 23, 6, tzinfo=UTC))
    body = client.get(COSTS, params={**PERIOD, "service": "lambda", "tag_key": "team"}, headers=AUTH).json()
    assert (body["total_cost"], body["by_tag"], body["by_tag_period"]) == (70.0, {}, None)
    assert body["notes"] == ["by_tag is the whole bill's: ask without service, region and account_id to see it."]


def test_nothing_collected_says_no_data_yet(client) -> None:
    r = client.get(COSTS, params={"start_date": "2026-01-01", "end_date": "2026-01-31"}, headers=AUTH)
    assert r.status_code == 200
    assert r.json() == {
        "time_period": {"start": "2026-01-01", "end": "2026-01-31"}, "total_cost": 0.0, "by_service": {},
        "by_region": {}, "by_account": {}, "by_tag": {"env": {}, "team": {}, "cost-center": {}}, "currency": "USD",
        "has_data": False, "data_period": None, "by_tag_period": None,
        "notes": ["No cost data is stored for 2026-01-01..2026-01-31 yet: run a collection "
                  "(POST /api/v1/aws/collect or cost-agent run)."]}


def test_a_period_partly_collected_says_which_part(client, filled: Report) -> None:
    body = client.get(COSTS, params={"start_date": "2026-10-01", "end_date": "2026-10-31", "tag_key": "team"},
                      headers=AUTH).json()
    assert (body["total_cost"], body["has_data"]) == (600.0, True)  # 8 days x $75
    assert body["data_period"] == {"start": "2026-10-24", "end": "2026-10-31"}
    assert body["notes"] == [
        "Costs are stored for 2026-10-24..2026-10-31 only; the rest of 2026-10-01..2026-10-31 has no collected data.",
        "No spend by tag is stored for a period overlapping 2026-10-01..2026-10-31: each collection stores it for "
        "the COST_ALLOCATION_TAGS keys over its report period."]


def test_the_schema_promises_iso_dates_and_repeatable_tag_keys(client) -> None:
    params = {p["name"]: p["schema"] for p in client.get("/openapi.json").json()["paths"][COSTS]["get"]["parameters"]}
    assert params["end_date"]["anyOf"][0] == {"type": "string", "format": "date"}
    assert params["tag_key"]["type"] == "array" and params["tag_key"]["maxItems"] == 10
    assert params["tag_key"]["items"] == {"type": "string", "pattern": r"^[\w .:/=+\-@]{1,128}$"}


PAYER, A, B = "123456789012", "111122223333", "444455556666"
EC2, RDS, LAMBDA = "Amazon Elastic Compute Cloud - Compute", "Amazon Relational Database Service", "AWS Lambda"
# The sample bill split over two linked accounts by where each service runs: A in us-east-1, B in eu-west-1.
#   A: 30 x ($40 EC2 + $20 RDS + $2 Lambda) + the $10 Lambda spike = 1200 + 600 + 70 = $1,870.00
#   B: 30 x ($8 EC2 - Other + $5 S3)                                                = $390.00
OWNER = {"us-east-1": A, "eu-west-1": B}


def _store_account_rows(storage) -> None:
    rows = [CostRow(day=r.day, service=r.service, region="", account_id=OWNER[r.region], cost=r.cost)
            for r in daily_rows()]
    storage.store_cost_metrics(rows, run_id="run-org", account_id=PAYER, breakdown="account",
                               version=datetime(2026, 11, 23, 6, tzinfo=UTC))


def test_by_account_is_the_spend_of_each_linked_account(client, filled: Report, storage_env) -> None:
    _store_account_rows(storage_env)
    body = client.get(COSTS, params=PERIOD, headers=AUTH).json()
    assert (body["total_cost"], body["by_account"]) == (2260.0, {A: 1870.0, B: 390.0})
    assert sum(body["by_account"].values()) == body["total_cost"]
    assert client.get(COSTS, params={**PERIOD, "service": "lambda"}, headers=AUTH).json()["by_account"] == {A: 70.0}


def test_one_account_s_spend_by_service(client, filled: Report, storage_env) -> None:
    _store_account_rows(storage_env)
    body = client.get(COSTS, params={**PERIOD, "account_id": A}, headers=AUTH).json()
    assert (body["total_cost"], body["by_region"], body["by_account"]) == (1870.0, {}, {A: 1870.0})
    assert body["by_service"] == {EC2: 1200.0, RDS: 600.0, LAMBDA: 70.0}
    assert body["notes"] == [
        f"total_cost and by_service are account {A}'s spend by service from Cost Explorer's rows by linked account; "
        "they have no region, so by_region is empty.",
        "by_tag is the whole bill's: ask without service, region and account_id to see it."]
    lam = client.get(COSTS, params={**PERIOD, "account_id": A, "service": "lambda"}, headers=AUTH).json()
    assert (lam["total_cost"], lam["by_service"]) == (70.0, {LAMBDA: 70.0})
    assert client.get(COSTS, params={**PERIOD, "account_id": "999999999999"}, headers=AUTH).json()["total_cost"] == 0.0


def test_one_account_and_a_region_cannot_be_answered_from_rows_by_service(client, filled: Report,
                                                                          storage_env) -> None:
    _store_account_rows(storage_env)
    r = client.get(COSTS, params={**PERIOD, "account_id": A, "region": "us-east-1"}, headers=AUTH)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == ("region: the spend of one linked account is stored by service, not by region; "
                                  "ask for account_id without region")
    by_region = client.get(COSTS, params={**PERIOD, "region": "eu-west-1"}, headers=AUTH).json()
    assert (by_region["total_cost"], by_region["by_account"]) == (390.0, {})
    assert "by_account is by service only: ask without region to see it." in by_region["notes"]


def test_without_rows_by_account_the_filter_is_the_collecting_account(client, filled: Report) -> None:
    body = client.get(COSTS, params={**PERIOD, "account_id": PAYER, "region": "eu-west-1"}, headers=AUTH).json()
    assert (body["total_cost"], body["by_region"], body["by_account"]) == (390.0, {"eu-west-1": 390.0}, {})
    assert body["notes"][0] == (
        "No spend by linked account is stored for 2026-10-24..2026-11-22 (only collections of several accounts "
        f"store it): the figures are what collections made by account {PAYER} stored.")
    assert client.get(COSTS, params={**PERIOD, "account_id": A}, headers=AUTH).json()["total_cost"] == 0.0


@pytest.mark.parametrize("bad", ["12345678901", "1234567890123", "11112222333a", "1111-2222-3333", ""])
def test_an_account_id_is_twelve_digits(client, bad: str) -> None:
    r = client.get(COSTS, params={"account_id": bad}, headers=AUTH)
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "account_id",
                                   "message": f"expected a 12-digit AWS account id such as 111122223333, got {bad!r}"}]


def test_the_schema_gives_account_id_its_pattern(client) -> None:
    params = {p["name"]: p["schema"] for p in client.get("/openapi.json").json()["paths"][COSTS]["get"]["parameters"]}
    assert params["account_id"]["anyOf"][0] == {"type": "string", "pattern": "^[0-9]{12}$"}
    by_account = client.get("/openapi.json").json()["components"]["schemas"]["CostsResponse"]["properties"]["by_account"]
    assert by_account["additionalProperties"] == {"type": "number"}
