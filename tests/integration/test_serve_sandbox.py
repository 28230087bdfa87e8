"""`cost-agent serve --sandbox` as a user runs it: the HTTP API in front of a simulated account started in the
server's process, collected through the API, and the report it serves checked against an independent sandbox
(`sandbox_env`: another process, the same seed and scale, hence the same planted account)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from integration.langgraph_dev import free_port

pytestmark = pytest.mark.integration
KEY = "serve-sandbox-key-8c1d2e"
NARRATOR = "bedrock:sandbox.simulated-narrator-v1"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("serve-sandbox")
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "DATA_DIR", "CLICKHOUSE", "API_KEY", "BEDROCK"))}
    # Settings of the user's own account, which the simulated one must override rather than mix with.
    env.update({"API_KEY": KEY, "XDG_DATA_HOME": str(work / "xdg"), "COST_AGENT_CONFIG": str(work / "none.yaml"),
                "AWS_PROFILE": "not-a-profile", "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                "AWS_ENDPOINT_URL_CLOUDWATCH": "http://127.0.0.1:9", "AWS_EC2_METADATA_DISABLED": "true"})
    out, err = work / "stdout.txt", work / "stderr.txt"
    with out.open("w") as stdout, err.open("w") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "agent.surfaces.cli.main", "serve", "--sandbox", "--port",
                                 str(port)], env=env, cwd=work, stdout=stdout, stderr=stderr)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, err.read_text()[-3000:]
            assert time.monotonic() < deadline, "serve --sandbox did not answer /health within 120 s"
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield {"base": base, "port": port, "proc": proc, "stdout": out, "stderr": err}
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _collect(base: str) -> dict:
    headers = {"X-API-Key": KEY}
    started = httpx.post(f"{base}/api/v1/aws/collect", headers=headers)
    assert (started.status_code, started.json()["status"]) == (202, "started")
    job_id = started.json()["job_id"]
    deadline = time.monotonic() + 180
    while (job := httpx.get(f"{base}/api/v1/aws/jobs/{job_id}", headers=headers).json())["status"] == "running":
        assert time.monotonic() < deadline, "the collection job did not finish within 180 s"
        time.sleep(0.5)
    return job


def test_collect_through_the_api_finds_what_the_account_planted(served, sandbox_env, report_checker) -> None:
    job = _collect(served["base"])
    assert (job["status"], job["error"]) == ("succeeded", None)
    report = httpx.get(f"{served['base']}/api/v1/aws/analysis", headers={"Authorization": f"Bearer {KEY}"}).json()
    report_checker(report)
    truth = sandbox_env.ground_truth
    assert (report["partial"], report["errors"]) == (False, [])
    assert report["total_monthly_cost"] == truth["cost_totals"]["total"]
    assert report["by_region"] == truth["cost_totals"]["by_region"]
    assert report["time_period"] == {"start": truth["period"]["start"], "end": truth["period"]["end"]}
    found = {(f["resource_id"], o["type"]) for o in report["opportunities"] for f in o["resources"]}
    assert found == {(w["resource_id"], w["type"]) for w in truth["waste"]}
    assert report["summary_source"] == NARRATOR
    savings = report["savings"]
    assert job["summary"] == {"total_monthly_cost": truth["cost_totals"]["total"], "total_savings": savings["total"],
                              "total_waste": savings["waste"], "pricing_levers": savings["pricing_levers"],
                              "opportunities": len(report["opportunities"]), "anomalies": len(truth["anomalies"]),
                              "partial": False}


def test_the_banner_says_simulated_and_sigterm_stops_server_and_account(served) -> None:
    lines = served["stdout"].read_text().splitlines()
    assert lines[0] == "Starting the simulated AWS account (moto, in this process) ..."
    assert re.fullmatch(r"Simulated AWS account 123456789012 in us-east-1, eu-west-1: 40 EC2 instances, 8 databases, "
                        r"8 buckets and planted waste, seeded in \d+\.\d s; nothing reaches AWS", lines[1]), lines[1]
    assert lines[2:] == [f"Serving the API on http://127.0.0.1:{served['port']} for the simulated account "
                         "(OpenAPI at /openapi.json, MCP at /mcp)"]
    proc: subprocess.Popen = served["proc"]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    log = Path(served["stderr"]).read_text()
    assert "Traceback" not in log and "Found endpoint" not in log and "Streaming disabled" not in log
    assert KEY not in log
