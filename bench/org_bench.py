"""Many accounts benchmark (a script, not a test): the analysis graph over a simulated organization of N member
accounts x 2 regions, its shards on threads of the graph's process and on 2 Celery worker processes.

    .venv/bin/python bench/org_bench.py [--accounts 10,50,200] [--executors inprocess,celery] [--workers 2]
        [--member-scale 4] [--scale 8] [--regions us-east-1,eu-west-1] [--redis redis://127.0.0.1:6379/14]
        [--json FILE] [--table FILE]

Per N: starts `python -m tools.sandbox --accounts N --refuse 1` (member 1 refuses the role), routes the moto
endpoint through bench/counting_proxy.py (requests counted on the wire, whatever process sends them), then per
executor runs the whole graph (`build_graph().compile()`, refresh, a fresh DATA_DIR) in a child process and prints
wall time, the child's peak RSS, calls per account and region against the lower bound, whether the report is
partial for the refusing member only, and whether the Celery report is the in-process one.

The lower bound of one shard (account a, region r), with n_k = a's ground-truth count of kind k in r:
  Describe/List: sum over the 10 regional lists of max(1, ceil(n_k / page)) (one call learns a region is empty):
    DescribeInstances 1000, DescribeVolumes 500, DescribeSnapshots 1000, DescribeNatGateways 1000,
    DescribeAutoScalingGroups 100, DescribeDBInstances 100, DescribeDBSnapshots 100, ListFunctions 50;
    DescribeAddresses and DescribeImages (own AMIs) 1, unpaginated
  GetMetricData: ceil(sum_k n_k x metrics_k / batch), batch = min(500, 100,800 // lookback days)
  S3: GetBucketLifecycleConfiguration + ListMultipartUploads per bucket homed in r, ListParts per planted upload,
    ListBuckets once per account (global), GetBucketLocation 0 (ListBuckets answers carry BucketRegion)
Run level (not per shard): ListAccounts ceil((N + 1) / 20), one AssumeRole per member.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from bench.counting_proxy import CountingProxy  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
REFUSING = 1
PAGES: list[tuple[str, str | None, int]] = [
    ("ec2:DescribeInstances", "ec2_instance", 1000), ("ec2:DescribeVolumes", "ebs_volume", 500),
    ("ec2:DescribeSnapshots", "ebs_snapshot", 1000), ("ec2:DescribeImages", None, 0),
    ("ec2:DescribeAddresses", None, 0), ("ec2:DescribeNatGateways", "nat_gateway", 1000),
    ("autoscaling:DescribeAutoScalingGroups", "autoscaling_group", 100),
    ("rds:DescribeDBInstances", "rds_instance", 100), ("rds:DescribeDBSnapshots", "rds_snapshot", 100),
    ("lambda:ListFunctions", "lambda_function", 50)]


def log(message: str) -> None:
    print(f"# {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------ the graph's process
def child(out: Path) -> None:
    """One graph run in this process (env: the sandbox's, EXECUTOR, DATA_DIR): its figures as JSON in `out`."""
    started = time.monotonic()
    from agent.graphs.analysis.graph import build_graph
    from agent.graphs.context import Context, use_settings
    from tools.settings import get_settings

    settings = get_settings()
    marks: dict[str, float] = {}
    shards: list[dict[str, Any]] = []
    final: dict[str, Any] = {}
    with use_settings(settings):
        graph = build_graph().compile(name="analysis")
        began = time.monotonic()
        stream = graph.stream({"trigger": "bench"}, {}, context=Context(refresh=True),
                              stream_mode=["updates", "values"])
        for mode, chunk in cast(Iterator[tuple[str, dict[str, Any]]], stream):
            if mode == "values":
                final = chunk
                continue
            for node, update in chunk.items():
                marks[node] = time.monotonic() - began
                if node == "collect_shard":
                    shards.append({**update["shards_done"][0], "api_calls": update["api_calls"]})
    out.write_text(json.dumps({
        "graph_s": round(time.monotonic() - began, 2), "process_s": round(time.monotonic() - started, 2),
        "marks": marks, "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "shards": shards, "report": final["report"]}))


def run_graph(env: dict[str, str], workdir: Path) -> dict[str, Any]:
    out = workdir / "run.json"
    env = {**env, "DATA_DIR": str(workdir / "data")}
    with open(workdir / "run.log", "wb") as log_file:
        subprocess.run([PYTHON, __file__, "--child", str(out)], cwd=ROOT, env=env, stdout=log_file,
                       stderr=subprocess.STDOUT, check=True)
    return json.loads(out.read_text())


# ------------------------------------------------------------------------------------------ sandbox and workers
def start_sandbox(n: int, args: argparse.Namespace, workdir: Path) -> tuple[subprocess.Popen, dict[str, Any]]:
    workdir.mkdir(parents=True)
    ready = workdir / "ready.json"
    cmd = [PYTHON, "-m", "tools.sandbox", "--port", "0", "--accounts", str(n), "--refuse", str(REFUSING),
           "--member-scale", str(args.member_scale), "--scale", str(args.scale), "--regions", args.regions,
           "--out", str(workdir), "--ready-file", str(ready)]
    with open(workdir / "sandbox.log", "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    while not ready.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"sandbox exited {proc.returncode}; see {workdir / 'sandbox.log'}")
        time.sleep(0.5)
    return proc, json.loads(ready.read_text())


def start_workers(env: dict[str, str], count: int, workdir: Path) -> tuple[list[subprocess.Popen], Any, list[str]]:
    from celery import Celery

    names = [f"bench-{env['CELERY_QUEUE']}-{i}@localhost" for i in range(1, count + 1)]
    procs = []
    for name in names:
        with open(workdir / f"{name}.log", "wb") as out:
            procs.append(subprocess.Popen(
                [PYTHON, "-m", "celery", "-A", "tools.executors.worker", "worker", "--concurrency", "1", "-n", name,
                 "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT))
    app = Celery(broker=env["CELERY_BROKER_URL"], backend=env["CELERY_RESULT_BACKEND"], set_as_current=False)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            raise RuntimeError(f"a worker exited; see {workdir}")
        if set(app.control.inspect(destination=names, timeout=0.5).stats() or {}) == set(names):
            return procs, app, names
    raise RuntimeError("workers not ready in 60 s")


def worker_peak_mb(app: Any, names: list[str], procs: list[subprocess.Popen]) -> int:
    """The largest peak RSS (VmHWM) among the workers' processes, main and pool, read before they stop."""
    stats = app.control.inspect(destination=names, timeout=2).stats() or {}
    pids = {p.pid for p in procs} | {pid for s in stats.values() for pid in s["pool"]["processes"]}
    peaks = []
    for pid in pids:
        status = Path(f"/proc/{pid}/status")
        lines = status.read_text().splitlines() if status.exists() else []
        peaks += [int(line.split()[1]) // 1024 for line in lines if line.startswith("VmHWM:")]
    return max(peaks, default=0)


def stop(procs: list[subprocess.Popen], sig: int = signal.SIGQUIT) -> None:
    for p in procs:
        p.send_signal(sig)
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


# ------------------------------------------------------------------------------------------ the lower bound
def region_counts(truth: dict[str, Any], args: argparse.Namespace) -> dict[str, dict[str, Counter[str]]]:
    """account -> region -> kind -> ground-truth count, placed by the fleet's layout (one block per account)."""
    from tools.sandbox.fleet import build_fleet
    from tools.sandbox.org import Member, member_fleet

    regions = tuple(args.regions.split(","))
    out: dict[str, dict[str, Counter[str]]] = {}
    for account in truth["accounts"]:
        if account["account_id"] == truth["account_id"]:
            fleet = build_fleet(args.scale, regions, truth["seed"], "standard")
        else:
            index = int(account["name"].rsplit("-", 1)[1])
            member = Member(index, account["account_id"], account["name"], account["refuses_role"])
            fleet = member_fleet(member, args.member_scale, regions, truth["seed"])
        if len(fleet.blocks) != 1:
            raise SystemExit("the bound places each account's counts in its one block's region: keep --scale and "
                             "--member-scale at 20 or less")
        block = fleet.blocks[0]
        counts = Counter({k: int(v) for k, v in account["counts"].items()})
        counts["uploads"] = sum(b.multipart_uploads for b in block.buckets)
        out[account["account_id"]] = {r: counts if r == block.region else Counter() for r in regions}
    return out


def shard_bound(n: Counter[str], first_region: bool) -> Counter[str]:
    from agent.analysis.rules.registry import REGISTRY
    from tools.aws.cloudwatch import batch_size
    from tools.settings import Settings

    bound: Counter[str] = Counter()
    for operation, kind, page in PAGES:
        bound[operation] = max(1, math.ceil(n[kind] / page)) if kind else 1
    queries = sum(n[kind] * len(specs) for kind, specs in REGISTRY.metric_specs().items())
    bound["cloudwatch:GetMetricData"] = math.ceil(queries / batch_size(
        Settings.model_fields["metrics_lookback_days"].default))
    bound["s3:ListBuckets"] = 1 if first_region else 0
    bound["s3:GetBucketLifecycleConfiguration"] = bound["s3:ListMultipartUploads"] = n["s3_bucket"]
    bound["s3:ListParts"] = n["uploads"]
    return +bound


# ------------------------------------------------------------------------------------------ one organization
def comparable(raw: dict[str, Any]) -> dict[str, Any]:
    """What must not depend on where the shards ran (the integration test's projection)."""
    from tools.models import Report

    report = Report.model_validate(raw)
    return {
        "findings": sorted((f.account_id, f.resource_id, o.type, f.savings)
                           for o in report.opportunities for f in o.resources),
        "savings": (report.savings.total, report.savings.by_account),
        "errors": [(e.scope, e.code, e.error) for e in report.errors],
        "spend": (report.total_monthly_cost, report.by_account),
        "api_calls": [c.model_dump(mode="json") for c in report.api_calls],
    }


def figures(run: dict[str, Any], truth: dict[str, Any], counts: dict[str, dict[str, Counter[str]]],
            wire: dict[str, int], regions: list[str]) -> dict[str, Any]:
    refused = {a["account_id"] for a in truth["accounts"] if a["refuses_role"]}
    actual: Counter[str] = Counter()
    bound: Counter[str] = Counter()
    readable = 0
    for s in run["shards"]:
        account, region = s["shard"].split("/")
        if account in refused:
            continue
        readable += 1
        for c in s["api_calls"]:  # one line per outcome: NoSuchLifecycleConfiguration is an answer too
            actual[f"{c['service']}:{c['operation']}"] += c["calls"]
        bound.update(shard_bound(counts[account][region], region == regions[0]))
    report = run["report"]
    marks = run["marks"]
    seconds = [s["seconds"] for s in run["shards"]]
    return {
        "graph_s": run["graph_s"], "process_s": run["process_s"], "peak_rss_mb": run["peak_rss_mb"],
        "collect_s": marks.get("collect", 0), "shards_s": marks.get("gather", 0) - marks.get("collect", 0),
        "after_s": run["graph_s"] - marks.get("gather", 0), "shard_s_sum": round(sum(seconds), 1),
        "workers": sorted({s["worker"] for s in run["shards"]}), "readable_shards": readable,
        "shards": len(run["shards"]), "calls": dict(sorted(actual.items())), "bound": dict(sorted(bound.items())),
        "wire": wire, "partial_only_refusing": report["partial"] and sorted(e["scope"] for e in report["errors"])
        == sorted(f"account/{a}" for a in refused),
        "findings": sum(len(o["resources"]) for o in report["opportunities"]),
        "savings": report["savings"]["total"], "comparable": comparable(report),
    }


def organization(n: int, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    began = time.monotonic()
    sandbox, ready = start_sandbox(n, args, workdir)
    log(f"{n} members: sandbox seeded in {time.monotonic() - began:.0f} s")
    truth = json.loads(Path(ready["ground_truth_path"]).read_text())
    counts = region_counts(truth, args)
    out: dict[str, Any] = {"members": n, "seed_s": round(time.monotonic() - began, 1), "runs": {}}
    try:
        with CountingProxy(ready["env"]["AWS_ENDPOINT_URL"]) as proxy:
            env = {**os.environ, **ready["env"], "AWS_ENDPOINT_URL": proxy.url}
            for executor in args.executors.split(","):
                proxy.reset()
                out["runs"][executor] = one_run(executor, env, args, workdir / executor, proxy)
                out["runs"][executor].update(figures(out["runs"][executor].pop("run"), truth, counts,
                                                     proxy.by_operation(), args.regions.split(",")))
                log(f"{n} members, {executor}: {out['runs'][executor]['graph_s']} s")
    finally:
        stop([sandbox], signal.SIGTERM)
    return out


def one_run(executor: str, env: dict[str, str], args: argparse.Namespace, workdir: Path,
            proxy: CountingProxy) -> dict[str, Any]:
    workdir.mkdir(parents=True)
    if executor == "inprocess":
        return {"run": run_graph({**env, "EXECUTOR": "inprocess"}, workdir), "worker_peak_mb": 0}
    queue = f"optiinfra-bench-{uuid.uuid4().hex[:8]}"
    env = {**env, "EXECUTOR": "celery", "CELERY_BROKER_URL": args.redis, "CELERY_RESULT_BACKEND": args.redis,
           "CELERY_QUEUE": queue}
    procs, app, names = start_workers(env, args.workers, workdir)
    try:
        proxy.reset()  # the workers' start makes no AWS request; the run's count starts here
        run = run_graph(env, workdir)
        return {"run": run, "worker_peak_mb": worker_peak_mb(app, names, procs)}
    finally:
        stop(procs)


# ------------------------------------------------------------------------------------------ tables
WIRE_NAMES = {"monitoring": "cloudwatch", "lambda:GET 2015-03-31": "lambda:ListFunctions"}
NOT_IN_LEDGER = ("ce:", "sts:", "organizations:")
"""Cost Explorer has its own endpoint (not proxied); AssumeRole, ListAccounts and the sessions' GetCallerIdentity
(once per process) go through the sessions' own ledger, which the report does not carry."""


def wire_names(counts: dict[str, int]) -> Counter[str]:
    out: Counter[str] = Counter()
    for key, n in counts.items():
        service, _, operation = key.partition(":")
        out[WIRE_NAMES.get(key) or f"{WIRE_NAMES.get(service, service)}:{operation}"] += n
    return out


def ledger_matches_wire(run: dict[str, Any], report_calls: list[dict[str, Any]]) -> bool:
    ledger: Counter[str] = Counter()
    for c in report_calls:
        ledger[f"{c['service']}:{c['operation']}"] += c["calls"]
    wire = wire_names(run["wire"])
    keep = {k for k in set(ledger) | set(wire) if not k.startswith(NOT_IN_LEDGER)}
    return all(ledger[k] == wire[k] for k in keep)


def main_table(results: list[dict[str, Any]], regions: int) -> list[str]:
    rows = ["| members x regions | executor | shards | graph wall s (collect / shards / rest) | process s "
            "| shard-s / shards-wall | peak RSS graph MB | peak RSS worker MB "
            "| calls per account x region: ours / bound | AssumeRole: ours / bound | ListAccounts: ours / bound "
            "| Cost Explorer requests | ledger = wire | partial only for member 1 | report = in-process |",
            "| " + " | ".join(["---"] * 15) + " |"]
    for org in results:
        reference = org["runs"].get("inprocess", {}).get("comparable")
        for executor, r in org["runs"].items():
            wire = wire_names(r["wire"])
            ours, bound = sum(r["calls"].values()), sum(r["bound"].values())
            same = "-" if executor == "inprocess" or reference is None else (
                "yes" if r["comparable"] == reference else "NO")
            rows.append(
                f"| {org['members']} x {regions} | {executor} | {r['shards']} ({r['readable_shards']} readable) "
                f"| {r['graph_s']:.1f} ({r['collect_s']:.1f} / {r['shards_s']:.1f} / {r['after_s']:.1f}) "
                f"| {r['process_s']:.1f} | {r['shard_s_sum'] / max(r['shards_s'], 0.01):.1f} | {r['peak_rss_mb']} "
                f"| {r['worker_peak_mb'] or '-'} | {ours / r['readable_shards']:.1f} / "
                f"{bound / r['readable_shards']:.1f} | {wire['sts:AssumeRole']} / {org['members']} "
                f"| {wire['organizations:ListAccounts']} / {math.ceil((org['members'] + 1) / 20)} "
                f"| {sum(c['calls'] for c in r['comparable']['api_calls'] if c['service'] == 'ce')} "
                f"| {'yes' if r['ledger_matches_wire'] else 'NO'} | {'yes' if r['partial_only_refusing'] else 'NO'} "
                f"| {same} |")
    return rows


def operations_table(results: list[dict[str, Any]]) -> list[str]:
    """Per operation, over the readable shards of the in-process run: ours / bound (calls per account x region)."""
    runs = [(org["members"], org["runs"].get("inprocess") or next(iter(org["runs"].values()))) for org in results]
    operations = sorted({op for _, r in runs for op in [*r["calls"], *r["bound"]]})
    rows = ["| operation | " + " | ".join(f"{n} members: ours / bound (total)" for n, _ in runs) + " |",
            "| --- |" + " --- |" * len(runs)]
    for op in operations:
        cells = []
        for _, r in runs:
            ours, bound, shards = r["calls"].get(op, 0), r["bound"].get(op, 0), r["readable_shards"]
            cells.append(f"{ours / shards:.2f} / {bound / shards:.2f} ({ours:,} / {bound:,})")
        rows.append(f"| `{op}` | " + " | ".join(cells) + " |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--accounts", default="10,50,200", help="comma-separated member counts")
    parser.add_argument("--executors", default="inprocess,celery")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes (concurrency 1 each)")
    parser.add_argument("--member-scale", type=int, default=4, help="EC2 instances per member")
    parser.add_argument("--scale", type=int, default=8, help="the management (payer) account's EC2 instances")
    parser.add_argument("--regions", default="us-east-1,eu-west-1")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14", help="Celery broker and result backend")
    parser.add_argument("--json", type=Path, help="write every run's figures here")
    parser.add_argument("--table", type=Path, help="print the tables of a --json file, run nothing")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if args.table:
        print_tables(json.loads(args.table.read_text()), len(args.regions.split(",")))
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="org-bench-") as tmp:
        for n in (int(a) for a in args.accounts.split(",")):
            org = organization(n, args, Path(tmp) / f"org-{n}")
            results.append(org)
            for r in org["runs"].values():
                r["ledger_matches_wire"] = ledger_matches_wire(r, r["comparable"]["api_calls"])
            if args.json:
                args.json.write_text(json.dumps(results, indent=1, default=str))
    print_tables(results, len(args.regions.split(",")))


def print_tables(results: list[dict[str, Any]], regions: int) -> None:
    print("\n".join(main_table(results, regions)))
    print()
    print("\n".join(operations_table(results)))
    print()
    print(__doc__[__doc__.index("The lower bound"):] if __doc__ else "", flush=True)


if __name__ == "__main__":
    main()
