"""Every documented exit code of `demo`, `run` and `sandbox`, as a user meets it: `cost-agent` as a subprocess
with its own data directory (0 success, 1 the run failed, 2 usage or configuration, 3 partial results)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

CLI = [sys.executable, "-m", "agent.surfaces.cli.main"]
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
NO_AWS_CALL = "http://127.0.0.1:9"  # nothing listens on the discard port: every call fails at once


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No AWS settings of the developer's, a fresh data directory, no LLM, 80 columns."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "DATA_DIR", "CLICKHOUSE", "API_KEY", "BEDROCK"))}
    env.update({"XDG_DATA_HOME": str(tmp_path / "xdg"), "COST_AGENT_CONFIG": str(tmp_path / "no-config.yaml"),
                "COLUMNS": "80", "BEDROCK_MODEL_ID": "none", **extra})
    return env


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def _no_credentials(tmp_path: Path, **extra: str) -> dict[str, str]:
    return _env(tmp_path, AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
                AWS_EC2_METADATA_DISABLED="true", **extra)


def test_run_without_credentials_exits_2_with_the_way_out(tmp_path: Path) -> None:
    done = _cli(["run"], _no_credentials(tmp_path), tmp_path)
    assert (done.returncode, done.stdout) == (EXIT_USAGE, "")
    assert done.stderr == ("cost-agent run: no AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and "
                           "AWS_SECRET_ACCESS_KEY), or try `cost-agent demo` on a simulated account\n")


def test_run_with_an_unknown_profile_exits_2(tmp_path: Path) -> None:
    done = _cli(["run"], _no_credentials(tmp_path, AWS_PROFILE="nope"), tmp_path)
    assert (done.returncode, done.stdout) == (EXIT_USAGE, "")
    assert done.stderr == ("cost-agent run: AWS_PROFILE: no profile named 'nope' in the AWS config files; name one "
                           "from `aws configure list-profiles`, or try `cost-agent demo`\n")


def test_run_where_every_call_fails_exits_1(tmp_path: Path) -> None:
    env = _env(tmp_path, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
               AWS_REGIONS="us-east-1", AWS_ENDPOINT_URL=NO_AWS_CALL, AWS_MAX_ATTEMPTS="1")
    done = _cli(["run", "--json", str(tmp_path / "r.json")], env, tmp_path)
    assert done.returncode == EXIT_FAILED, done.stderr[-2000:]
    assert done.stderr.splitlines()[-1] == (
        "cost-agent run: every AWS call failed, nothing was collected (first: autoscaling/us-east-1: "
        f"EndpointConnectionError: Could not connect to the endpoint URL: \"{NO_AWS_CALL}/\")")
    assert json.loads((tmp_path / "r.json").read_text())["partial"] is True  # what failed is still on record


def test_run_against_the_sandbox_exits_0_and_prints_no_warnings(tmp_path: Path, sandbox_env, report_checker) -> None:
    out = tmp_path / "r.json"
    done = _cli(["run", "--regions", "us-east-1", "--json", str(out)], _env(tmp_path, **sandbox_env.env), tmp_path)
    assert done.returncode == EXIT_OK, done.stderr[-2000:]
    report_checker(out)
    assert json.loads(out.read_text())["partial"] is False
    assert done.stderr == ""
    assert "Top opportunities" in done.stdout and "…" not in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) <= 80


def test_run_with_a_failing_service_exits_3(tmp_path: Path, sandbox_env) -> None:
    env = _env(tmp_path, **sandbox_env.env, AWS_ENDPOINT_URL_CLOUDWATCH=NO_AWS_CALL, AWS_MAX_ATTEMPTS="1")
    out = tmp_path / "r.json"
    done = _cli(["run", "--regions", "us-east-1", "--json", str(out)], env, tmp_path)
    assert done.returncode == EXIT_PARTIAL, done.stderr[-2000:]
    assert sorted({e["scope"] for e in json.loads(out.read_text())["errors"]}) == ["cloudwatch/us-east-1"]
    assert "Partial results: 1 region/service error(s)" in done.stdout


def test_run_usage_errors_exit_2_before_any_aws_call(tmp_path: Path) -> None:
    env = _env(tmp_path, AWS_ENDPOINT_URL=NO_AWS_CALL)
    done = _cli(["run", "--regions", "moon-1"], env, tmp_path)
    assert (done.returncode, done.stderr) == (
        EXIT_USAGE, "cost-agent run: --regions: unknown region 'moon-1'; use names such as us-east-1,eu-west-1\n")
    done = _cli(["run"], {**env, "AWS_IDLE_CPU_THRESHOLD": "idle"}, tmp_path)
    assert (done.returncode, done.stderr) == (
        EXIT_USAGE, "cost-agent run: AWS_IDLE_CPU_THRESHOLD: expected a number between 0 and 100 (percent), "
                    "got 'idle'\n")


def test_demo_exits_0_with_nothing_but_the_report_on_screen(tmp_path: Path) -> None:
    done = _cli(["demo", "--out", str(tmp_path / "out")], _env(tmp_path), tmp_path)
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert (done.returncode, report["partial"]) == (EXIT_OK, False), done.stderr[-2000:]
    assert done.stderr == ""  # no third-party warning (langchain-aws's streaming notice is filtered at its logger)
    assert "…" not in done.stdout and max(len(line) for line in done.stdout.splitlines()) <= 80


def test_demo_usage_error_exits_2(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("")
    done = _cli(["demo", "--out", str(tmp_path / "taken")], _env(tmp_path), tmp_path)
    assert (done.returncode, done.stdout) == (EXIT_USAGE, "")
    assert done.stderr == (f"cost-agent demo: --out: {tmp_path / 'taken'} is a file; name a directory for "
                           "report.json and report.html\n")


def test_sandbox_exits_0_when_stopped_and_2_on_bad_options(tmp_path: Path) -> None:
    done = _cli(["sandbox", "--scale", "0"], _env(tmp_path), tmp_path)
    assert done.returncode == EXIT_USAGE and done.stderr.count("\n") == 1
    assert done.stderr == "cost-agent sandbox: --scale: expected a number of EC2 instances, 1 or more, got 0\n"
    ready = tmp_path / "ready.json"
    proc = subprocess.Popen([*CLI, "sandbox", "--scale", "2", "--out", str(tmp_path), "--ready-file", str(ready)],
                            env=_env(tmp_path), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ready.exists(), "the sandbox did not start"
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == EXIT_OK
    assert "export AWS_ENDPOINT_URL=" in out


def test_sandbox_on_a_port_in_use_exits_2_at_once(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _cli(["sandbox", "--port", str(port)], _env(tmp_path), tmp_path)
    assert (done.returncode, done.stdout) == (EXIT_USAGE, "")
    assert done.stderr == (f"cost-agent sandbox: --port: {port} is in use on 127.0.0.1; choose another, or 0 for a "
                           "free one\n")


def test_demo_with_a_failing_service_exits_3(tmp_path: Path) -> None:
    env = _env(tmp_path, AWS_ENDPOINT_URL_CLOUDWATCH=NO_AWS_CALL, AWS_MAX_ATTEMPTS="1")
    done = _cli(["demo", "--out", str(tmp_path / "out")], env, tmp_path)
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert (done.returncode, report["partial"]) == (EXIT_PARTIAL, True), done.stderr[-2000:]
    assert {e["scope"].split("/")[0] for e in report["errors"]} == {"cloudwatch"}


def test_run_accounts_and_executor_options_exit_2_with_what_to_fix(tmp_path: Path) -> None:
    done = _cli(["run", "--accounts", "12345"], _env(tmp_path), tmp_path)
    assert (done.returncode, done.stdout) == (EXIT_USAGE, "")
    assert done.stderr == ("cost-agent run: AWS_ACCOUNTS: expected 'organization', or a comma-separated list of "
                           "12-digit AWS account ids such as 111122223333,444455556666, got '12345'\n")
    done = _cli(["run", "--executor", "spark"], _env(tmp_path), tmp_path)
    assert done.returncode == EXIT_USAGE and done.stderr.startswith("cost-agent run: --executor: invalid choice")
    env = _env(tmp_path, AWS_ACCESS_KEY_ID="k", AWS_SECRET_ACCESS_KEY="s", AWS_DEFAULT_REGION="us-east-1",
               CELERY_BROKER_URL="redis://127.0.0.1:9/0", CELERY_RESULT_BACKEND="redis://127.0.0.1:9/0")
    done = _cli(["run", "--executor", "celery"], env, tmp_path)
    assert (done.returncode, done.stdout, done.stderr.count("\n")) == (EXIT_USAGE, "", 1), done.stderr
    assert done.stderr.startswith("cost-agent run: Celery result backend not reachable (")
    assert done.stderr.endswith("start it or set CELERY_RESULT_BACKEND\n")
