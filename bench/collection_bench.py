"""Collection benchmark (a script, not a test): AWS calls, paid dollars, wall time and memory at fleet scale,
side by side with Cloud Custodian on the same simulated account.

    .venv/bin/python bench/collection_bench.py [--sizes 1000,5000,10000] [--repeats 3] [--latency-ms 30]
        [--regions us-east-1,eu-west-1] [--seed 7] [--out bench/results] [--attach SIZE=READY_FILE]

Per size: starts the sandbox (bench/sandbox_server.py = `python -m tools.sandbox` with GetMetricStatistics
indexed) with that many EC2 instances and the latency, routes the moto endpoint through a counting proxy, then
for each repeat runs, one after the other: our full run (cold Cost Explorer cache), our EC2-only idle check,
and Cloud Custodian's idle-EC2 policy in every region. Once per size, a second full run on the first run's
data directory (within the cache hour) checks that Cost Explorer is not called again. Medians over the
repeats; ratios are taken within a repeat, then their median. Writes bench/results/collection-<date>.json
(sizes already in that file from an earlier invocation are kept) and prints the markdown tables.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from bench.bench_bounds import lower_bounds, paid_custodian, paid_ours  # noqa: E402
from bench.bench_custodian import run_custodian, timed  # noqa: E402
from bench.bench_table import markdown  # noqa: E402
from bench.counting_proxy import CountingProxy  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
STOPPED_REASON = "stopped instance whose attached EBS volumes still bill"
# The proxy names requests by SigV4 service and wire operation; these are the ledger's names for the same.
WIRE_NAMES = {"monitoring": "cloudwatch", "lambda:GET 2015-03-31": "lambda:ListFunctions"}


def log(message: str) -> None:
    print(f"# {datetime.now(UTC):%H:%M:%S} {message}", file=sys.stderr, flush=True)


def wire(counts: dict[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, n in counts.items():
        service, _, operation = key.partition(":")
        name = WIRE_NAMES.get(key) or f"{WIRE_NAMES.get(service, service)}:{operation}"
        out[name] = out.get(name, 0) + n
    return dict(sorted(out.items()))


def start_sandbox(size: int, args: argparse.Namespace, workdir: Path) -> tuple[subprocess.Popen | None, dict]:
    if size in args.attach:
        return None, json.loads(Path(args.attach[size]).read_text())
    ready = workdir / "ready.json"
    cmd = [PYTHON, str(BENCH / "sandbox_server.py"), "--port", "0", "--scale", str(size), "--latency-ms",
           str(args.latency_ms), "--seed", str(args.seed), "--regions", ",".join(args.regions), "--out",
           str(workdir), "--ready-file", str(ready)]
    began = time.perf_counter()
    with open(workdir / "sandbox.log", "wb") as out:
        child = subprocess.Popen(cmd, cwd=workdir, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    while not ready.exists():
        if child.poll() is not None:
            raise RuntimeError(f"sandbox exited {child.returncode}; see {workdir / 'sandbox.log'}")
        time.sleep(1)
    log(f"sandbox {size} ready in {time.perf_counter() - began:.0f} s")
    return child, json.loads(ready.read_text())


def run_ours(scope: str, env: dict[str, str], args: argparse.Namespace, data_dir: Path,
             proxy: CountingProxy) -> dict[str, Any]:
    proxy.reset()
    cmd = [PYTHON, str(BENCH / "bench_ours.py"), "--scope", scope, "--regions", ",".join(args.regions),
           "--data-dir", str(data_dir)]
    data_dir.mkdir(parents=True, exist_ok=True)
    wall, rss, out = timed(cmd, env, data_dir)
    result = json.loads(out.strip().splitlines()[-1])
    result.update(wall_s=wall, maxrss_mb=rss, wire=wire(proxy.by_operation()), wire_total=proxy.total())
    return result


def run_peer(env: dict[str, str], args: argparse.Namespace, workdir: Path, proxy: CountingProxy) -> dict[str, Any]:
    proxy.reset()
    result = run_custodian(env, args.regions, workdir)
    calls = wire(proxy.by_operation())
    result.update(wire=calls, wire_total=proxy.total(),
                  paid_usd=str(paid_custodian(calls.get("cloudwatch:GetMetricStatistics", 0))))
    return result


def truth_sets(ground_truth_path: str) -> dict[str, list[str]]:
    truth = json.loads(Path(ground_truth_path).read_text())
    idle = [w for w in truth["waste"] if w["type"] == "idle_resource" and w["resource_id"].startswith("i-")]
    ignored = [i for i in truth["ignored"] if i.startswith("i-")]
    running_idle = [w["resource_id"] for w in idle if w["reason"] != STOPPED_REASON]
    return {"cpu_below_5": sorted(running_idle + ignored), "stopped": sorted(w["resource_id"] for w in idle
                                                                           if w["reason"] == STOPPED_REASON),
            "ignored": sorted(ignored)}


def compare_idle(ours: list[str], ec2_only: list[str], peer: list[str], truth: dict[str, list[str]]) -> dict:
    cpu, stopped, ignored = set(truth["cpu_below_5"]), set(truth["stopped"]), set(truth["ignored"])
    o, p = set(ours), set(peer)
    return {
        "truth_cpu_below_5": len(cpu), "ours": len(o), "custodian": len(p),
        "ours_full_equals_ec2_only_on_cpu_set": (o & cpu) == (set(ec2_only) & cpu),
        "ec2_only_misses_only_stopped": o - set(ec2_only) <= stopped,
        "custodian_equals_truth": p == cpu,
        "ours_equals_truth_minus_ignored_plus_stopped": o == (cpu - ignored) | stopped,
        "same_on_cpu_set_after_ignore_tag": (o & cpu) == (p - ignored),
        "only_ours": len(o - p), "only_ours_all_stopped": (o - p) <= stopped,
        "only_custodian": len(p - o), "only_custodian_all_ignore_tagged": (p - o) <= ignored,
    }


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def measure(size: int, args: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    workdir = scratch / f"size-{size}"
    workdir.mkdir(parents=True, exist_ok=True)
    child, ready = start_sandbox(size, args, workdir)
    try:
        env = {k: v for k, v in os.environ.items()
               if k not in ("REDIS_URL", "CLICKHOUSE_URL", "DATABASE_URL", "AWS_PROFILE", "COST_AGENT_CONFIG")}
        env.update(ready["env"])
        with CountingProxy(env["AWS_ENDPOINT_URL"]) as proxy:
            env["AWS_ENDPOINT_URL"] = proxy.url
            return _repeats(size, args, env, proxy, workdir, ready)
    finally:
        if child is not None:
            os.killpg(child.pid, signal.SIGTERM)
            try:
                child.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()


def _repeats(size: int, args: argparse.Namespace, env: dict[str, str], proxy: CountingProxy, workdir: Path,
             ready: dict[str, Any]) -> dict[str, Any]:
    runs: list[dict[str, Any]] = []
    warm: dict[str, Any] = {}
    for n in range(args.repeats):
        log(f"size {size} repeat {n + 1}/{args.repeats}: ours (full)")
        full = run_ours("full", env, args, workdir / f"ours-{n}", proxy)
        if n == 0:
            log(f"size {size}: ours (full) again within the cache hour")
            warm = run_ours("full", env, args, workdir / "ours-0", proxy)
        log(f"size {size} repeat {n + 1}: ours (EC2 idle only)")
        ec2 = run_ours("ec2", env, args, workdir / f"ec2-{n}", proxy)
        log(f"size {size} repeat {n + 1}: Cloud Custodian")
        peer = run_peer(env, args, workdir / f"c7n-{n}", proxy)
        log(f"size {size} repeat {n + 1}: ours {full['wall_s']:.1f} s ({full['wire_total']} calls), EC2-only "
            f"{ec2['wall_s']:.1f} s ({ec2['wire_total']}), Custodian {peer['wall_s']:.1f} s ({peer['wire_total']})")
        runs.append({"full": full, "ec2": ec2, "custodian": peer})
    return summarize(size, runs, warm, truth_sets(ready["ground_truth_path"]), ready)


def summarize(size: int, runs: list[dict[str, Any]], warm: dict[str, Any], truth: dict[str, list[str]],
              ready: dict[str, Any]) -> dict[str, Any]:
    first = runs[0]
    full, ec2, peer = first["full"], first["ec2"], first["custodian"]

    def med(tool: str, key: str) -> float:
        return median([float(r[tool][key]) for r in runs if r[tool].get(key) is not None])

    def ratio(num: str, den: str, key: str) -> float:
        return median([r[num][key] / r[den][key] for r in runs if r[den][key]])

    for r in runs:  # ours: every call (the ledger, Cost Explorer included); Custodian: every call on the wire
        for tool in ("full", "ec2"):
            r[tool]["all_calls"] = r[tool]["calls_total"]
        r["custodian"]["all_calls"] = r["custodian"]["wire_total"]

    bounds = lower_bounds(full)
    return {
        "size": size, "repeats": len(runs), "sandbox_seed_s": ready.get("timings", {}).get("seed_s"),
        "wall_s": {"ours_full": med("full", "wall_s"), "ours_ec2": med("ec2", "wall_s"),
                   "custodian": med("custodian", "wall_s"), "ours_full_warm": warm.get("wall_s")},
        "work_s": {"ours_full": med("full", "work_s"), "ours_full_inventory": med("full", "inventory_s"),
                   "ours_ec2": med("ec2", "work_s"), "ours_ec2_inventory": med("ec2", "inventory_s")},
        "maxrss_mb": {"ours_full": med("full", "maxrss_mb"), "ours_ec2": med("ec2", "maxrss_mb"),
                      "custodian": med("custodian", "maxrss_mb")},
        "calls": {"ours_full": full["calls"], "ours_full_wire": full["wire"], "ours_ec2": ec2["calls"],
                  "ours_ec2_wire": ec2["wire"], "custodian_wire": peer["wire"],
                  "ours_full_total": full["calls_total"], "ours_full_wire_total": full["wire_total"],
                  "ledger_matches_wire": all(
                      {k: v for k, v in r[t]["calls"].items() if not k.startswith("ce:")} == r[t]["wire"]
                      for r in runs for t in ("full", "ec2")),
                  "ours_ec2_total": ec2["calls_total"], "custodian_total": peer["wire_total"],
                  "stable_across_repeats": all(r["full"]["calls"] == full["calls"] and
                                               r["custodian"]["wire"] == peer["wire"] for r in runs)},
        "bounds": {op: {"formula": f, "bound": b, "observed": full["calls"].get(op, 0)}
                   for op, (f, b) in bounds.items()},
        "ratios": {"calls_custodian_over_ours_ec2": ratio("custodian", "ec2", "all_calls"),
                   "calls_custodian_over_ours_full": ratio("custodian", "full", "all_calls"),
                   "wall_custodian_over_ours_ec2": ratio("custodian", "ec2", "wall_s"),
                   "wall_custodian_over_ours_full": ratio("custodian", "full", "wall_s")},
        "paid_usd": {"ours_full": full["paid_usd"], "ours_full_check": str(paid_ours(full["ce_requests"],
                                                                                   full["metrics_requested"])),
                     "ours_ec2": ec2["paid_usd"], "ours_full_warm": warm.get("paid_usd"),
                     "custodian": peer["paid_usd"]},
        "ce_requests": {"first": full["ce_requests"], "second_within_hour": warm.get("ce_requests")},
        "metrics_requested": full["metrics_requested"], "metric_queries": full["metric_queries"],
        "resources": full["resources"],
        "prompt": {"chars": full.get("prompt_chars"), "tokens_chars_over_4": full.get("prompt_tokens")},
        "idle": compare_idle(full["idle_ec2"], ec2["idle_ec2"], peer["idle_ec2"], truth),
        "errors": full["errors"] + ec2["errors"],
        "runs": [{tool: {k: v for k, v in r[tool].items() if k != "idle_ec2"} for tool in r} for r in runs],
    }


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000,5000,10000")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--latency-ms", type=int, default=30)
    p.add_argument("--regions", default="us-east-1,eu-west-1")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--out", type=Path, default=BENCH / "results")
    p.add_argument("--attach", action="append", default=[],
                   help="SIZE=READY_FILE: use a sandbox already started with the same arguments")
    args = p.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    args.regions = [r for r in args.regions.split(",") if r]
    args.attach = {int(k): v for k, v in (a.split("=", 1) for a in args.attach)}
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"collection-{datetime.now(UTC):%Y-%m-%d}.json"
    doc: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    doc.update(machine={"cpus": os.cpu_count(), "python": sys.version.split()[0]},
               settings={"latency_ms": args.latency_ms, "regions": args.regions, "seed": args.seed},
               command="make bench  # = .venv/bin/python bench/collection_bench.py " + " ".join(sys.argv[1:]))
    sizes = {s["size"]: s for s in doc.get("sizes", [])}
    with tempfile.TemporaryDirectory(prefix="collection-bench-") as scratch:
        for size in args.sizes:
            sizes[size] = measure(size, args, Path(scratch))
            doc["sizes"] = [sizes[k] for k in sorted(sizes)]
            doc["updated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
            path.write_text(json.dumps(doc, indent=1, default=str))
            log(f"wrote {path}")
    print(markdown(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
