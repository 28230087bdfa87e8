"""`cost-agent serve` as a real HTTP server on loopback: auth, problems, metrics, and a log without secrets."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

KEY = "serve-test-key-5f3a9c"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATA_DIR", "CLICKHOUSE"))}
    env.update({"API_KEY": KEY, "XDG_DATA_HOME": str(tmp_path / "xdg"), "BEDROCK_MODEL_ID": "none"})
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "agent.surfaces.cli.main", "serve", "--port", str(port)], env=env,
                                stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/health", timeout=0.5)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base, log
    finally:
        proc.terminate()
        proc.wait(10)


def test_served_api(server) -> None:
    base, log = server
    assert httpx.get(f"{base}/health").json()["status"] == "ok"
    assert httpx.get(f"{base}/metrics").text.count("# TYPE ") == 13
    r = httpx.get(f"{base}/api/v1/aws/analysis")
    assert (r.status_code, r.headers["content-type"], r.json()["title"]) == (401, "application/problem+json",
                                                                             "Unauthorized")
    r = httpx.get(f"{base}/api/v1/aws/analysis", headers={"Authorization": f"Bearer {KEY}"})
    assert (r.status_code, r.json()["detail"]) == (404, "No analysis yet: start one with POST /api/v1/aws/collect.")
    r = httpx.get(f"{base}/api/v1/aws/costs?start_date=2026-02-30&token={KEY}", headers={"X-API-Key": KEY})
    assert r.status_code == 422
    time.sleep(0.2)
    text = log.read_text()
    assert "GET /api/v1/aws/analysis 401" in text and "GET /api/v1/aws/costs 422" in text
    assert KEY not in text and "Traceback" not in text
