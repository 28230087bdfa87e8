"""The newcomer's path through every surface of the simulated account, as README "Try it against the simulated
account" gives it, with each step's wall time and the account's monthly total as each surface reports it.

    .venv/bin/python bench/newcomer_path.py

In a temporary copy of this checkout, with no AWS settings of the caller's: `cost-agent demo`; `cost-agent serve
--sandbox` (until /health answers), POST /api/v1/aws/collect until the job ends, GET /api/v1/aws/analysis;
`cost-agent sandbox --env-file .sandbox.env` (until the file is written); `langgraph dev --config
langgraph.sandbox.json` (until /ok answers) and one "analysis" run through langgraph-sdk; `cost-agent run` with
the env file sourced; `cost-agent ask` beside the serve. Every total must be the same, or the script fails.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "agent.surfaces.cli.main"]
LANGGRAPH = Path(sys.executable).parent / "langgraph"
KEY = "newcomer-bench-key"
QUESTION = "Which idle instances cost the most?"
ROWS: list[tuple[str, float, str]] = []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(home: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without AWS or agent settings: a newcomer with nothing configured."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "DATA_DIR", "CLICKHOUSE", "API_KEY", "BEDROCK", "COST_AGENT"))}
    return {**env, "XDG_DATA_HOME": str(home), "COST_AGENT_CONFIG": str(home / "none.yaml"),
            "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true", "PYTHONPATH": str(ROOT), "COLUMNS": "120",
            "LANGSMITH_TRACING": "false", "LANGGRAPH_CLI_NO_ANALYTICS": "1", "LANGGRAPH_NO_VERSION_CHECK": "true",
            **extra}


def _step(name: str, action: Callable[[], str]) -> str:
    began = time.monotonic()
    result = action()
    ROWS.append((name, time.monotonic() - began, result))
    print(f"{name:<70} {ROWS[-1][1]:6.1f} s  {result}", flush=True)
    return result


def _wait(ready: Callable[[], bool], proc: subprocess.Popen, what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} not ready within {timeout:.0f} s")
        time.sleep(0.1)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[2:5])} exited with {done.returncode}: {done.stderr[-2000:]}")
    return done


def _total(report: dict[str, Any]) -> str:
    return f"total_monthly_cost ${report['total_monthly_cost']:,.2f}"


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="newcomer-"))
    repo = work / "repo"
    for name in ("agent", "tools"):
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__", ".langgraph_api"))
    for name in ("langgraph.json", "langgraph.sandbox.json", "pyproject.toml"):
        shutil.copy2(ROOT / name, repo / name)
    started: list[subprocess.Popen] = []

    def start(args: list[str], env: dict[str, str], log: str) -> subprocess.Popen:
        with (work / log).open("w") as out:
            proc = subprocess.Popen(args, env=env, cwd=repo, stdout=out, stderr=subprocess.STDOUT)
        started.append(proc)
        return proc

    try:
        totals = _path(repo, work, start)
    finally:
        for proc in reversed(started):
            proc.send_signal(signal.SIGTERM)
        for proc in reversed(started):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(f"{'the whole path':<70} {sum(row[1] for row in ROWS):6.1f} s")
    shutil.rmtree(work, ignore_errors=True)
    if len(set(totals)) != 1:
        raise SystemExit(f"the surfaces disagree on the monthly total: {totals}")
    return 0


def _path(repo: Path, work: Path, start: Callable[[list[str], dict[str, str], str], subprocess.Popen]) -> list[str]:
    def demo() -> str:
        _run([*CLI, "demo", "--out", str(work / "demo")], _env(work / "demo-home"), repo)
        return _total(json.loads((work / "demo" / "report.json").read_text()))

    serve_home, port = work / "serve-home", _free_port()
    base = f"http://127.0.0.1:{port}"

    def serve() -> str:
        proc = start([*CLI, "serve", "--sandbox", "--port", str(port)], _env(serve_home, API_KEY=KEY), "serve.log")
        _wait(lambda: _answers(f"{base}/health"), proc, "cost-agent serve --sandbox")
        return base

    def collect() -> str:
        headers = {"X-API-Key": KEY}
        job_id = httpx.post(f"{base}/api/v1/aws/collect", headers=headers).json()["job_id"]
        while (job := httpx.get(f"{base}/api/v1/aws/jobs/{job_id}", headers=headers).json())["status"] == "running":
            time.sleep(0.2)
        if job["status"] != "succeeded":
            raise SystemExit(f"the collection job ended {job['status']}: {job['error']}")
        return _total(httpx.get(f"{base}/api/v1/aws/analysis", headers=headers).json())

    def sandbox() -> str:
        env_file = repo / ".sandbox.env"
        proc = start([*CLI, "sandbox", "--env-file", ".sandbox.env", "--out", str(work)], _env(work / "sb-home"),
                     "sandbox.log")
        _wait(env_file.is_file, proc, "cost-agent sandbox")
        return f"{len(env_file.read_text().splitlines()) - 1} variables in .sandbox.env"

    lg_port = _free_port()
    lg_url = f"http://127.0.0.1:{lg_port}"

    def langgraph_dev() -> str:
        args = [str(LANGGRAPH), "dev", "--no-browser", "--no-reload", "--port", str(lg_port), "--config",
                "langgraph.sandbox.json"]
        proc = start(args, _env(work / "lg-home"), "langgraph.log")
        _wait(lambda: _answers(f"{lg_url}/ok"), proc, "langgraph dev")
        return lg_url

    def langgraph_run() -> str:
        from langgraph_sdk import get_sync_client

        client = get_sync_client(url=lg_url)
        output = client.runs.wait(client.threads.create()["thread_id"], "analysis", input={})
        return _total(output["report"])

    def run() -> str:
        report = work / "run-report.json"
        _run(["sh", "-c", f'set -a; . ./.sandbox.env; set +a; exec "$0" "$@" run --json {report}', *CLI],
             _env(work / "run-home"), repo)
        return _total(json.loads(report.read_text()))

    def ask() -> str:
        done = _run([*CLI, "ask", QUESTION], _env(serve_home, API_KEY=KEY), repo)
        return done.stdout.strip().splitlines()[0][:70]

    totals = [_step("1 cost-agent demo", demo)]
    _step("2 cost-agent serve --sandbox, until /health answers", serve)
    totals.append(_step("3 POST collect, job until done, GET analysis", collect))
    _step("4 cost-agent sandbox --env-file, until the file is written", sandbox)
    _step("5 langgraph dev --config langgraph.sandbox.json, until /ok", langgraph_dev)
    totals.append(_step("6 LangGraph run of 'analysis' via langgraph-sdk", langgraph_run))
    totals.append(_step("7 cost-agent run with .sandbox.env sourced", run))
    _step(f"8 cost-agent ask {QUESTION!r} (through serve)", ask)
    return totals


if __name__ == "__main__":
    sys.exit(main())
