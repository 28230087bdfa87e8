"""Shared fixtures: real Redis and PostgreSQL, the report contract checker, and the simulated account."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["agent_fixtures"]  # the graphs', LLM's and surfaces' fixtures

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
        if var.startswith(("AWS_ENDPOINT_URL_", "AWS_ORG_", "EXECUTOR", "CELERY_")) or var in (
                "AWS_ACCOUNTS", "AWS_CALLS_IN_FLIGHT"):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg")))
    monkeypatch.setenv("COST_AGENT_CONFIG", str(tmp_path_factory.getbasetemp() / "no-config.yaml"))
    from tools.aws import clients
    from tools.settings import get_settings

    get_settings.cache_clear()
    clients._SHARED_BUCKETS.clear()  # each test starts with a full Cost Explorer bucket, as a new process would


# ---------------------------------------------------------------- storage (chDB: one engine per process)
# Captured at import: the autouse fixture above removes CLICKHOUSE_URL from every test's environment, but
# `CLICKHOUSE_URL=... make test-storage` must still run the storage suite against that server.
_STORAGE_URL = os.environ.get("CLICKHOUSE_URL")


@pytest.fixture(scope="session")
def storage(tmp_path_factory: pytest.TempPathFactory):
    """The process's one AWSMetricsStorage: chDB on a session-wide temporary data directory (or the
    CLICKHOUSE_URL server, whose tables are emptied: use a throwaway database). Tables are not emptied
    between tests: use `storage_env` for that."""
    from tools.settings import load_settings
    from tools.storage import close_storage, get_storage

    data_dir = tmp_path_factory.mktemp("storage-data")
    settings = load_settings(data_dir=data_dir, clickhouse_url=_STORAGE_URL)
    close_storage()  # an engine opened elsewhere in this process on another path would block ours
    shared = get_storage(settings)
    shared.truncate_all()
    yield shared
    close_storage()


@pytest.fixture
def storage_env(storage, monkeypatch: pytest.MonkeyPatch):
    """`storage`, emptied, with DATA_DIR (and CLICKHOUSE_URL) set so that code under test calling
    `get_storage()` / `get_storage(get_settings())` gets this same instance."""
    from tools.settings import get_settings

    monkeypatch.setenv("DATA_DIR", str(storage.data_dir))
    if _STORAGE_URL:
        monkeypatch.setenv("CLICKHOUSE_URL", _STORAGE_URL)
    get_settings.cache_clear()
    storage.truncate_all()
    yield storage
    get_settings.cache_clear()


class _SandboxEnv:
    """What the `sandbox_env` fixture yields: the exports and the ground truth of the running sandbox."""

    def __init__(self, env: dict[str, str], ground_truth: dict, timings: dict, ground_truth_path: str) -> None:
        self.env = env
        self.ground_truth = ground_truth
        self.timings = timings
        self.ground_truth_path = ground_truth_path


def _sandbox(tmp_path_factory: pytest.TempPathFactory, *extra: str):
    """`python -m tools.sandbox` in a subprocess (never in this process: moto state is shared with mock_aws)."""
    import time

    out = tmp_path_factory.mktemp("sandbox")
    ready = out / "ready.json"
    log = (out / "sandbox.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "tools.sandbox", "--port", "0", "--out", str(out),
                             "--ready-file", str(ready), *extra], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    try:
        while not ready.is_file():
            if proc.poll() is not None:
                pytest.fail(f"sandbox exited with {proc.returncode}: {(out / 'sandbox.log').read_text()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail("sandbox not ready within 120 s")
            time.sleep(0.1)
        info = json.loads(ready.read_text())
        truth = json.loads(Path(info["ground_truth_path"]).read_text())
        yield _SandboxEnv(info["env"], truth, info.get("timings", {}), info["ground_truth_path"])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def sandbox_env(tmp_path_factory: pytest.TempPathFactory):
    """The standard simulated account."""
    yield from _sandbox(tmp_path_factory)


@pytest.fixture(scope="session")
def org_sandbox_env(tmp_path_factory: pytest.TempPathFactory):
    """A simulated organization: the management account (8 instances) and 4 members, member 1 refusing the role."""
    yield from _sandbox(tmp_path_factory, "--scale", "8", "--accounts", "4", "--refuse", "1", "--member-scale", "6")


@pytest.fixture(scope="session")
def org50_sandbox_env(tmp_path_factory: pytest.TempPathFactory):
    """Fifty members of four instances, member 7 refusing the role: issue 16's organization."""
    yield from _sandbox(tmp_path_factory, "--scale", "8", "--accounts", "50", "--refuse", "7", "--member-scale", "4")


@pytest.fixture(scope="session")
def extended_sandbox_env(tmp_path_factory: pytest.TempPathFactory):
    """The simulated account with the cases real accounts add (Windows, RHEL, spot, RI-covered, legacy RDS,
    managed capacity, part-time, recently stopped, large gp2, small objects, new spend)."""
    yield from _sandbox(tmp_path_factory, "--variant", "extended")
