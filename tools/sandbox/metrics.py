"""CloudWatch history for the planted fleet: one StatisticValues point per resource, metric and day.

Values follow each template's behaviour (idle, underused, busy ...) with deterministic jitter. Points
sit at 00:00 UTC; resource metrics cover the 30 days ending today, S3 storage metrics the 30 days ending
yesterday (moto adds its own S3 point for today from the bucket's real contents). A stopped instance's points end
the day before it stopped.

EC2 CPUUtilization: the SampleCount is 12 per hour the instance runs (basic monitoring, one sample per 5
minutes: 288 a day all day, 72 for 6 h). An underused instance's daily Maximum is drawn from its template's
`peak` range, its daily average from 6-12 %, so the peak (docs/rules.md's rightsizing) gives its declared target.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from tools.sandbox.planted import Planted

HISTORY_DAYS = 30
GIB = 1024**3
Point = tuple[float, float, float, float]
Series = dict[date, Point]
"""day -> (sample_count, sum, minimum, maximum)."""


def weekday_factor(day: date) -> float:
    """Usage-driven services run lighter at the weekend."""
    return {5: 0.55, 6: 0.5}.get(day.weekday(), 1.0)


def _rng(planted: Planted, position: int, salt: str = "") -> random.Random:
    key = f"{planted.kind}|{planted.region}|{planted.block.index}|{planted.template.key}|{position}"
    return random.Random(f"{salt}|{key}" if salt else key)


def _days(today: date, count: int, end_offset: int = 0) -> list[date]:
    last = today - timedelta(days=end_offset)
    return [last - timedelta(days=n) for n in range(count - 1, -1, -1)]


def _avg_point(avg: float, low: float, high: float, samples: float = 288.0) -> tuple[float, float, float, float]:
    return (samples, avg * samples, low, high)


def _sum_point(total: float, samples: float = 1440.0) -> tuple[float, float, float, float]:
    return (samples, total, 0.0, total / samples * 4)


SeriesKey = tuple[str, str, str, tuple[tuple[str, str], ...]]
"""(region, namespace, metric, sorted dimensions): the region is part of the key because RDS and Lambda
dimension values (names) repeat across regions."""


class History:
    """Builds {(region, namespace, metric, dims): Series} for every planted resource of one account (`salt`: its
    fleet's `jitter`)."""

    def __init__(self, today: date, salt: str = "") -> None:
        self.today = today
        self.salt = salt
        self.series: dict[SeriesKey, Series] = {}
        self.owner: dict[SeriesKey, str] = {}

    def add(self, planted: Planted, namespace: str, metric: str, dims: dict[str, str], series: Series) -> None:
        key = (planted.region, namespace, metric, tuple(sorted(dims.items())))
        self.series[key] = series
        self.owner[key] = planted.resource_id

    def build(self, planted: list[Planted]) -> History:
        positions: dict[tuple[str, int, str], int] = defaultdict(int)
        for p in planted:
            slot = (p.region, p.block.index, p.template.key)
            rng = _rng(p, positions[slot], self.salt)
            positions[slot] += 1
            handler = getattr(self, f"_{p.kind}", None)
            if handler is not None:
                handler(p, rng)
        return self

    def _ec2_instance(self, p: Planted, rng: random.Random) -> None:
        t = p.template
        if t.data_days == 0:
            return
        cpu: Series = {}
        net_in: Series = {}
        net_out: Series = {}
        ranges = {"idle": ((1.0, 2.0), (2.0, 5.0), (50e3, 200e3)),
                  "underused": ((6.0, 12.0), t.peak, (50e6, 200e6)),
                  "busy": ((45.0, 65.0), (85.0, 99.0), (1e9, 5e9))}[t.behaviour]
        samples = 288.0 * t.hours_per_day / 24
        days = _days(self.today, t.data_days)
        if t.state == "stopped":  # it ran until the midnight it stopped
            days = [d for d in days if (self.today - d).days > t.stopped_days_ago]
        for day in days:
            avg = round(rng.uniform(*ranges[0]), 2)
            if t.behaviour == "underused":
                peak = round(rng.uniform(*ranges[1]), 2)
            else:
                peak = round(min(avg + rng.uniform(*ranges[1]), 100.0), 2)
            cpu[day] = _avg_point(avg, round(avg / 2, 2), peak, samples)
            net_in[day] = _sum_point(round(rng.uniform(*ranges[2])), samples)
            net_out[day] = _sum_point(round(rng.uniform(*ranges[2])), samples)
        dims = {"InstanceId": p.resource_id}
        self.add(p, "AWS/EC2", "CPUUtilization", dims, cpu)
        self.add(p, "AWS/EC2", "NetworkIn", dims, net_in)
        self.add(p, "AWS/EC2", "NetworkOut", dims, net_out)

    def _rds_instance(self, p: Planted, rng: random.Random) -> None:
        t = p.template
        busy = t.connections_max > 0
        names = ("DatabaseConnections", "CPUUtilization", "FreeableMemory", "ReadIOPS", "WriteIOPS")
        series: dict[str, Series] = {m: {} for m in names}
        for day in _days(self.today, HISTORY_DAYS):
            conns = float(max(1, round(t.connections_max * rng.uniform(0.6, 1.0)))) if busy else 0.0
            series["DatabaseConnections"][day] = (1440.0, conns * 700, 0.0, conns)
            cpu = round(rng.uniform(20, 50) if busy else rng.uniform(1, 3), 2)
            series["CPUUtilization"][day] = _avg_point(cpu, cpu / 2, min(cpu * 1.8, 100.0), 1440.0)
            mem = float(round(rng.uniform(2, 4) * GIB))
            series["FreeableMemory"][day] = _avg_point(mem, mem * 0.9, mem * 1.1, 1440.0)
            for name in ("ReadIOPS", "WriteIOPS"):
                iops = round(rng.uniform(50, 500) if busy else rng.uniform(0.0, 0.5), 2)
                series[name][day] = _avg_point(iops, 0.0, iops * 3, 1440.0)
        for metric, values in series.items():
            self.add(p, "AWS/RDS", metric, {"DBInstanceIdentifier": p.name}, values)

    def _lambda_function(self, p: Planted, rng: random.Random) -> None:
        t = p.template
        inv: Series = {}
        err: Series = {}
        thr: Series = {}
        dur: Series = {}
        mem: Series = {}
        error_days = {self.today - timedelta(days=n) for n in t.error_days}
        for day in _days(self.today, HISTORY_DAYS):
            count = float(round(t.invocations_per_day * weekday_factor(day) * rng.uniform(0.97, 1.03)))
            pct = 20.0 if day in error_days else t.error_pct
            errors = float(round(count * pct / 100))
            inv[day] = (count, count, 1.0, 1.0)
            err[day] = (count, errors, 0.0, 1.0 if errors else 0.0)
            thr[day] = (count, 0.0, 0.0, 0.0)
            ms = round(t.duration_ms * rng.uniform(0.9, 1.1), 1)
            dur[day] = _avg_point(ms, ms * 0.3, ms * 2.5, count)
            if t.insights_used_mb is not None:
                used = round(t.insights_used_mb * rng.uniform(0.9, 1.0), 1)
                mem[day] = (count, used * count * 0.8, used * 0.5, used)
        dims = {"FunctionName": p.name}
        for metric, values in (("Invocations", inv), ("Errors", err), ("Throttles", thr), ("Duration", dur)):
            self.add(p, "AWS/Lambda", metric, dims, values)
        if mem:
            self.add(p, "LambdaInsights", "used_memory_max", {"function_name": p.name}, mem)

    def _nat_gateway(self, p: Planted, rng: random.Random) -> None:
        out: Series = {}
        inn: Series = {}
        for day in _days(self.today, HISTORY_DAYS):
            total = p.template.gb_per_day * 1e9 * weekday_factor(day) * rng.uniform(0.95, 1.05)
            out[day] = _sum_point(float(round(total * 0.6)))
            inn[day] = _sum_point(float(round(total * 0.4)))
        dims = {"NatGatewayId": p.resource_id}
        self.add(p, "AWS/NATGateway", "BytesOutToDestination", dims, out)
        self.add(p, "AWS/NATGateway", "BytesInFromSource", dims, inn)

    def _s3_bucket(self, p: Planted, rng: random.Random) -> None:
        size: Series = {}
        objects: Series = {}
        for day in _days(self.today, HISTORY_DAYS, end_offset=1):
            value = float(round(p.template.standard_gb * GIB * rng.uniform(0.98, 1.02)))
            size[day] = (1.0, value, value, value)
            n = float(round(p.template.objects * rng.uniform(0.98, 1.02)))
            objects[day] = (1.0, n, n, n)
        self.add(p, "AWS/S3", "BucketSizeBytes", {"BucketName": p.resource_id, "StorageType": "StandardStorage"}, size)
        self.add(p, "AWS/S3", "NumberOfObjects", {"BucketName": p.resource_id, "StorageType": "AllStorageTypes"},
                 objects)

    def points(self) -> Iterator[tuple[str, str, str, list[dict[str, str]], datetime, Point]]:
        """(region, namespace, metric, dimensions, timestamp, (count, sum, min, max)) for every point."""
        for key, series in self.series.items():
            region, namespace, metric, dims = key
            dim_list = [{"Name": k, "Value": v} for k, v in dims]
            for day, point in series.items():
                yield region, namespace, metric, dim_list, datetime(day.year, day.month, day.day), point


def daily_stat(series: Series, statistic: str) -> dict[date, float]:
    """The value GetMetricData returns for one daily point and a statistic."""
    pick = {"Average": lambda p: p[1] / p[0] if p[0] else 0.0, "Sum": lambda p: p[1],
            "Minimum": lambda p: p[2], "Maximum": lambda p: p[3], "SampleCount": lambda p: p[0]}[statistic]
    return {day: pick(point) for day, point in series.items()}
