"""Collections in Lambda, through the handler itself: a Lambda context object, an API Gateway v2 event (or an
EventBridge schedule), moto in-process and chDB. The collection finishes inside the invocation, and the
invocation's GB-seconds are in the run's stored bill (report, agent_costs, Prometheus) exactly once."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from converse_stub import Reply
from surface_samples import API_KEY, GatedRun, fill

from agent import metrics
from agent.surfaces.api import create_app
from agent.surfaces.api.jobs import JobManager
from agent.surfaces.lambda_handler import build_handler, handler_for
from tools.billing import CostLogger, CostTracker
from tools.settings import CostSettings, get_settings, load_settings

PRICE = Decimal("0.00002")  # per GB-second, from the settings' cost block (set below), so the sums are exact
GB = Decimal(1536) / 1024  # the context's memory_limit_in_mb
REQUEST_ID = "c0ffee00-1234-4abc-8def-000000000001"


@dataclass
class LambdaContext:
    """The attributes and method of the runtime's context object that the handler reads."""

    function_name: str = "cost-agent"
    memory_limit_in_mb: int = 1536
    aws_request_id: str = REQUEST_ID
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:cost-agent"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


class ScriptedClock:
    """perf_counter stand-in: the given readings in order (an invocation's start, the run's bill, its end ...)."""

    def __init__(self, *readings: float) -> None:
        self.readings, self.calls = list(readings), 0

    def __call__(self) -> float:
        value = self.readings[self.calls]
        self.calls += 1
        return value


def api_event(path: str, method: str = "POST", key: str = API_KEY) -> dict[str, Any]:
    """An API Gateway HTTP API (payload format 2.0) event carrying the API key."""
    return {
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
        "headers": {"accept": "application/json", "host": "abc123.execute-api.us-east-1.amazonaws.com",
                    "x-api-key": key, "x-forwarded-proto": "https", "x-forwarded-port": "443",
                    "x-forwarded-for": "203.0.113.7", "content-length": "0"},
        "requestContext": {
            "accountId": "123456789012", "apiId": "abc123", "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "abc123", "requestId": "Xb1VbgKbIAMEZ0Q=", "routeKey": "$default", "stage": "$default",
            "time": "24/Nov/2026:06:00:00 +0000", "timeEpoch": 1795500000000,
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7",
                     "userAgent": "curl/8.5.0"},
        },
        "isBase64Encoded": False,
    }


SCHEDULED_EVENT = {
    "version": "0", "id": "5e1b9c3a-0000-4000-8000-00000000abcd", "detail-type": "Scheduled Event",
    "source": "aws.events", "account": "123456789012", "time": "2026-11-24T06:00:00Z", "region": "us-east-1",
    "resources": ["arn:aws:events:us-east-1:123456789012:rule/cost-agent-daily"], "detail": {},
}


def _body(response: dict[str, Any]) -> Any:
    body = response["body"]
    return json.loads(base64.b64decode(body) if response.get("isBase64Encoded") else body)


def _lambda_usd() -> float:
    return metrics.REGISTRY.get_sample_value("agent_run_cost_usd_total", {"component": "lambda"}) or 0.0


def _job_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("job-")]


@pytest.fixture
def account(storage_env, us_east_1_ec2, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """One idle-looking instance and a gp2 volume in moto; the API key, the Lambda price and a cost log of this
    test's own in the environment the handler reads its settings from."""
    us_east_1_ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="m5.large")
    us_east_1_ec2.create_volume(AvailabilityZone="us-east-1a", Size=100, VolumeType="gp2")
    monkeypatch.setenv("API_KEY", API_KEY)
    monkeypatch.setenv("COST__LAMBDA_COST_PER_GB_SECOND", str(PRICE))
    monkeypatch.setenv("COST__LOG_FILE", str(tmp_path / "cost.log"))
    get_settings.cache_clear()
    return storage_env


def _lambda_rows(storage) -> list[tuple]:
    return storage._rows("SELECT run_id, session_id, cost FROM agent_costs FINAL WHERE component = 'lambda'")


def test_collect_through_api_gateway_finishes_in_the_invocation_and_bills_the_run(
        account, converse, report_checker) -> None:
    storage = account
    converse.queue(Reply(text="placeholder", input_tokens=1800, output_tokens=250))
    # The collection's invocation: start, the run's bill (summarize), end at the same reading; then GET the job.
    clock = ScriptedClock(100.0, 102.0004, 102.0004, 200.0, 200.05)
    handle = build_handler(get_settings(), clock=clock)
    before = _lambda_usd()

    response = handle(api_event("/api/v1/aws/collect"), LambdaContext())

    assert response["statusCode"] == 200  # the job ran to its end inside the invocation
    started = _body(response)
    assert started["status"] == "succeeded"
    assert _job_threads() == [] and clock.calls == 3
    job = handle.jobs.get(started["job_id"]) if handle.jobs else None
    assert job is not None and (job.status, job.error) == ("succeeded", None) and job.finished_at is not None
    report = storage.latest_report()
    report_checker(report.model_dump(mode="json", by_alias=True))
    assert (report.partial, job.summary.opportunities if job.summary else None) == (False, len(report.opportunities))
    # 102.0004 - 100.0 = 2.0004 s, billed 2,001 ms: 1.5 GB x 2.001 s x $0.00002 = $0.00006003.
    run_lambda = GB * Decimal(2001) / 1000 * PRICE
    assert run_lambda == Decimal("0.00006003")
    cost = report.run_cost
    assert cost.lambda_ == float(run_lambda)
    # 1,800 x $0.003/1k + 250 x $0.015/1k = $0.00915 of Bedrock; Cost Explorer requests at $0.01 each.
    paid = float(sum((Decimal(str(c.paid_usd)) for c in report.api_calls), Decimal(0)))
    assert paid > 0 and (cost.bedrock, cost.aws_api) == (0.00915, paid)
    assert cost.total == float(Decimal("0.00915") + Decimal(str(paid)) + run_lambda)
    run_id = storage.latest_run_id()
    assert _lambda_rows(storage) == [(run_id, run_id, run_lambda)]
    assert _lambda_usd() == before + float(run_lambda)
    log = CostLogger(Path(get_settings().cost.log_file))
    (entry,) = log.read_log_entries(query_type="LAMBDA_INVOCATION")  # every millisecond went to the run
    assert (entry["session_id"], entry["details"]) == (
        run_id, {"request_id": REQUEST_ID, "memory_mb": 1536, "billed_duration_ms": 2001})

    # The next invocation on this warm container reads the finished job; its 50 ms are billed to the function.
    read = handle(api_event(f"/api/v1/aws/jobs/{job.job_id}", method="GET"), LambdaContext())
    assert read["statusCode"] == 200 and _body(read)["status"] == job.status
    tail = GB * Decimal(50) / 1000 * PRICE  # 1.5 GB x 0.050 s x $0.00002 = $0.0000015
    assert _lambda_usd() == before + float(run_lambda) + float(tail)
    assert _lambda_rows(storage) == [(run_id, run_id, run_lambda)]
    last = log.read_log_entries(query_type="LAMBDA_INVOCATION")[-1]
    assert (last["session_id"], last["query"], last["costs"]["lambda"]) == (
        "cost-agent", f"GET /api/v1/aws/jobs/{job.job_id}", float(tail))


def test_scheduled_event_collects_inline_and_bills_only_the_tail_after_the_run(
        account, monkeypatch: pytest.MonkeyPatch, report_checker) -> None:
    storage = account
    monkeypatch.setenv("BEDROCK_MODEL_ID", "none")
    get_settings.cache_clear()
    clock = ScriptedClock(10.0, 11.2345, 11.3)
    handle = build_handler(get_settings(), clock=clock)
    before = _lambda_usd()

    job = handle(SCHEDULED_EVENT, LambdaContext())

    assert (job["trigger"], job["refresh"], job["error"]) == ("schedule", False, None)
    assert job["finished_at"] is not None and _job_threads() == [] and clock.calls == 3
    report = storage.latest_report()
    report_checker(report.model_dump(mode="json", by_alias=True))
    assert (job["status"], report.partial) == ("succeeded", False)
    assert job["summary"]["opportunities"] == len(report.opportunities)
    # The run's part: 1.2345 s billed 1,235 ms; the tail: 1,300 - 1,235 = 65 ms. Together Lambda's 1,300 ms.
    run_lambda = GB * Decimal(1235) / 1000 * PRICE  # $0.00003705
    tail = GB * Decimal(65) / 1000 * PRICE  # $0.00000195
    assert run_lambda + tail == GB * Decimal("1.3") * PRICE
    cost = report.run_cost
    assert (cost.lambda_, cost.bedrock) == (float(run_lambda), 0.0)
    assert cost.total == float(Decimal(str(cost.aws_api)) + run_lambda)
    run_id = storage.latest_run_id()
    assert _lambda_rows(storage) == [(run_id, run_id, run_lambda)]
    assert _lambda_usd() == before + float(run_lambda) + float(tail)
    entries = CostLogger(Path(get_settings().cost.log_file)).read_log_entries(query_type="LAMBDA_INVOCATION")
    assert [(e["session_id"], e["query"], e["details"]["billed_duration_ms"], e["costs"]["lambda"])
            for e in entries] == [(run_id, "Lambda invocation, this run's part", 1235, float(run_lambda)),
                                  ("cost-agent", "EventBridge Scheduled Event", 65, float(tail))]
    assert entries[1]["details"]["invocation_ms"] == 1300


def test_direct_invocation_and_refresh_route_run_inline(storage_env, tmp_path: Path) -> None:
    run = GatedRun()
    run.gate.set()
    app = create_app(load_settings(api_key=API_KEY), run_fn=run)
    tracker = CostTracker(CostSettings())
    handle = handler_for(app, tracker, CostLogger(tmp_path / "cost.log"), clock=ScriptedClock(0.0, 0.5, 1.0, 1.25))

    job = handle({"action": "collect", "refresh": True}, LambdaContext())
    refreshed = handle(api_event("/api/v1/aws/refresh"), LambdaContext())

    assert (job["status"], job["trigger"], job["refresh"]) == ("succeeded", "api", True)
    assert job["summary"] == {"total_monthly_cost": 2260.0, "total_savings": 224.89, "total_waste": 224.89,
                              "pricing_levers": 0.0, "opportunities": 3, "anomalies": 1, "partial": False}
    assert refreshed["statusCode"] == 200 and run.calls == [True, True] and _job_threads() == []
    assert _body(refreshed)["status"] == "succeeded"
    finished = app.state.jobs.get(_body(refreshed)["job_id"])
    assert (finished.status, finished.trigger) == ("succeeded", "refresh")
    # No run of its own billed anything (the stand-in has no bill): 0.5 s + 0.25 s at 1.5 GB and the seed's price.
    expected = GB * Decimal("0.75") * Decimal("0.0000166667")
    assert Decimal(str(tracker.get_session_cost("cost-agent").lambda_cost)) == expected


def test_job_manager_runs_inline_in_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    run = GatedRun()
    run.gate.set()
    assert JobManager(run).inline is False
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "cost-agent")
    jobs = JobManager(run)
    job, started = jobs.start(trigger="schedule")
    assert (jobs.inline, started, job.status, job.trigger) == (True, True, "succeeded", "schedule")
    assert job.duration_s is not None and jobs.running() is None and _job_threads() == []


def test_chat_turn_takes_its_part_of_the_invocation(storage_env, converse, monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    storage = storage_env
    fill(storage)
    monkeypatch.setenv("COST__LAMBDA_COST_PER_GB_SECOND", str(PRICE))
    monkeypatch.setenv("COST__LOG_FILE", str(tmp_path / "cost.log"))
    get_settings.cache_clear()
    converse.queue(Reply(text="Nothing to add.", input_tokens=1000, output_tokens=100))
    handle = build_handler(load_settings(api_key=API_KEY), clock=ScriptedClock(5.0, 5.8, 6.0))
    event = api_event("/api/v1/chat")
    event["headers"]["content-type"] = "application/json"
    event["body"] = json.dumps({"question": "What did we spend?", "thread_id": "lambda-chat"})
    before = _lambda_usd()

    response = handle(event, LambdaContext())

    assert response["statusCode"] == 200
    # 1,000 x $0.003/1k + 100 x $0.015/1k of Bedrock; the turn's part: 0.8 s at 1.5 GB; the tail: 0.2 s.
    turn, tail = GB * Decimal("0.8") * PRICE, GB * Decimal("0.2") * PRICE
    assert (turn, tail) == (Decimal("0.000024"), Decimal("0.000006"))
    assert _body(response)["run_cost"] == {"bedrock": 0.0045, "redshift": 0.0, "lambda": float(turn),
                                           "aws_api": 0.0, "total": float(Decimal("0.0045") + turn),
                                           "input_tokens": 1000, "output_tokens": 100}
    assert _lambda_rows(storage) == [("", "lambda-chat", turn)]
    assert _lambda_usd() == before + float(turn) + float(tail)
    entries = CostLogger(tmp_path / "cost.log").read_log_entries(query_type="LAMBDA_INVOCATION")
    assert [(e["session_id"], e["details"]["billed_duration_ms"]) for e in entries] == [
        ("lambda-chat", 800), ("cost-agent", 200)]
