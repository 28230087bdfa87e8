"""API key on every data endpoint (not /health, /metrics, /openapi.json, /docs); both header forms; problems."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from surface_samples import API_KEY, AUTH

from agent.surfaces.api import create_app
from tools.settings import load_settings

PROTECTED = [("get", "/api/v1/aws/costs"), ("get", "/api/v1/aws/opportunities"), ("get", "/api/v1/aws/analysis"),
             ("post", "/api/v1/aws/collect"), ("post", "/api/v1/aws/refresh"), ("get", "/api/v1/aws/jobs/abc123"),
             ("post", "/api/v1/chat"), ("get", "/api/v1/aws/actions")]
OPEN = {"/health", "/metrics"}


def test_health_and_metrics_need_no_key(client) -> None:
    assert client.get("/health").json() == {"status": "ok", "version": "0.1.0", "running_job": None, "schedule": None}
    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain; version=")


@pytest.mark.parametrize(("method", "path"), PROTECTED)
@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": f"Basic {API_KEY}"}, {"X-API-Key": API_KEY + "x"}])
def test_protected_endpoints_refuse_without_the_key(client, method: str, path: str, headers: dict) -> None:
    r = getattr(client, method)(path, headers=headers)
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json() == {"type": "about:blank", "title": "Unauthorized", "status": 401,
                        "detail": "Send the API key as 'X-API-Key: KEY' or 'Authorization: Bearer KEY'.",
                        "instance": path}


def test_both_header_forms_accepted(client, filled) -> None:
    assert client.get("/api/v1/aws/analysis", headers=AUTH).status_code == 200
    assert client.get("/api/v1/aws/analysis", headers={"Authorization": f"Bearer {API_KEY}"}).status_code == 200
    # One good form is enough even when the other carries something else.
    headers = {"Authorization": f"Bearer {API_KEY}", "X-API-Key": "stale"}
    assert client.get("/api/v1/aws/analysis", headers=headers).status_code == 200


def test_the_schema_and_its_page_need_no_key(client) -> None:
    r = client.get("/openapi.json")
    assert (r.status_code, r.headers["content-type"]) == (200, "application/json")
    assert r.json()["info"]["title"] == "OptiInfra Cost Agent"
    page = client.get("/docs")
    assert page.status_code == 200 and "/openapi.json" in page.text and "swagger-ui" in page.text


def test_every_operation_in_the_schema_but_health_and_metrics_needs_the_key(client) -> None:
    spec = client.get("/openapi.json").json()
    operations = [(method, path.replace("{job_id}", "abc123")) for path, item in spec["paths"].items()
                  for method in item if path not in OPEN]
    assert sorted(operations) == sorted(PROTECTED)  # the list above is the whole API: a new endpoint lands here
    for method, path in operations:
        r = client.request(method.upper(), path)
        assert (r.status_code, r.json()["title"]) == (401, "Unauthorized"), path
    assert all(spec["paths"][p]["get"].get("security") is None for p in OPEN)


def test_openapi_lists_every_endpoint_and_both_schemes(client) -> None:
    spec = client.get("/openapi.json").json()
    assert sorted(spec["paths"]) == ["/api/v1/aws/actions", "/api/v1/aws/analysis", "/api/v1/aws/collect", "/api/v1/aws/costs",
                                     "/api/v1/aws/jobs/{job_id}", "/api/v1/aws/opportunities",
                                     "/api/v1/aws/refresh", "/api/v1/chat", "/health", "/metrics"]
    assert sorted(spec["components"]["securitySchemes"]) == ["APIKeyHeader", "HTTPBearer"]
    assert set(spec["paths"]["/api/v1/aws/collect"]["post"]["responses"]) == {"200", "202", "401"}


def test_requests_are_logged_without_secrets(client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="agent.surfaces.api.access"):
        client.get(f"/api/v1/aws/opportunities?min_savings=5&api_key={API_KEY}", headers=AUTH)
        client.get("/api/v1/aws/costs", headers={"Authorization": f"Bearer {API_KEY}"})
    lines = [r.getMessage() for r in caplog.records if r.name == "agent.surfaces.api.access"]
    assert [line.rsplit(" ", 2)[0] for line in lines] == ["GET /api/v1/aws/opportunities 422",
                                                          "GET /api/v1/aws/costs 200"]
    assert all(API_KEY not in line and "min_savings" not in line for line in lines)


def test_unexpected_errors_are_problems_without_stack_traces(storage_env) -> None:
    def broken_storage():
        raise RuntimeError("secret internals /etc/passwd line 1\nTraceback (most recent call last)")

    app = create_app(load_settings(api_key=API_KEY), storage_factory=broken_storage)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/v1/aws/analysis", headers=AUTH)
    assert r.status_code == 500
    assert r.json() == {"type": "about:blank", "title": "Internal Server Error", "status": 500,
                        "detail": "The server could not complete the request; the server log has the details.",
                        "instance": "/api/v1/aws/analysis"}
    assert "Traceback" not in r.text and "passwd" not in r.text


def test_without_a_configured_key_the_protected_endpoints_stay_closed() -> None:
    from fastapi.testclient import TestClient

    from agent.surfaces.api import create_app
    from tools.settings import load_settings

    with TestClient(create_app(load_settings(api_key=None))) as open_client:
        denied = open_client.get("/api/v1/aws/opportunities", headers={"X-API-Key": "anything"})
        assert denied.status_code == 401
        assert denied.json()["detail"] == "This server has no API_KEY configured; set API_KEY and restart."
        assert open_client.get("/health").status_code == 200
