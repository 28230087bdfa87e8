"""Shared fixtures: real Redis and PostgreSQL, the report contract checker, and the simulated account."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT.parent / "shared" / "contract" / "check_report.py"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _need_service(name: str, host: str, port: int) -> None:
    if _reachable(host, port):
        return
    message = f"{name} is not reachable on {host}:{port}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: this test must run)")
    pytest.skip(f"{message}; start it to run this test")


@pytest.fixture(scope="session")
def redis_url() -> str:
    _need_service("Redis", "127.0.0.1", 6379)
    return "redis://127.0.0.1:6379/15"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    _need_service("PostgreSQL", "127.0.0.1", 5432)
    return "postgresql://postgres@127.0.0.1:5432/test"


def check_report(report: dict | str | Path, tmp_path: Path) -> None:
    """Run the shared contract checker (standard library only) on a report; fail with its breaches."""
    if not CONTRACT.is_file():
        pytest.fail(f"contract checker not found at {CONTRACT}")
    path = Path(report) if isinstance(report, str | Path) else tmp_path / "report-under-test.json"
    if isinstance(report, dict):
        path.write_text(json.dumps(report, default=str))
    done = subprocess.run([sys.executable, str(CONTRACT), str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def report_checker(tmp_path: Path):
    return lambda report: check_report(report, tmp_path)


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reads the developer's real config, credentials or data directory."""
    for var in ("AWS_PROFILE", "AWS_ROLE_ARN", "AWS_REGIONS", "CLICKHOUSE_URL", "REDIS_URL", "DATABASE_URL",
                "API_KEY", "AWS_ENDPOINT_URL", "COST_AGENT_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    for var in list(os.environ):
        if var.startswith("AWS_ENDPOINT_URL_"):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg")))
    monkeypatch.setenv("COST_AGENT_CONFIG", str(tmp_path_factory.getbasetemp() / "no-config.yaml"))
    from tools.settings import get_settings

    get_settings.cache_clear()
