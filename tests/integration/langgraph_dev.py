"""A real `langgraph dev` for the integration tests: a temporary copy of the repository to serve (its threads land
in `./.langgraph_api/` there), an environment without the developer's AWS settings and with its own data
directory (chDB allows one engine per directory, and the test process may hold another), and the wait for it."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGGRAPH = Path(sys.executable).parent / "langgraph"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need_langgraph() -> None:
    """Skip without the `langgraph` command (the dev extra), except in CI, where the test must run."""
    if LANGGRAPH.is_file():
        return
    message = f"langgraph-cli is not installed ({LANGGRAPH} is missing)"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: this test must run)")
    pytest.skip(f"{message}; pip install -e '.[dev]' to run this test")


def copy_repo(target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", ".langgraph_api", "*.pyc")
    for name in ("agent", "tools"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    for name in ("langgraph.json", "langgraph.sandbox.json", "pyproject.toml"):
        shutil.copy2(ROOT / name, target / name)
    return target


def server_env(sandbox: dict[str, str], data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "DATA_DIR", "CLICKHOUSE_URL", "DATABASE_URL", "PYTEST"))}
    env.update(sandbox)
    env.update({"LANGSMITH_TRACING": "false", "LANGGRAPH_CLI_NO_ANALYTICS": "1", "LANGGRAPH_NO_VERSION_CHECK": "true",
                "XDG_DATA_HOME": str(data), "DATA_DIR": str(data / "cost-agent"),
                "COST_AGENT_CONFIG": str(data / "no-config.yaml"), "PYTHONUNBUFFERED": "1"})
    return env


def wait_for_port(proc: subprocess.Popen, log: Path, wanted: int, timeout: float = 60) -> int:
    """The port the server actually serves on (it moves silently when `wanted` is taken), once /ok answers."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"langgraph dev exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        text = log.read_text(errors="replace")
        moved = re.search(r"using port (\d+) instead", text)
        port = int(moved.group(1)) if moved else wanted
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ok", timeout=1).status_code == 200:
                return port
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"langgraph dev did not answer /ok within {timeout} s:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def langgraph_dev(repo: Path, env: dict[str, str], *args: str) -> Iterator[str]:
    """`langgraph dev ARGS` serving `repo` on a free port: yields its URL; stopped on exit."""
    need_langgraph()
    log = repo / "langgraph-dev.log"
    wanted = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen([str(LANGGRAPH), "dev", "--no-browser", "--no-reload", "--port", str(wanted), *args],
                                cwd=repo, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{wait_for_port(proc, log, wanted)}"
    finally:
        stop(proc)
