"""Memory and checkpoint size of one analysis-graph run at fleet scale (a script, not a test).

    .venv/bin/python bench/graph_memory.py [--sizes 1000,10000] [--regions us-east-1,eu-west-1] [--seed 7]
        [--keep DIR]

Per size: starts the simulated account (`python -m tools.sandbox --scale N`) as a subprocess, waits for its
ready file, then runs the analysis graph (collect -> utilize -> analyze -> prioritize -> summarize) once in a
fresh worker process (this script with `--worker`) against it, and stops the sandbox. The worker compiles
`agent.graphs.analysis.graph.build_graph()` with a `SqliteSaver` on a file of its own, streams the graph with a
thread id the way `agent.graphs.runner` does, and reports its peak RSS right after the run. The parent then reads
the SQLite file.

Both subprocesses run the checkout this script lives in (its root is put first on PYTHONPATH), with a clean
data directory, no Redis, ClickHouse server or PostgreSQL (so storage is the default embedded chDB, in the
worker's process), no `config.yaml`/`.env`, and `BEDROCK_MODEL_ID=none` (the deterministic summary, no LLM).

Prints one JSON line per size on stdout (progress goes to stderr):

- `instances`: the sandbox's `--scale` (EC2 instances; the rest of the account in proportion)
- `peak_rss_mb`: the worker's `ru_maxrss` right after the run (imports, chDB and the run; MiB)
- `baseline_rss_mb`: the worker's `ru_maxrss` after its imports, before the run (MiB)
- `wall_s`: the graph run alone (not the sandbox's seeding nor the worker's imports)
- `checkpoint_db_bytes`: the SQLite file (with its -wal file, if any) once the worker has closed it
- `checkpoints`: how many checkpoints the run wrote
- `largest_checkpoint_bytes`: the largest `checkpoints.checkpoint` blob (the serialized state after a step)
- `checkpoint_write_bytes`: every blob written: all `checkpoints.checkpoint` and `.metadata` plus all
  `writes.value` (the per-task channel writes)
- `checkpoint_blob_bytes`, `writes_bytes`: the two parts of that total
- `writes_bytes_by_channel`: `writes.value` bytes per state key, largest first
- `state_json_bytes_by_key`: compact JSON bytes of each key of the final checkpointed state, largest first
- `report_partial`, `error_scopes`: whether the run was complete (a failed run measures nothing useful)
- `sandbox_seed_s`: how long the sandbox took to seed
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(os.environ.get("GM_ROOT") or Path(__file__).resolve().parents[1])
THREAD_ID = "graph-memory-bench"
DB_FILE = "checkpoints.sqlite"
READY_FILE = "ready.json"
WORKER_RESULT_PREFIX = "GRAPH_MEMORY_RESULT "
SANDBOX_READY_TIMEOUT_S = 900.0
SANDBOX_STOP_TIMEOUT_S = 60.0
POLL_INTERVAL_S = 1.0
KIB_PER_MIB = 1024
# Settings the worker must not inherit: they would point it at real storage, a real account or a config file.
INHERITED_SETTINGS_TO_DROP = ("REDIS_URL", "CLICKHOUSE_URL", "DATABASE_URL", "AWS_PROFILE", "COST_AGENT_CONFIG",
                              "AWS_ROLE_ARN", "AWS_SESSION_TOKEN", "DATA_DIR", "BEDROCK_MODEL_ID")

log = logging.getLogger("graph_memory")


# --- the worker: one graph run in this process ----------------------------------------------------------------

def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MiB (Linux reports `ru_maxrss` in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB_PER_MIB


def json_bytes(value: Any) -> int:
    """Size of `value` as compact UTF-8 JSON (what a JSON checkpointer or API response would carry)."""
    return len(json.dumps(value, separators=(",", ":"), default=str).encode())


def state_sizes(values: dict[str, Any]) -> dict[str, int]:
    """JSON bytes per state key, largest first."""
    sizes = {key: json_bytes(value) for key, value in values.items()}
    return dict(sorted(sizes.items(), key=lambda kv: -kv[1]))


def run_report_status(values: dict[str, Any]) -> dict[str, Any]:
    report = values.get("report") or {}
    return {"report_partial": report.get("partial"),
            "error_scopes": sorted({e.get("scope", "?") for e in values.get("errors", [])})}


def stream_graph(graph: Any, config: Any) -> None:
    """One run, streamed with the stream modes `agent.graphs.runner` uses (so the run holds what a CLI run holds)."""
    from agent.graphs.context import Context

    final: dict[str, Any] = {}
    for mode, chunk in graph.stream({"trigger": "bench"}, config, context=Context(),
                                    stream_mode=["custom", "updates", "values"]):
        if mode == "values":
            final = chunk
    if "report" not in final:
        raise RuntimeError("the analysis graph finished without a report")


def run_worker(db_path: Path) -> dict[str, Any]:
    """Run the graph once with a SqliteSaver on `db_path`; settings come from the environment."""
    from langchain_core.runnables import RunnableConfig
    from langgraph.checkpoint.sqlite import SqliteSaver

    from agent.graphs.analysis.graph import build_graph
    from agent.graphs.context import use_settings
    from tools.settings import load_settings

    settings = load_settings()
    baseline = peak_rss_mb()
    # The graph runs nodes on worker threads; SqliteSaver serialises access with its own lock.
    conn = sqlite3.connect(str(db_path), check_same_thread=False)
    try:
        saver = SqliteSaver(conn)
        saver.setup()
        graph = build_graph().compile(checkpointer=saver, name="analysis")
        config: RunnableConfig = {"configurable": {"thread_id": THREAD_ID}}
        with use_settings(settings):
            began = time.perf_counter()
            stream_graph(graph, config)
            wall = time.perf_counter() - began
        peak = peak_rss_mb()  # before reading the state back, which allocates a copy of it
        values = graph.get_state(config).values
    finally:
        conn.close()
    return {"peak_rss_mb": round(peak, 1), "baseline_rss_mb": round(baseline, 1), "wall_s": round(wall, 2),
            "state_json_bytes_by_key": state_sizes(values), **run_report_status(values)}


# --- the parent: sandbox, worker, SQLite --------------------------------------------------------------------

def child_env(extra: dict[str, str]) -> dict[str, str]:
    """This process's environment without settings that would leak in, this checkout first on PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if k not in INHERITED_SETTINGS_TO_DROP}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env.update(extra)
    return env


def start_sandbox(size: int, args: argparse.Namespace, workdir: Path) -> tuple[subprocess.Popen[bytes], dict]:
    """Start `python -m tools.sandbox` in its own process group; return it and its ready file's content."""
    ready = workdir / READY_FILE
    cmd = [sys.executable, "-m", "tools.sandbox", "--scale", str(size), "--port", "0", "--seed", str(args.seed),
           "--regions", ",".join(args.regions), "--out", str(workdir), "--ready-file", str(ready)]
    with open(workdir / "sandbox.log", "wb") as out:
        child = subprocess.Popen(cmd, cwd=workdir, env=child_env({}), stdout=out, stderr=subprocess.STDOUT,
                                 start_new_session=True)
    deadline = time.monotonic() + SANDBOX_READY_TIMEOUT_S
    while not ready.exists():
        if child.poll() is not None:
            raise RuntimeError(f"sandbox exited {child.returncode}; see {workdir / 'sandbox.log'}")
        if time.monotonic() > deadline:
            stop_sandbox(child)
            raise TimeoutError(f"sandbox not ready after {SANDBOX_READY_TIMEOUT_S:.0f} s")
        time.sleep(POLL_INTERVAL_S)
    return child, json.loads(ready.read_text())


def stop_sandbox(child: subprocess.Popen[bytes]) -> None:
    """SIGTERM the sandbox's process group (it stops its servers), SIGKILL if it lingers."""
    if child.poll() is not None:
        return
    os.killpg(child.pid, signal.SIGTERM)
    try:
        child.wait(timeout=SANDBOX_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()


def run_graph_process(sandbox_env: dict[str, str], workdir: Path, timeout_s: float) -> dict[str, Any]:
    """This script with `--worker` in a fresh process against the sandbox; its result line, parsed."""
    data_dir = workdir / "data"
    data_dir.mkdir()
    env = child_env({**sandbox_env, "DATA_DIR": str(data_dir), "BEDROCK_MODEL_ID": "none"})
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(workdir / DB_FILE)]
    with open(workdir / "worker.log", "wb") as err:
        done = subprocess.run(cmd, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=err, timeout=timeout_s)
    if done.returncode:
        raise RuntimeError(f"graph worker exited {done.returncode}; see {workdir / 'worker.log'}")
    lines = [line for line in done.stdout.decode().splitlines() if line.startswith(WORKER_RESULT_PREFIX)]
    if not lines:
        raise RuntimeError(f"graph worker printed no result; see {workdir / 'worker.log'}")
    return json.loads(lines[-1].removeprefix(WORKER_RESULT_PREFIX))


def file_bytes(db_path: Path) -> int:
    """The SQLite database with its write-ahead log (empty once the last connection has closed)."""
    wal = db_path.with_name(db_path.name + "-wal")
    return sum(p.stat().st_size for p in (db_path, wal) if p.exists())


def checkpoint_sizes(db_path: Path) -> dict[str, Any]:
    """Blob sizes in SqliteSaver's `checkpoints` and `writes` tables."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        count, largest, blobs = conn.execute(
            "SELECT COUNT(*), COALESCE(MAX(LENGTH(checkpoint)), 0), "
            "COALESCE(SUM(LENGTH(checkpoint) + COALESCE(LENGTH(metadata), 0)), 0) FROM checkpoints").fetchone()
        by_channel = dict(conn.execute(
            "SELECT channel, SUM(COALESCE(LENGTH(value), 0)) AS n FROM writes GROUP BY channel ORDER BY n DESC"))
    finally:
        conn.close()
    writes = sum(by_channel.values())
    return {"checkpoint_db_bytes": file_bytes(db_path), "checkpoints": count, "largest_checkpoint_bytes": largest,
            "checkpoint_write_bytes": blobs + writes, "checkpoint_blob_bytes": blobs, "writes_bytes": writes,
            "writes_bytes_by_channel": by_channel}


def measure(size: int, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """One size: sandbox up, one graph run, sandbox down, SQLite read."""
    workdir.mkdir(parents=True)
    began = time.monotonic()
    sandbox, ready = start_sandbox(size, args, workdir)
    log.info("size %d: sandbox ready in %.0f s; running the graph", size, time.monotonic() - began)
    try:
        run = run_graph_process(ready["env"], workdir, args.run_timeout)
    finally:
        stop_sandbox(sandbox)
    log.info("size %d: graph ran in %.0f s, peak RSS %.0f MiB", size, run["wall_s"], run["peak_rss_mb"])
    checkpoints = checkpoint_sizes(workdir / DB_FILE)
    state_by_key = run.pop("state_json_bytes_by_key")
    return {"instances": size, "peak_rss_mb": run.pop("peak_rss_mb"), **checkpoints,
            "state_json_bytes_by_key": state_by_key, "wall_s": run.pop("wall_s"), **run,
            "sandbox_seed_s": round(ready.get("timings", {}).get("seed_s", 0.0), 1)}


def measure_all(args: argparse.Namespace, scratch: Path) -> None:
    for size in args.sizes:
        result = measure(size, args, scratch / f"size-{size}")
        print(json.dumps(result), flush=True)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--sizes", default="1000,10000", help="comma-separated EC2 instance counts")
    p.add_argument("--regions", default="us-east-1,eu-west-1", help="the sandbox's regions")
    p.add_argument("--seed", type=int, default=7, help="the sandbox's seed")
    p.add_argument("--run-timeout", type=float, default=3600.0, help="seconds one graph run may take")
    p.add_argument("--keep", type=Path, default=None,
                   help="keep each size's sandbox log, worker log, data directory and SQLite file under this "
                        "directory (default: a temporary directory, removed afterwards)")
    p.add_argument("--worker", type=Path, default=None, metavar="DB_PATH", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    args.regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.worker is not None:  # the product's own logging, untouched: a worker runs the graph as the CLI would
        print(WORKER_RESULT_PREFIX + json.dumps(run_worker(args.worker)), flush=True)
        return 0
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="# %(asctime)s %(message)s",
                        datefmt="%H:%M:%S")
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        measure_all(args, args.keep)
        return 0
    with tempfile.TemporaryDirectory(prefix="graph-memory-") as scratch:
        measure_all(args, Path(scratch))
    return 0


if __name__ == "__main__":
    sys.exit(main())
