"""Opportunities, anomalies, reports, resource details, raw responses and the agent's own spend."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from storage.storage_samples import COLLECTED, DAYS, LAMBDA, anomaly, collection, opportunities, report

from tools.storage import AWSMetricsStorage


def test_opportunities_of_the_latest_run_with_filters(db: AWSMetricsStorage) -> None:
    assert db.query_opportunities() == []
    assert db.store_optimization_opportunities(opportunities(), run_id="run-1", generated_at=COLLECTED) == 3
    assert db.query_opportunities() == opportunities()
    assert db.waste_by_type() == {"idle_resource": 70.08, "savings_plan": 12.5, "volume_type_upgrade": 1.6}
    assert [o.type for o in db.query_opportunities(min_savings=10)] == ["idle_resource", "savings_plan"]
    assert [o.type for o in db.query_opportunities(service="EC2", priority="medium")] == ["savings_plan"]
    assert [o.type for o in db.query_opportunities(type="volume_type_upgrade")] == ["volume_type_upgrade"]
    # a later run with only one opportunity replaces what "latest" means
    later = COLLECTED + timedelta(days=1)
    db.store_optimization_opportunities(opportunities()[1:2], run_id="run-2", generated_at=later)
    assert db.latest_run_id() == "run-2"
    assert db.waste_by_type() == {"volume_type_upgrade": 1.6}
    # a later run that found nothing leaves nothing
    db.store_optimization_opportunities([], run_id="run-3", generated_at=later + timedelta(days=1))
    assert db.query_opportunities() == [] and db.waste_by_type() == {}


def test_anomalies_are_replaced_by_a_later_detection(db: AWSMetricsStorage) -> None:
    assert db.store_anomalies([anomaly()], "run-1", generated_at=COLLECTED) == 1
    db.store_anomalies([anomaly(actual=41.25)], "run-2", generated_at=COLLECTED + timedelta(hours=1))
    found = db.query_anomalies(DAYS[0], DAYS[2], service=LAMBDA)
    assert found == [anomaly(actual=41.25)]
    assert found[0].change_percentage == 2650.0 and found[0].drivers[0].change == 37.5
    assert db.query_anomalies(start=DAYS[2] + timedelta(days=1)) == []
    assert db.query_anomalies(service="AWS Glue") == []


def test_latest_report_round_trips(db: AWSMetricsStorage) -> None:
    assert db.latest_report() is None
    db.store_report(report(), "run-1")
    db.store_report(report(COLLECTED + timedelta(days=1), total=120.0), "run-2")
    latest = db.latest_report()
    assert latest == report(COLLECTED + timedelta(days=1), total=120.0)
    assert latest.total_monthly_cost == 120.0 and latest.opportunities[0].resources[0].resource_id == "i-0aaa"


def test_resource_details(db: AWSMetricsStorage) -> None:
    db.store_collection(collection(), "run-1")
    db.store_optimization_opportunities(opportunities(), run_id="run-1", generated_at=COLLECTED)
    details = db.resource_details("i-0aaa")
    assert details["resource"]["resource_type"] == "m5.large" and details["resource"]["tags"] == {"team": "web"}
    assert details["utilization"] == {
        "cpu": {"statistic": "Average", "latest_value": 3.5, "latest_date": "2026-10-03", "days": 3, "average": 2.5},
        "monthly_cost": {"statistic": "price_book", "latest_value": 70.08, "latest_date": "2026-10-04", "days": 1,
                         "average": 70.08},
    }
    assert details["cost_last_30_days"] == 2.3 and details["cost_days"] == 1
    assert details["findings"] == [{
        "type": "idle_resource", "service": "EC2", "priority": "high", "resource_id": "i-0aaa",
        "region": "us-east-1", "monthly_cost": 70.08, "estimated_savings": 70.08,
        "recommendation": "stop or terminate", "evidence": {"cpu_avg": 2.5, "days": 3}, "confidence": 0.9,
        "name": "", "resource_type": "", "price_basis": "book", "account_id": "",
        "counted": True}]
    assert db.resource_details("i-unknown") is None


def test_agent_costs_totals_and_idempotency(db: AWSMetricsStorage) -> None:
    at = datetime(2026, 10, 4, 6, 0, 1, 250000, tzinfo=UTC)
    records = [
        {"timestamp": at, "run_id": "run-1", "component": "bedrock", "model": "anthropic.claude-3-5-sonnet",
         "input_tokens": 1200, "output_tokens": 300, "cost": 0.0081},
        {"timestamp": at + timedelta(seconds=1), "run_id": "run-1", "component": "aws_api", "cost": 0.07,
         "operation": "GetCostAndUsage", "calls": 7},
        {"timestamp": "2026-10-05T00:00:00+00:00", "session_id": "chat-1", "component": "redshift",
         "cost": 0.000125},
    ]
    assert db.store_agent_costs(records) == 3
    db.store_agent_costs(records[:2])  # the same records again: no double counting
    assert db.agent_cost_totals() == {"bedrock": 0.0081, "redshift": 0.000125, "lambda": 0.0, "aws_api": 0.07,
                                      "total": 0.078225, "input_tokens": 1200, "output_tokens": 300, "records": 3}
    assert db.agent_cost_totals(end="2026-10-04")["total"] == 0.0781
    details = db.client.query("SELECT details FROM agent_costs FINAL WHERE component = 'aws_api'").result_rows
    assert json.loads(details[0][0]) == {"calls": 7, "operation": "GetCostAndUsage"}


def test_raw_responses_are_kept_apart(db: AWSMetricsStorage) -> None:
    payload = {"ResultsByTime": [{"TimePeriod": {"Start": "2026-10-01", "End": "2026-10-02"}}]}
    db.store_raw("ce/get_cost_and_usage", payload, run_id="run-1", collected_at=COLLECTED)
    db.store_raw("ce/get_cost_and_usage", payload, run_id="run-1", collected_at=COLLECTED)
    assert db.count("raw_responses") == 1 and db.count("cost_metrics") == 0
    stored = db.client.query("SELECT kind, run_id, payload FROM raw_responses FINAL").result_rows
    assert [(k, r, json.loads(p)) for k, r, p in stored] == [("ce/get_cost_and_usage", "run-1", payload)]


def test_concurrent_writers_and_readers_share_one_instance(db: AWSMetricsStorage) -> None:
    import threading

    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(5):
                db.store_agent_costs([{"timestamp": COLLECTED + timedelta(seconds=worker * 10 + i), "run_id": "r",
                                       "component": "aws_api", "cost": 0.01, "id": f"{worker}-{i}"}])
                db.agent_cost_totals()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    totals = db.agent_cost_totals()
    assert (totals["aws_api"], totals["records"]) == (0.4, 40)
