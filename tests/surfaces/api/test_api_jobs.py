"""Collection as a background job: one at a time, status endpoint, refresh bypasses the cache, metrics after."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from surface_samples import API_KEY, AUTH, GatedRun

from agent import metrics
from agent.surfaces.api import create_app
from agent.surfaces.api.jobs import JobManager
from agent.surfaces.api.scheduler import CollectionScheduler
from tools.settings import load_settings


def _value(name: str, labels: dict[str, str] | None = None) -> float | None:
    return metrics.REGISTRY.get_sample_value(name, labels or {})


def test_second_collect_returns_the_running_job(client, gated: GatedRun) -> None:
    first = client.post("/api/v1/aws/collect", headers=AUTH)
    assert first.status_code == 202
    job_id = first.json()["job_id"]
    assert first.json()["status"] == "started"
    second = client.post("/api/v1/aws/collect", headers=AUTH)
    assert second.status_code == 200
    assert (second.json()["status"], second.json()["job_id"]) == ("running", job_id)
    also = client.post("/api/v1/aws/refresh", headers=AUTH)
    assert (also.status_code, also.json()["job_id"]) == (200, job_id)
    running = client.get(f"/api/v1/aws/jobs/{job_id}", headers=AUTH).json()
    assert (running["status"], running["trigger"], running["finished_at"]) == ("running", "api", None)
    assert client.get("/health").json()["running_job"] == job_id
    gated.gate.set()
    client.app.state.jobs.wait(job_id, 10)
    done = client.get(f"/api/v1/aws/jobs/{job_id}", headers=AUTH).json()
    assert done["status"] == "succeeded"
    assert done["summary"] == {"total_monthly_cost": 2260.0, "total_savings": 224.89, "total_waste": 224.89,
                               "pricing_levers": 0.0, "opportunities": 3,
                               "anomalies": 1, "partial": False}
    assert gated.calls == [False]


def test_refresh_bypasses_the_cache(client, gated: GatedRun) -> None:
    gated.gate.set()
    r = client.post("/api/v1/aws/refresh", headers=AUTH)
    assert (r.status_code, r.json()["status"]) == (202, "started")
    job = client.app.state.jobs.wait(r.json()["job_id"], 10)
    assert (job.status, job.trigger, job.refresh) == ("succeeded", "refresh", True)
    assert gated.calls == [True]


def test_failed_run_is_a_failed_job_with_one_line(storage_env) -> None:
    run = GatedRun(error=RuntimeError("Cost Explorer is not enabled\nsecond line"))
    run.gate.set()
    with TestClient(create_app(load_settings(api_key=API_KEY), run_fn=run)) as c:
        job_id = c.post("/api/v1/aws/collect", headers=AUTH).json()["job_id"]
        c.app.state.jobs.wait(job_id, 10)
        job = c.get(f"/api/v1/aws/jobs/{job_id}", headers=AUTH).json()
    assert (job["status"], job["error"], job["summary"]) == ("failed", "RuntimeError: Cost Explorer is not enabled",
                                                             None)


def test_metrics_updated_after_a_collection(client, gated: GatedRun) -> None:
    calls_before = _value("aws_api_calls_total", {"service": "cost-explorer"}) or 0.0
    errors_before = _value("aws_api_errors_total", {"error_type": "UnauthorizedOperation"}) or 0.0
    bedrock_before = _value("agent_run_cost_usd_total", {"component": "bedrock"}) or 0.0
    tokens_before = _value("agent_llm_tokens_total", {"direction": "input"}) or 0.0
    count_before = _value("aws_cost_collection_duration_seconds_count") or 0.0
    gated.gate.set()
    job_id = client.post("/api/v1/aws/collect", headers=AUTH).json()["job_id"]
    client.app.state.jobs.wait(job_id, 10)
    assert _value("aws_total_monthly_cost_usd", {"service": "Amazon Elastic Compute Cloud - Compute"}) == 1200.0
    assert _value("aws_waste_identified_usd", {"service": "EC2"}) == 210.24
    assert _value("aws_waste_identified_usd", {"service": "EBS"}) == 11.0
    assert _value("aws_optimization_opportunities", {"type": "idle_resource"}) == 2.0
    assert _value("aws_idle_resources_count", {"service": "EC2"}) == 2.0
    assert _value("aws_idle_resources_count", {"service": "VPC"}) == 1.0
    assert _value("aws_cost_collection_duration_seconds_count") == count_before + 1
    assert _value("aws_api_calls_total", {"service": "cost-explorer"}) == calls_before + 7
    assert _value("aws_api_errors_total", {"error_type": "UnauthorizedOperation"}) == errors_before + 1
    # The run's bill reaches Prometheus from the graph's own steps as they are billed (tests/agent/test_summary.py);
    # the API adds nothing from the finished report, so nothing is counted twice.
    assert (_value("agent_run_cost_usd_total", {"component": "bedrock"}) or 0.0) == bedrock_before
    assert (_value("agent_llm_tokens_total", {"direction": "input"}) or 0.0) == tokens_before
    text = client.get("/metrics").text
    assert 'aws_total_monthly_cost_usd{service="AWS Lambda"} 70.0' in text


def test_schedule_skips_overlapping_runs_and_logs_it(caplog: pytest.LogCaptureFixture) -> None:
    run = GatedRun()
    jobs = JobManager(run)
    scheduler = CollectionScheduler("*/5 * * * *", jobs, clock=lambda: datetime(2026, 11, 23, 6, 2, tzinfo=UTC))
    assert scheduler.next_run() == datetime(2026, 11, 23, 6, 5, tzinfo=UTC)
    with caplog.at_level(logging.INFO, logger="agent.surfaces.api.scheduler"):
        assert scheduler.tick() is True
        running = jobs.running()
        assert running is not None and running.trigger == "schedule"
        assert scheduler.tick() is False
    run.gate.set()
    jobs.wait(running.job_id, 10)
    assert (scheduler.fired, scheduler.skipped, run.calls) == (1, 1, [False])
    skipped = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert skipped == [f"scheduled collection skipped: job {running.job_id} is still running "
                       f"(started {running.started_at.isoformat()})"]


def test_schedule_runs_inside_serve(storage_env) -> None:
    run = GatedRun()
    run.gate.set()
    settings = load_settings(api_key=API_KEY, aws_collection_schedule="* * * * *")
    with TestClient(create_app(settings, run_fn=run)) as c:
        scheduler = c.app.state.scheduler
        assert scheduler is not None and scheduler._thread is not None and scheduler._thread.is_alive()
        assert c.get("/health").json()["schedule"] == "* * * * *"
    assert scheduler._thread is None
