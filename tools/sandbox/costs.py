"""The seeded Cost Explorer table: daily cost per service, region, usage type, instance type and tags.

Prices come from the price book: instances price x 24 h, storage per GB-month / 30.4167 a day, and so
on. Usage-driven lines (Lambda, data transfer, S3 requests) follow a weekly rhythm. One anomaly is
planted: Lambda GB-seconds x3 on one day ten days ago in the first region (us-east-1 when present).
Each line is rounded to the cent, so every grouping sums exactly.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tools.pricing.book import PriceBook
from tools.sandbox.fleet import (
    BUCKET_BLOCK,
    EIP_BLOCK,
    LAMBDA_BLOCK,
    NAT_BLOCK,
    RDS_BLOCK,
    RDS_SNAP_BLOCK,
    ROOT_VOLUME_GB,
    SNAP_BLOCK,
    Block,
    Fleet,
)
from tools.sandbox.metrics import weekday_factor

HISTORY_DAYS = 90
DAYS_PER_MONTH = Decimal("30.4167")
CENT = Decimal("0.01")
COMPUTE = "Amazon Elastic Compute Cloud - Compute"
EC2_OTHER = "EC2 - Other"
VPC = "Amazon Virtual Private Cloud"
RDS = "Amazon Relational Database Service"
LAMBDA = "AWS Lambda"
S3 = "Amazon Simple Storage Service"
CLOUDWATCH = "AmazonCloudWatch"
TAG_KEYS = ("env", "team", "cost-center")
ANOMALY_DAYS_AGO = 10
REGION_CODES = {
    "us-east-1": "USE1", "us-east-2": "USE2", "us-west-1": "USW1", "us-west-2": "USW2", "eu-west-1": "EU",
    "eu-west-2": "EUW2", "eu-west-3": "EUW3", "eu-central-1": "EUC1", "eu-north-1": "EUN1",
    "ap-northeast-1": "APN1", "ap-northeast-2": "APN2", "ap-south-1": "APS3", "ap-southeast-1": "APS1",
    "ap-southeast-2": "APS2", "ca-central-1": "CAN1", "sa-east-1": "SAE1",
}


@dataclass(frozen=True)
class Line:
    day: date
    service: str
    region: str
    usage_type: str
    instance_type: str
    tags: tuple[str, str, str]
    """Values of env, team, cost-center."""
    cost: Decimal
    purchase_type: str = "On Demand Instances"


Key = tuple[date, str, str, str, str, tuple[str, str, str], str]


def _tagvals(tags: dict[str, str]) -> tuple[str, str, str]:
    return (tags.get("env", ""), tags.get("team", ""), tags.get("cost-center", ""))


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def _noise(*parts: object) -> Decimal:
    """Deterministic +-3 % jitter for usage-driven lines."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return Decimal(1) + (Decimal(digest[0]) / 255 - Decimal("0.5")) * Decimal("0.06")


class CostBuilder:
    """Accumulates one block's daily costs, then scales identical blocks by their count."""

    def __init__(self, prices: PriceBook, today: date) -> None:
        self.prices = prices
        self.today = today
        self.days = [today - timedelta(days=n) for n in range(HISTORY_DAYS, 0, -1)]
        self.acc: dict[Key, Decimal] = defaultdict(Decimal)

    def _add(self, day: date, service: str, region: str, usage: str, cost: Decimal, tags: dict[str, str],
             instance_type: str = "NoInstanceType", purchase: str = "On Demand Instances") -> None:
        code = REGION_CODES.get(region, region.upper())
        key = (day, service, region, f"{code}-{usage}", instance_type, _tagvals(tags), purchase)
        self.acc[key] += cost

    def block(self, block: Block, times: int, anomaly_region: str) -> None:
        region = block.region
        before = dict(self.acc)
        self.acc = defaultdict(Decimal)
        for day in self.days:
            self._ec2(block, day)
            self._storage(block, day)
            self._network(block, day)
            self._rds(region, day)
            self._lambda(region, day, anomaly=region == anomaly_region)
            self._s3(region, day)
        scaled = {k: v * times for k, v in self.acc.items()}
        self.acc = defaultdict(Decimal, before)
        for k, v in scaled.items():
            self.acc[k] += v

    def _ec2(self, block: Block, day: date) -> None:
        age = (self.today - day).days
        for t in block.ec2:
            if t.state == "running" and t.data_days < 30 and age > t.data_days - 1:
                continue  # not launched yet
            root = _d(self.prices.ebs_gb_month(block.region, "gp3").unit_price) * ROOT_VOLUME_GB / DAYS_PER_MONTH
            self._add(day, EC2_OTHER, block.region, "EBS:VolumeUsage.gp3", root * t.count, t.tags)
            if t.state == "stopped" and age <= t.stopped_days_ago:
                continue
            hourly = _d(self.prices.ec2_hourly(block.region, t.instance_type).unit_price) * 24 * t.count
            if t.spot:
                self._add(day, COMPUTE, block.region, f"SpotUsage:{t.instance_type}", hourly * Decimal("0.35"),
                          t.tags, t.instance_type, "Spot Instances")
            else:
                self._add(day, COMPUTE, block.region, f"BoxUsage:{t.instance_type}", hourly, t.tags,
                          t.instance_type)

    def _storage(self, block: Block, day: date) -> None:
        region = block.region
        for v in block.volumes:
            usage = {"gp2": "EBS:VolumeUsage.gp2", "gp3": "EBS:VolumeUsage.gp3", "io1": "EBS:VolumeUsage.piops"}
            gb = _d(self.prices.ebs_gb_month(region, v.volume_type).unit_price) * v.size_gb / DAYS_PER_MONTH
            self._add(day, EC2_OTHER, region, usage[v.volume_type], gb, v.tags)
            if v.volume_type == "io1":
                iops = _d(self.prices.ebs_iops_month(region, "io1").unit_price) * v.iops / DAYS_PER_MONTH
                self._add(day, EC2_OTHER, region, "EBS:VolumeP-IOPS.piops", iops, v.tags)
        snap_price = _d(self.prices.snapshot_gb_month(region).unit_price)
        for s in SNAP_BLOCK:
            if (self.today - day).days <= s.age_days:
                self._add(day, EC2_OTHER, region, "EBS:SnapshotUsage", snap_price * s.size_gb / DAYS_PER_MONTH,
                          {"env": "prod", "team": "platform", "cost-center": "cc-100"})

    def _network(self, block: Block, day: date) -> None:
        region = block.region
        platform = {"env": "prod", "team": "platform", "cost-center": "cc-100"}
        eip = _d(self.prices.eip_hourly(region).unit_price) * 24
        for e in EIP_BLOCK:
            if e in block.eips:
                usage = "PublicIPv4:InUseAddress" if e.associate_with else "PublicIPv4:IdleAddress"
                self._add(day, VPC, region, usage, eip, platform)
        for n in NAT_BLOCK:
            self._add(day, VPC, region, "PublicIPv4:InUseAddress", eip, platform)
            self._add(day, EC2_OTHER, region, "NatGateway-Hours", _d(self.prices.nat_hourly(region).unit_price) * 24,
                      platform)
            gb = _d(n.gb_per_day) * _d(weekday_factor(day))
            if gb:
                self._add(day, EC2_OTHER, region, "NatGateway-Bytes",
                          gb * _d(self.prices.nat_gb(region).unit_price) * _noise(region, day, n.key), platform)
        transfer = Decimal(20) * _d(weekday_factor(day)) * Decimal("0.09") * _noise(region, day, "dto")
        self._add(day, EC2_OTHER, region, "DataTransfer-Out-Bytes", transfer,
                  {"env": "prod", "team": "web", "cost-center": "cc-100"})
        self._add(day, CLOUDWATCH, region, "CW:MetricMonitorUsage", Decimal("0.30"), platform)

    def _rds(self, region: str, day: date) -> None:
        storage_price = {False: _d(self.prices.rds_storage_gb_month(region, "gp2").unit_price),
                         True: _d(self.prices.rds_storage_gb_month(region, "gp2", True).unit_price)}
        for db in RDS_BLOCK:
            hourly = _d(self.prices.rds_hourly(region, db.instance_class, db.engine, db.multi_az).unit_price)
            usage = "Multi-AZUsage" if db.multi_az else "InstanceUsage"
            self._add(day, RDS, region, f"{usage}:{db.instance_class}", hourly * 24, db.tags, db.instance_class)
            storage = "RDS:Multi-AZ-GP2-Storage" if db.multi_az else "RDS:GP2-Storage"
            self._add(day, RDS, region, storage, storage_price[db.multi_az] * db.storage_gb / DAYS_PER_MONTH, db.tags)
        snap_price = _d(self.prices.rds_snapshot_gb_month(region).unit_price)
        sizes = {db.key: db.storage_gb for db in RDS_BLOCK}
        for s in RDS_SNAP_BLOCK:
            if (self.today - day).days <= s.age_days:
                self._add(day, RDS, region, "RDS:ChargedBackupUsage", snap_price * sizes[s.db_key] / DAYS_PER_MONTH,
                          {"env": "prod", "team": "payments", "cost-center": "cc-200"})

    def _lambda(self, region: str, day: date, anomaly: bool) -> None:
        request = _d(self.prices.lambda_request(region).unit_price)
        spike = anomaly and (self.today - day).days == ANOMALY_DAYS_AGO
        for fn in LAMBDA_BLOCK:
            calls = _d(fn.invocations_per_day) * _d(weekday_factor(day)) * _noise(region, day, fn.key)
            gb_s = calls * _d(fn.duration_ms) / 1000 * _d(fn.memory_mb) / 1024
            price = _d(self.prices.lambda_gb_second(region, fn.architecture).unit_price)
            usage = "Lambda-GB-Second-ARM" if fn.architecture == "arm64" else "Lambda-GB-Second"
            self._add(day, LAMBDA, region, usage, gb_s * price * (3 if spike and usage == "Lambda-GB-Second" else 1),
                      fn.tags)
            self._add(day, LAMBDA, region, "Request", calls * request, fn.tags)

    def _s3(self, region: str, day: date) -> None:
        price = _d(self.prices.s3_gb_month(region, "STANDARD").unit_price)
        for b in BUCKET_BLOCK:
            self._add(day, S3, region, "TimedStorage-ByteHrs", price * _d(b.standard_gb) / DAYS_PER_MONTH, b.tags)
            requests = Decimal("0.05") * _d(weekday_factor(day)) * _noise(region, day, b.key)
            self._add(day, S3, region, "Requests-Tier1", requests, b.tags)

    def lines(self) -> list[Line]:
        out = []
        for (day, service, region, usage, itype, tags, purchase), cost in sorted(self.acc.items()):
            rounded = cost.quantize(CENT, rounding=ROUND_HALF_UP)
            if rounded:
                out.append(Line(day, service, region, usage, itype, tags, rounded, purchase))
        return out


def anomaly_region(fleet: Fleet) -> str:
    return "us-east-1" if "us-east-1" in fleet.regions else fleet.regions[0]


def build_cost_table(fleet: Fleet, prices: PriceBook, today: date) -> list[Line]:
    builder = CostBuilder(prices, today)
    groups: dict[tuple[str, tuple[Any, ...]], int] = defaultdict(int)
    representative: dict[tuple[str, tuple[Any, ...]], Block] = {}
    for block in fleet.blocks:
        key = (block.region, tuple((t.key, t.count) for t in block.ec2))
        groups[key] += 1
        representative[key] = block
    target = anomaly_region(fleet)
    for key, times in groups.items():
        builder.block(representative[key], times, target)
    return builder.lines()


def planted_anomalies(fleet: Fleet, today: date) -> list[dict[str, str]]:
    region = anomaly_region(fleet)
    day = today - timedelta(days=ANOMALY_DAYS_AGO)
    return [{"service": LAMBDA, "region": region, "date": day.isoformat(),
             "driver": f"{REGION_CODES.get(region, region.upper())}-Lambda-GB-Second"}]


def totals(lines: list[Line], start: date, end: date) -> dict[str, Any]:
    """Cost totals for start..end inclusive, to the cent."""
    total = Decimal(0)
    by_service: dict[str, Decimal] = defaultdict(Decimal)
    by_region: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        if start <= line.day <= end:
            total += line.cost
            by_service[line.service] += line.cost
            by_region[line.region] += line.cost
    return {"total": float(total), "by_service": {k: float(v) for k, v in sorted(by_service.items())},
            "by_region": {k: float(v) for k, v in sorted(by_region.items())}}


def flagged_anomalies(lines: list[Line], start: date, end: date, threshold_pct: float = 20.0,
                      min_dollars: float = 5.0) -> list[tuple[str, str, date]]:
    """docs/rules.md's anomaly rule over the table: (service, region, day) flagged inside start..end."""
    daily: dict[tuple[str, str], dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in lines:
        daily[(line.service, line.region)][line.day] += line.cost
    flagged = []
    for (service, region), series in sorted(daily.items()):
        for day in sorted(series):
            if not start <= day <= end:
                continue
            previous = [series[day - timedelta(weeks=w)] for w in range(1, 5) if day - timedelta(weeks=w) in series]
            if len(previous) < 2:
                continue
            baseline = sum(previous, Decimal(0)) / len(previous)
            actual = series[day]
            if actual > baseline * (1 + _d(threshold_pct) / 100) and actual - baseline >= _d(min_dollars):
                flagged.append((service, region, day))
    return flagged
