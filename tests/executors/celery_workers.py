"""Real Celery worker processes for the tests: started on their own queue with a given environment, stopped cold."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def start_workers(env: dict[str, str], names: list[str], logs: Path) -> list[subprocess.Popen]:
    """One `celery worker --concurrency 1` per full node name (`name@host`), its output in `logs/<name>.log`."""
    procs = []
    for name in names:
        with (logs / f"{name}.log").open("w") as log:
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "tools.executors.worker", "worker", "--concurrency", "1",
                 "-n", name, "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
    return procs


def stop_workers(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        p.send_signal(signal.SIGQUIT)  # cold shutdown: they are idle, nothing to finish
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
