"""Storage benchmark (a script, not a test): one year of daily cost for 10,000 resources.

    .venv/bin/python bench/storage_bench.py [--resources 10000] [--days 365] [--runs 7] [--data-dir DIR]

Inserts 3.65 million per-resource daily cost rows (resource_costs) plus the service x region x usage-type
daily roll-up Cost Explorer would return (cost_metrics) and one run's opportunities, then times the queries
chat asks (median of --runs after one warm-up). Goals: insert < 5 s, each query < 50 ms median on chDB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.models import Finding, Opportunity  # noqa: E402
from tools.settings import load_settings  # noqa: E402
from tools.storage import close_storage, get_storage  # noqa: E402

SERVICES = [("Amazon Elastic Compute Cloud - Compute", "ec2_instance", "EC2", "BoxUsage:m5.large"),
            ("EC2 - Other", "ebs_volume", "EBS", "EBS:VolumeUsage.gp2"),
            ("Amazon Relational Database Service", "rds_instance", "RDS", "InstanceUsage:db.m5.large"),
            ("AWS Lambda", "lambda_function", "Lambda", "Lambda-GB-Second"),
            ("Amazon Simple Storage Service", "s3_bucket", "S3", "TimedStorage-ByteHrs")]
REGIONS = ["us-east-1", "eu-west-1", "us-west-2"]
TYPES = ["idle_resource", "rightsizing", "unattached_volume", "volume_type_upgrade", "old_snapshot",
         "idle_database", "lambda_memory", "s3_lifecycle"]
START = date(2025, 11, 1)


def decimal_array(micros: np.ndarray, scale: int = 6) -> pa.Array:
    """Integer micro-dollars as an Arrow decimal64(18, 6) (ClickHouse Decimal64) without a Python loop."""
    data = np.ascontiguousarray(micros, dtype=np.int64)
    return pa.Array.from_buffers(pa.decimal64(18, scale), len(data), [None, pa.py_buffer(data)])


def dictionary(values: np.ndarray, labels: list[str] | np.ndarray) -> pa.Array:
    """A dictionary column (ClickHouse LowCardinality) with the narrowest index type."""
    index = np.int8 if len(labels) < 128 else np.int16 if len(labels) < 32768 else np.int32
    return pa.DictionaryArray.from_arrays(pa.array(values.astype(index)), pa.array(labels))


def resource_table(n: int, days: int, rng: np.random.Generator) -> tuple[pa.Table, dict[str, np.ndarray]]:
    svc = rng.integers(0, len(SERVICES), n)
    reg = rng.integers(0, len(REGIONS), n)
    base_micros = (rng.lognormal(0.5, 1.2, n) * 1e6).astype(np.int64)  # about $1.6 a day, long tail
    rows = n * days
    day_index = np.tile(np.arange(days), n)
    rid = np.repeat(np.arange(n), days)
    cost = (base_micros[rid] * rng.uniform(0.8, 1.2, rows)).astype(np.int64)
    ids = np.array([f"r-{i:08d}" for i in range(n)], dtype=object)
    stamps = np.datetime64(START, "s") + day_index.astype("timedelta64[D]")
    version = np.full(rows, np.datetime64(datetime(2026, 11, 1), "ms"))
    table = pa.table({
        "timestamp": pa.array(stamps, pa.timestamp("s", tz="UTC")),
        "resource_id": dictionary(rid, ids),
        "account_id": dictionary(np.zeros(rows, np.int32), ["123456789012"]),
        "service": dictionary(svc[rid], [s[2] for s in SERVICES]),
        "region": dictionary(reg[rid], REGIONS),
        "cost": decimal_array(cost),
        "run_id": dictionary(np.zeros(rows, np.int32), ["bench"]),
        "version": pa.array(version, pa.timestamp("ms", tz="UTC")),
    })
    return table, {"svc": svc[rid], "reg": reg[rid], "day": day_index, "cost": cost, "rid": rid}


def rollup_table(cols: dict[str, np.ndarray], days: int) -> pa.Table:
    """What Cost Explorer returns for the same spend: one row per day, service, region (usage type)."""
    key = (cols["svc"] * len(REGIONS) + cols["reg"]) * days + cols["day"]
    sums = np.bincount(key, weights=cols["cost"], minlength=len(SERVICES) * len(REGIONS) * days).astype(np.int64)
    svc, rest = np.divmod(np.arange(len(sums)), len(REGIONS) * days)
    reg, day = np.divmod(rest, days)
    n = len(sums)
    return pa.table({
        "timestamp": pa.array(np.datetime64(START, "s") + day.astype("timedelta64[D]"), pa.timestamp("s", tz="UTC")),
        "granularity": pa.array(["day"] * n), "breakdown": pa.array(["region"] * n),
        "account_id": pa.array(["123456789012"] * n),
        "service": pa.array([SERVICES[i][0] for i in svc]), "region": pa.array([REGIONS[i] for i in reg]),
        "usage_type": pa.array([""] * n), "cost": decimal_array(sums),
        "amortized_cost": pa.nulls(n, pa.decimal128(18, 6)), "currency": pa.array(["USD"] * n),
        "run_id": pa.array(["bench"] * n),
        "version": pa.array(np.full(n, np.datetime64(datetime(2026, 11, 1), "ms")), pa.timestamp("ms", tz="UTC")),
    })


def opportunities(cols: dict[str, np.ndarray], n: int, days: int, rng: np.random.Generator) -> list[Opportunity]:
    chosen = rng.choice(n, size=n // 5, replace=False)
    out = []
    for t_index, kind in enumerate(TYPES):
        members = chosen[chosen % len(TYPES) == t_index]
        findings = [Finding(resource_id=f"r-{i:08d}", region=REGIONS[int(cols['reg'][i * days])], monthly_cost=30.0,
                            estimated_savings=round(float(rng.uniform(1, 100)), 2), recommendation="act",
                            evidence={"days": 14}) for i in members]
        out.append(Opportunity(type=kind, service="EC2", resource_count=len(findings),  # type: ignore[arg-type]
                               estimated_savings=round(sum(f.estimated_savings for f in findings), 2),
                               confidence=0.9, priority="high", resources=findings))
    return out


def check_exact(storage: Any, cols: dict[str, np.ndarray]) -> None:
    """The stored totals are the generated micro-dollars exactly, and the top 20 are the right resources."""
    stored = storage._rows("SELECT sum(cost) FROM resource_costs FINAL")[0][0]
    assert int(stored * 1_000_000) == int(cols["cost"].sum()), (stored, cols["cost"].sum())
    per_resource = np.bincount(cols["rid"], weights=cols["cost"])
    expected = [f"r-{i:08d}" for i in np.argsort(-per_resource, kind="stable")[:20]]
    assert [r["resource_id"] for r in storage.top_resources(20)] == expected
    print(f"checked: stored total ${stored:,.2f} equals the generated micro-dollars; top 20 ids match")


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    result = fn()  # warm-up
    samples = []
    for _ in range(runs):
        begin = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - begin) * 1000)
    return statistics.median(samples), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="storage-bench-"))
    rng = np.random.default_rng(7)
    begin = time.perf_counter()
    table, cols = resource_table(args.resources, args.days, rng)
    rollup = rollup_table(cols, args.days)
    opps = opportunities(cols, args.resources, args.days, rng)
    print(f"generated {table.num_rows:,} resource-day rows in {time.perf_counter() - begin:.1f} s (not timed)")

    storage = get_storage(load_settings(data_dir=data_dir))
    storage.truncate_all()
    begin, cpu = time.perf_counter(), time.process_time()
    storage.client.insert_arrow("resource_costs", table)
    raw_s = time.perf_counter() - begin
    storage.refresh_resource_rollup(START, START + timedelta(days=args.days - 1))
    insert_s = time.perf_counter() - begin  # what insert_arrow("resource_costs", ...) does: both steps
    cpu_s = time.process_time() - cpu
    begin = time.perf_counter()
    storage.insert_arrow("cost_metrics", rollup)
    rollup_s = time.perf_counter() - begin
    begin = time.perf_counter()
    storage.store_optimization_opportunities(opps, run_id="bench", generated_at=datetime(2026, 11, 1, tzinfo=UTC))
    opp_s = time.perf_counter() - begin
    print(f"insert resource_costs {table.num_rows:,} rows: {insert_s:.2f} s (goal < 5 s): "
          f"rows {raw_s:.2f} s + monthly roll-up {insert_s - raw_s:.2f} s; process CPU {cpu_s:.2f} s; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"insert cost_metrics {rollup.num_rows:,} rows: {rollup_s:.2f} s; "
          f"opportunities {sum(len(o.resources) for o in opps):,} findings: {opp_s:.2f} s")

    end = START + timedelta(days=args.days - 1)
    queries: list[tuple[str, Callable[[], Any]]] = [
        ("spend by service per month (cost_metrics)",
         lambda: storage.query_cost_trends(START, end, granularity="month")),
        ("top 20 resources by cost (resource_costs, 3.65 M rows)", lambda: storage.top_resources(20, START, end)),
        ("a service's daily trend (cost_metrics)", lambda: storage.service_daily_trend(SERVICES[3][0], START, end)),
        ("waste by type (latest run)", storage.waste_by_type),
        ("extra: resource spend by service per month from the monthly roll-up", lambda: storage._rows(
            "SELECT service, month, sum(cost) FROM resource_costs_monthly FINAL GROUP BY service, month "
            "ORDER BY month, service")),
        ("extra: the same from the 3.65 M daily rows (why the roll-up exists)", lambda: storage._rows(
            "SELECT service, toStartOfMonth(timestamp) AS m, sum(cost) FROM resource_costs FINAL "
            "WHERE toDate(timestamp) BETWEEN {s:Date} AND {e:Date} GROUP BY service, m ORDER BY m, service",
            {"s": START, "e": end})),
    ]
    check_exact(storage, cols)
    for name, fn in queries:
        median_ms, result = timed(fn, args.runs)
        print(f"{name}: median {median_ms:.1f} ms over {args.runs} runs ({len(result)} rows)")
    close_storage()
    return 0


if __name__ == "__main__":
    sys.exit(main())
