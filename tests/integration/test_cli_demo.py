"""`cost-agent demo` from nothing to report files, as a user runs it (a subprocess with its own data directory)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "agent.surfaces.cli.main", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=240, check=False)


def _env(data_home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DATA_DIR", "CLICKHOUSE", "API_KEY"))}
    env.update({"XDG_DATA_HOME": str(data_home), "COLUMNS": "160", **extra})
    return env


def test_demo_ends_with_the_report_files(tmp_path: Path, report_checker) -> None:
    out = tmp_path / "out"
    done = _cli(["demo", "--out", str(out)], _env(tmp_path / "xdg"), tmp_path)
    report = json.loads((out / "report.json").read_text())
    assert done.returncode == (3 if report["partial"] else 0), done.stderr[-2000:]
    report_checker(out / "report.json")
    html = (out / "report.html").read_text()
    assert html.count("<svg") == 2 and not re.search(r"https?://", html)
    assert f"{report['total_monthly_cost']:,.2f}" in done.stdout.replace("$", "")
    for text in ("Executive summary", "Do this first", "Opportunities (savings counted once per resource)",
                 f"wrote {out / 'report.json'}", f"wrote {out / 'report.html'}"):
        assert text in done.stdout
    # The data went into the data directory, where the API and `ask` read it.
    assert (tmp_path / "xdg" / "optiinfra-cost-agent" / "clickhouse").is_dir()


def test_locked_data_directory_is_one_line_and_exit_2(tmp_path: Path, storage_env) -> None:
    # This test process holds the chDB engine on storage_env's directory; the CLI must say so, not crash.
    env = _env(tmp_path / "xdg", DATA_DIR=str(storage_env.data_dir))
    done = _cli(["demo", "--out", str(tmp_path / "out")], env, tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "cost-agent demo: data directory in use by another process; use a ClickHouse server for concurrent access: "
        f"{Path(storage_env.data_dir, 'clickhouse').resolve()}")
    assert "Traceback" not in done.stderr


def test_unreachable_clickhouse_fails_before_any_aws_call(tmp_path: Path) -> None:
    done = _cli(["run"], _env(tmp_path / "xdg", CLICKHOUSE_URL="http://agent:s3cret@127.0.0.1:9/db"), tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "cost-agent run: cannot reach the ClickHouse server at http://127.0.0.1:9 (connection refused): "
        "check CLICKHOUSE_URL, or unset it to use the embedded store")
    assert "s3cret" not in done.stderr


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory):
    """`cost-agent sandbox` as its own process (moto never runs inside the test process)."""
    work = tmp_path_factory.mktemp("sandbox")
    ready = work / "ready.json"
    proc = subprocess.Popen([sys.executable, "-m", "agent.surfaces.cli.main", "sandbox", "--out", str(work), "--ready-file",
                             str(ready)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work)
    try:
        for _ in range(600):
            if ready.exists() or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert ready.exists(), "the sandbox did not start"
        yield json.loads(ready.read_text())["env"]
    finally:
        proc.terminate()
        proc.wait(20)


def test_run_with_a_failing_service_is_partial_exit_3(tmp_path: Path, sandbox: dict, report_checker) -> None:
    env = _env(tmp_path / "xdg", **sandbox, AWS_ENDPOINT_URL_CLOUDWATCH="http://127.0.0.1:9", AWS_MAX_ATTEMPTS="1",
               BEDROCK_MODEL_ID="none")
    out = tmp_path / "r.json"
    done = _cli(["run", "--regions", "us-east-1", "--json", str(out), "--html", str(tmp_path / "r.html")], env,
                tmp_path)
    assert done.returncode == 3, done.stderr[-2000:]
    report = json.loads(out.read_text())
    report_checker(out)
    assert report["partial"] is True
    assert sorted({e["scope"] for e in report["errors"]}) == ["cloudwatch/us-east-1"]
    assert report["regions"] == ["us-east-1"]
    assert "Partial results:" in (tmp_path / "r.html").read_text()
