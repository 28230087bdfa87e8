"""Fixtures of the surfaces' subprocess tests: a data directory seeded by its own process, `cost-agent` as a
subprocess, and `cost-agent serve` on a free loopback port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
CLI = [sys.executable, "-m", "agent.surfaces.cli.main"]


@dataclass
class Seeded:
    data_dir: Path
    start: date
    end: date


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    """This test's environment (the autouse fixture's XDG/AWS/COST_AGENT_CONFIG) with DATA_DIR, no LLM, no key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATA_DIR", "CLICKHOUSE", "API_KEY"))}
    env.update({"DATA_DIR": str(data_dir), "BEDROCK_MODEL_ID": "none", "PYTHONPATH": str(TESTS), **extra})
    return env


def _run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          check=False)


@pytest.fixture
def cli_env():
    """`cli_env(data_dir, **extra)`: the environment of a `cost-agent` subprocess on that data directory."""
    return _env


@pytest.fixture
def run_cli():
    """`run_cli(args, env)`: `cost-agent ARGS` as a subprocess; the completed process (text output)."""
    return _run


@pytest.fixture
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    data_dir = tmp_path_factory.mktemp("served-data")
    env = _env(data_dir)
    done = subprocess.run([sys.executable, str(TESTS / "surfaces" / "seed_store.py"), str(data_dir)], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    period = json.loads(done.stdout.strip().splitlines()[-1])
    return Seeded(data_dir, date.fromisoformat(period["start"]), date.fromisoformat(period["end"]))


@dataclass
class Served:
    proc: subprocess.Popen[str]
    url: str
    env: dict[str, str]
    state_file: Path
    log: Path

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it; the exit code."""
        if self.proc.poll() is None:
            self.proc.terminate()
        return self.proc.wait(20)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator:
    """`serve(data_dir, **env)` starts `cost-agent serve` on a free loopback port and waits for its state file."""
    started: list[Served] = []

    def start(data_dir: Path, **extra: str) -> Served:
        port = free_port()
        env = _env(data_dir, **extra)
        log = tmp_path / f"serve-{port}.log"
        with log.open("w") as out:
            proc = subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=out,
                                    stderr=subprocess.STDOUT, text=True)
        served = Served(proc, f"http://127.0.0.1:{port}", env, data_dir / "run" / "serve.json", log)
        started.append(served)
        deadline = time.monotonic() + 90
        while not served.state_file.is_file():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"serve did not start (exit {proc.poll()}): {log.read_text()[-3000:]}")
            time.sleep(0.05)
        return served

    yield start
    for served in started:
        if served.proc.poll() is None:
            served.proc.kill()
            served.proc.wait(10)
