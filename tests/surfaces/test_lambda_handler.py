"""The Lambda handler: an API Gateway v2 event through Mangum to the API, each invocation billed."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from agent.surfaces import lambda_handler
from agent.surfaces.lambda_handler import billed_ms, handler_for
from tools.billing import BillingEvent, CostLogger, CostTracker, usd
from tools.settings import CostSettings

PRICE = Decimal("0.0000166667")  # the seed's per GB-second


@dataclass
class LambdaContext:
    """The attributes of the runtime's context object that the handler reads."""

    function_name: str = "cost-agent-api"
    memory_limit_in_mb: int = 1024
    aws_request_id: str = "8f5e8c1a-7b7e-4b0e-9d6e-2f1f3c4d5e6f"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:cost-agent-api"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def http_api_event(path: str = "/health", method: str = "GET", query: str = "") -> dict[str, Any]:
    """An API Gateway HTTP API (payload format 2.0) event, as AWS sends it."""
    return {
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
        "headers": {"accept": "application/json", "host": "abc123.execute-api.us-east-1.amazonaws.com",
                    "user-agent": "curl/8.5.0", "x-forwarded-proto": "https", "x-forwarded-port": "443",
                    "x-forwarded-for": "203.0.113.7"},
        "requestContext": {
            "accountId": "123456789012", "apiId": "abc123", "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "abc123", "requestId": "Xb1VbgKbIAMEZ0Q=", "routeKey": "$default", "stage": "$default",
            "time": "24/Nov/2026:04:10:00 +0000", "timeEpoch": 1795493400000,
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7",
                     "userAgent": "curl/8.5.0"},
        },
        "isBase64Encoded": False,
    }


def minimal_app() -> FastAPI:
    app = FastAPI()

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def api_app() -> FastAPI:
    """The product's API when it builds, else the minimal app: the billing path is proven either way."""
    try:
        from agent.surfaces.api.app import create_app
        from tools.settings import load_settings

        return create_app(load_settings())
    except ImportError:
        return minimal_app()


class StepClock:
    """perf_counter stand-in: each invocation takes exactly `step` seconds."""

    def __init__(self, step: float) -> None:
        self.now, self.step, self.calls = 1000.0, step, 0

    def __call__(self) -> float:
        self.calls += 1
        if self.calls % 2 == 0:
            self.now += self.step
        return self.now


def _body(response: dict[str, Any]) -> Any:
    body = response["body"]
    return json.loads(base64.b64decode(body) if response.get("isBase64Encoded") else body)


def test_invocation_is_billed_its_gb_seconds(tmp_path: Path) -> None:
    tracker = CostTracker(CostSettings())
    logger = CostLogger(tmp_path / "cost.log")
    events: list[BillingEvent] = []
    handle = handler_for(minimal_app(), tracker, logger, on_cost=events.append, clock=StepClock(0.25))

    response = handle(http_api_event(), LambdaContext())

    assert response["statusCode"] == 200 and _body(response) == {"status": "ok"}
    # 1024 MB = 1 GB x 0.250 s x $0.0000166667 per GB-second
    assert events[0].cost.lambda_cost == 0.000004166675
    assert tracker.get_cost_summary("cost-agent-api")["breakdown"]["lambda"] == 0.00000417
    (entry,) = logger.read_log_entries(query_type="LAMBDA_INVOCATION")
    assert entry["query"] == "GET /health" and entry["session_id"] == "cost-agent-api"
    assert entry["costs"] == {"bedrock": 0.0, "redshift": 0.0, "lambda": 0.00000417, "total": 0.00000417,
                              "aws_api": 0.0}
    assert entry["details"] == {"request_id": "8f5e8c1a-7b7e-4b0e-9d6e-2f1f3c4d5e6f", "memory_mb": 1024,
                                "billed_duration_ms": 250, "invocation_ms": 250, "status": 200}


def test_query_string_is_not_logged_and_memory_comes_from_context(tmp_path: Path) -> None:
    tracker = CostTracker(CostSettings())
    logger = CostLogger(tmp_path / "cost.log")
    handle = handler_for(minimal_app(), tracker, logger, clock=StepClock(1.0))
    response = handle(http_api_event("/nowhere", query="api_key=s3cr3t"), LambdaContext(memory_limit_in_mb=512))
    assert response["statusCode"] == 404
    (entry,) = logger.read_log_entries()
    assert entry["query"] == "GET /nowhere" and "s3cr3t" not in (tmp_path / "cost.log").read_text()
    assert entry["costs"]["lambda"] == 0.00000833  # 0.5 GB x 1 s x 0.0000166667 = 0.00000833335


def test_real_clock_against_the_api_health(tmp_path: Path) -> None:
    tracker = CostTracker(CostSettings())
    logger = CostLogger(tmp_path / "cost.log")
    handle = handler_for(api_app(), tracker, logger)
    for _ in range(3):
        response = handle(http_api_event(), LambdaContext())
        assert response["statusCode"] == 200 and _body(response)["status"] == "ok"
    entries = logger.read_log_entries(query_type="LAMBDA_INVOCATION")
    assert len(entries) == 3
    billed = [e["details"]["billed_duration_ms"] for e in entries]
    for entry, ms in zip(entries, billed, strict=True):
        assert ms == billed_ms(entry["execution_time"])
        assert entry["costs"]["lambda"] == usd(Decimal(ms) / 1000 * PRICE)
    expected = sum(1.0 * ms / 1000 * 0.0000166667 for ms in billed)
    assert tracker.get_session_cost("cost-agent-api").lambda_cost == pytest.approx(expected, rel=1e-12)


def test_billed_ms_rounds_up_to_the_millisecond() -> None:
    assert [billed_ms(s) for s in (0.0, 0.0001, 0.001, 0.0012, 0.25, 1.0)] == [1, 1, 1, 2, 250, 1000]


@pytest.fixture
def fresh_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    log_file = tmp_path / "lambda-cost.log"
    monkeypatch.setenv("COST__LOG_FILE", str(log_file))
    monkeypatch.setattr(lambda_handler, "_default", None)
    yield log_file


def test_module_handler_serves_the_api(fresh_default: Path) -> None:
    response = lambda_handler.handler(http_api_event(), LambdaContext(memory_limit_in_mb=2048))
    assert response["statusCode"] == 200 and _body(response)["status"] == "ok"
    (entry,) = [json.loads(line) for line in fresh_default.read_text().splitlines()]
    assert entry["query_type"] == "LAMBDA_INVOCATION" and entry["details"]["memory_mb"] == 2048
    assert entry["costs"]["lambda"] == usd(2 * Decimal(entry["details"]["billed_duration_ms"]) / 1000 * PRICE)
