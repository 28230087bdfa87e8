"""POST /api/v1/chat answers from stored data (the deterministic path: no LLM configured)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from surface_samples import API_KEY, AUTH

from agent.surfaces.api import create_app
from tools.settings import load_settings


def test_chat_answers_from_storage(filled) -> None:
    settings = load_settings(api_key=API_KEY, bedrock_model_id="none")
    with TestClient(create_app(settings)) as c:
        r = c.post("/api/v1/chat", json={"question": "What are the top savings opportunities?", "thread_id": "t-1"},
                   headers=AUTH)
    assert r.status_code == 200
    body = r.json()
    assert body["thread_id"] == "t-1"
    assert body["mode"] == "deterministic (no LLM configured)"
    assert "idle_resource (EC2): 2 resource(s), $210.24 a month, priority high" in body["answer"]
    assert body["sources"] == ["latest report opportunities 2026-10-24..2026-11-22 "
                               "(generated 2026-11-23T06:00:00+00:00)"]
    assert body["run_cost"]["total"] == 0.0
