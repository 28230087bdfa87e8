"""Costs, opportunities and the analysis, read from real (chDB) storage through the API."""

from __future__ import annotations

from surface_samples import AUTH

from agent.analysis.savings import RULE
from tools.models import Report


def test_costs_for_the_period_in_the_seed_shape(client, filled: Report) -> None:
    r = client.get("/api/v1/aws/costs?start_date=2026-10-24&end_date=2026-11-22", headers=AUTH)
    assert r.status_code == 200
    assert r.json() == {
        "time_period": {"start": "2026-10-24", "end": "2026-11-22"},
        "total_cost": 2260.0,
        "by_service": {"Amazon Elastic Compute Cloud - Compute": 1200.0, "Amazon Relational Database Service": 600.0,
                       "EC2 - Other": 240.0, "AWS Lambda": 70.0, "Amazon Simple Storage Service": 150.0},
        "by_region": {"us-east-1": 1870.0, "eu-west-1": 390.0}, "by_account": {},
        "by_tag": {"env": {}, "team": {}, "cost-center": {}},
        "currency": "USD",
        "has_data": True,
        "data_period": {"start": "2026-10-24", "end": "2026-11-22"},
        "by_tag_period": None,
        "notes": ["No spend by tag is stored for a period overlapping 2026-10-24..2026-11-22: each collection "
                  "stores it for the COST_ALLOCATION_TAGS keys over its report period."],
    }


def test_costs_filtered_by_short_service_name_and_region(client, filled: Report) -> None:
    r = client.get("/api/v1/aws/costs", params={"start_date": "2026-11-15", "end_date": "2026-11-15",
                                                "service": "lambda", "region": "us-east-1"}, headers=AUTH)
    assert r.status_code == 200
    body = r.json()
    assert body["total_cost"] == 12.0
    assert body["by_service"] == {"AWS Lambda": 12.0}
    r = client.get("/api/v1/aws/costs", params={"start_date": "2026-11-01", "end_date": "2026-11-10",
                                                "region": "eu-west-1"}, headers=AUTH)
    assert r.json()["total_cost"] == 130.0
    assert r.json()["by_region"] == {"eu-west-1": 130.0}


def test_opportunities_filtered(client, filled: Report) -> None:
    r = client.get("/api/v1/aws/opportunities", headers=AUTH)
    assert r.status_code == 200
    body = r.json()
    # no resource has two findings in the sample: counted once is the plain sum, all of it waste
    assert (body["count"], body["total_savings"], body["waste"], body["found_savings"]) == (3, 224.89, 224.89, 224.89)
    assert [o["counted_savings"] for o in body["opportunities"]] == [210.24, 11.0, 3.65]
    assert [o["type"] for o in body["opportunities"]] == ["idle_resource", "unattached_volume", "unused_elastic_ip"]
    r = client.get("/api/v1/aws/opportunities?min_savings=10", headers=AUTH)
    assert [(o["type"], o["estimated_savings"]) for o in r.json()["opportunities"]] == [
        ("idle_resource", 210.24), ("unattached_volume", 11.0)]
    r = client.get("/api/v1/aws/opportunities?service=ec2&priority=high", headers=AUTH)
    opps = r.json()["opportunities"]
    assert [f["resource_id"] for f in opps[0]["resources"]] == ["i-0idle000000000001", "i-0idle000000000002"]
    assert opps[0]["resources"][0]["evidence"]["arithmetic"] == "730 h x $0.1920/h = $140.16"
    r = client.get("/api/v1/aws/opportunities?priority=low&service=RDS", headers=AUTH)
    assert r.json() == {"count": 0, "total_savings": 0.0, "waste": 0.0, "pricing_levers": 0.0, "found_savings": 0.0,
                        "merged": [], "rule": RULE, "opportunities": []}


def test_analysis_is_the_stored_report(client, filled: Report, report_checker) -> None:
    r = client.get("/api/v1/aws/analysis", headers=AUTH)
    assert r.status_code == 200
    body = r.json()
    report_checker(body)
    assert body["total_monthly_cost"] == 2260.0
    assert body["total_waste"] == 224.89
    assert body["run_cost"] == {"bedrock": 0.0123, "redshift": 0.0, "lambda": 0.0, "aws_api": 0.07,
                                "total": 0.0823, "input_tokens": 2100, "output_tokens": 400}


def test_analysis_before_any_run_is_a_404_problem(client) -> None:
    r = client.get("/api/v1/aws/analysis", headers=AUTH)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json() == {"type": "about:blank", "title": "Not Found", "status": 404,
                        "detail": "No analysis yet: start one with POST /api/v1/aws/collect.",
                        "instance": "/api/v1/aws/analysis"}


def test_unknown_route_is_a_problem(client) -> None:
    r = client.get("/api/v1/nothing-here", headers=AUTH)
    assert r.status_code == 404
    assert r.json()["title"] == "Not Found"
