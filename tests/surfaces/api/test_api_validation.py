"""Every bad query parameter is a 422 problem that names the field and says what is expected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from surface_samples import AUTH

COSTS = "/api/v1/aws/costs"
OPPS = "/api/v1/aws/opportunities"


@pytest.mark.parametrize(("path", "query", "field", "message"), [
    (COSTS, "start_date=2026-13-01", "start_date", "expected a calendar date as YYYY-MM-DD, got '2026-13-01'"),
    (COSTS, "end_date=yesterday", "end_date", "expected a calendar date as YYYY-MM-DD, got 'yesterday'"),
    # pydantic alone reads these leniently (0 as 1970-01-01, a midnight datetime as its day): the schema says ISO
    (COSTS, "end_date=0", "end_date", "expected a calendar date as YYYY-MM-DD, got '0'"),
    (COSTS, "start_date=1700000000", "start_date", "expected a calendar date as YYYY-MM-DD, got '1700000000'"),
    (COSTS, "end_date=2026-01-01T00:00:00", "end_date",
     "expected a calendar date as YYYY-MM-DD, got '2026-01-01T00:00:00'"),
    (COSTS, "end_date=20260101", "end_date", "expected a calendar date as YYYY-MM-DD, got '20260101'"),
    (COSTS, "end_date=2026-W01-1", "end_date", "expected a calendar date as YYYY-MM-DD, got '2026-W01-1'"),
    (COSTS, "end_date=2026-1-5", "end_date", "expected a calendar date as YYYY-MM-DD, got '2026-1-5'"),
    (COSTS, "end_date=%202026-01-05", "end_date", "expected a calendar date as YYYY-MM-DD, got ' 2026-01-05'"),
    (COSTS, "end_date=2026-02-30", "end_date", "expected a calendar date as YYYY-MM-DD, got '2026-02-30'"),
    (COSTS, "end_date=", "end_date", "expected a calendar date as YYYY-MM-DD, got ''"),
    (COSTS, "tag_key=a%27b", "tag_key.0",
     "expected a tag key (letters, digits, spaces and _ . : / = + - @, at most 128), got \"a'b\""),
    (COSTS, "tag_key=", "tag_key.0",
     "expected a tag key (letters, digits, spaces and _ . : / = + - @, at most 128), got ''"),
    (COSTS, "&".join(f"tag_key=k{i}" for i in range(11)), "tag_key",
     "List should have at most 10 items after validation, not 11"),
    (COSTS, "start_date=2026-10-05&end_date=2026-10-01", "query", "start_date 2026-10-05 is after end_date 2026-10-01"),
    (COSTS, "start_date=2025-01-01&end_date=2026-02-01", "query",
     "the period may span at most 13 months (2025-01-01 to 2026-02-01 is longer)"),
    (COSTS, "start_date=2026-01-01&end_date=2026-01-01&service=Foo", "service",
     "unknown service 'Foo'; use a Cost Explorer service name such as 'Amazon Relational Database Service' "
     "or a short name: EC2, EBS, VPC, RDS, Lambda, S3"),
    (COSTS, "region=mars-north-1", "region", "unknown region 'mars-north-1'; use an AWS region name such as us-east-1"),
    (COSTS, "bogus=1", "bogus", "Extra inputs are not permitted"),
    (OPPS, "min_savings=-1", "min_savings", "Input should be greater than or equal to 0"),
    (OPPS, "min_savings=lots", "min_savings", "Input should be a valid number, unable to parse string as a number"),
    (OPPS, "min_savings=inf", "min_savings", "Input should be a finite number"),
    # found by schemathesis: a huge amount overflowed the storage's Decimal(18, 6) (a 500 before)
    (OPPS, "min_savings=6.679983505706746e%2B285", "min_savings", "Input should be less than or equal to 1000000000"),
    (OPPS, "priority=urgent", "priority", "Input should be 'high', 'medium' or 'low'"),
    (OPPS, "service=DynamoDB", "service", "unknown service 'DynamoDB'; use one of EC2, EBS, VPC, RDS, Lambda, S3"),
])
def test_bad_queries(client, path: str, query: str, field: str, message: str) -> None:
    r = client.get(f"{path}?{query}", headers=AUTH)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["title"] == "Invalid request"
    assert body["errors"] == [{"field": field, "message": message}]
    assert body["detail"] == f"{field}: {message}"


def test_thirteen_months_is_the_limit(client, filled) -> None:
    ok = client.get(f"{COSTS}?start_date=2025-10-24&end_date=2026-11-23", headers=AUTH)
    assert ok.status_code == 200
    assert ok.json()["total_cost"] == 2260.0
    assert client.get(f"{COSTS}?start_date=2025-10-24&end_date=2026-11-24", headers=AUTH).status_code == 422


def test_default_period_is_thirty_days_ending_yesterday(client, filled) -> None:
    today = datetime.now(UTC).date()
    body = client.get(COSTS, headers=AUTH).json()
    assert body["time_period"] == {"start": str(today - timedelta(days=30)), "end": str(today - timedelta(days=1))}


@pytest.mark.parametrize(("body", "field", "message"), [
    ({}, "question", "Field required"),
    ({"question": "   "}, "question", "question must not be blank"),
    ({"question": "why?", "thread_id": "a b"}, "thread_id", "String should match pattern '^[A-Za-z0-9_.:-]+$'"),
    ({"question": "why?", "extra": 1}, "extra", "Extra inputs are not permitted"),
])
def test_bad_chat_bodies(client, body: dict, field: str, message: str) -> None:
    r = client.post("/api/v1/chat", json=body, headers=AUTH)
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": field, "message": message}]


def test_job_id_must_look_like_one(client) -> None:
    r = client.get("/api/v1/aws/jobs/NOT-A-JOB", headers=AUTH)
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "job_id", "message": "String should match pattern '^[0-9a-f]+$'"}]
    r = client.get("/api/v1/aws/jobs/abc123", headers=AUTH)
    assert r.status_code == 404
    assert r.json()["detail"] == "no collection job 'abc123' (jobs live in the server's memory)"


def test_a_body_that_is_not_json_is_a_problem_that_says_so(client) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    r = client.post("/api/v1/chat", content=b"{not json", headers=headers)
    assert (r.status_code, r.json()["errors"]) == (
        422, [{"field": "body", "message": "not valid JSON (JSON decode error at character 1)"}])
    # found by schemathesis: bytes that are not even text are refused before JSON, with a documented 400
    r = client.post("/api/v1/chat", content=b"\x17\xcf\x9a|\x10s\xffQ", headers=headers)
    assert (r.status_code, r.headers["content-type"]) == (400, "application/problem+json")
    assert r.json() == {"type": "about:blank", "title": "Bad Request", "status": 400,
                        "detail": "There was an error parsing the body", "instance": "/api/v1/chat"}
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]["/api/v1/chat"]["post"]["responses"]) == {"200", "400", "401", "422", "503"}


def test_a_started_job_links_to_its_status(client) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/aws/collect", "/api/v1/aws/refresh"):
        for status in ("200", "202"):
            assert spec["paths"][path]["post"]["responses"][status]["links"]["GetJob"] == {
                "operationId": "get_job", "parameters": {"job_id": "$response.body#/job_id"},
                "description": "the job's status"}
    assert spec["paths"]["/api/v1/aws/jobs/{job_id}"]["get"]["operationId"] == "get_job"
