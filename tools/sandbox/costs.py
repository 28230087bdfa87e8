"""The seeded Cost Explorer table: daily cost per service, region, usage type, operation, record type and tags.

Prices come from the price book and the sandbox's rate rules (rates.py): instances price x 24 h, storage per
GB-month / 30.4167 a day, and so on. Usage-driven lines (Lambda, data transfer, S3 requests) follow a weekly
rhythm. The planted anomalies (anomalies.py) are a Lambda spike and, in the extended variant, a new service's
spend. An instance running part of the day is billed for those hours; Reserved-Instance-covered hours are
DiscountedUsage. What a line is: cost_lines.py; the spend that is not usage (Tax, Credit, Refund, RIFee):
adjustments.py.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tools.pricing.book import PriceBook
from tools.sandbox import rates
from tools.sandbox.adjustments import adjustment_lines
from tools.sandbox.anomalies import (
    ANOMALY_DAYS_AGO,
    NEW_SERVICE_DAYS_AGO,
    NEW_SERVICE_USAGE,
    NEW_SERVICE_WCU,
    anomaly_region,
)
from tools.sandbox.cost_lines import (
    CENT,
    CLOUDWATCH,
    COMPUTE,
    DAYS_PER_MONTH,
    DYNAMODB,
    EBS_OPERATIONS,
    EBS_USAGE,
    EC2_OTHER,
    HISTORY_DAYS,
    LAMBDA,
    ON_DEMAND,
    QUANTITY,
    RDS,
    RESERVED,
    S3,
    SPOT,
    VPC,
    Line,
    line_order,
    region_code,
)
from tools.sandbox.fleet import ACCOUNT_ID, Block, Fleet
from tools.sandbox.fleet_templates import ROOT_VOLUME_GB
from tools.sandbox.metrics import weekday_factor

Key = tuple[date, str, str, str, str, tuple[str, str, str], str, str, str]
"""day, service, region, usage type, instance type, tags, purchase type, operation, record type."""


def _tagvals(tags: dict[str, str]) -> tuple[str, str, str]:
    return (tags.get("env", ""), tags.get("team", ""), tags.get("cost-center", ""))


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def _noise(*parts: object) -> Decimal:
    """Deterministic +-3 % jitter for usage-driven lines (the first part: the fleet's `jitter`, when it has one)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return Decimal(1) + (Decimal(digest[0]) / 255 - Decimal("0.5")) * Decimal("0.06")


class CostBuilder:
    """Accumulates one block's daily costs, then scales identical blocks by their count."""

    def __init__(self, prices: PriceBook, today: date, account_id: str = ACCOUNT_ID, salt: str = "") -> None:
        self.prices = prices
        self.today = today
        self.account_id = account_id
        self.salt = (salt,) if salt else ()
        self.days = [today - timedelta(days=n) for n in range(HISTORY_DAYS, 0, -1)]
        self.acc: dict[Key, list[Decimal]] = defaultdict(_zeros)
        self.units: dict[Key, str] = {}

    def _add(self, day: date, service: str, region: str, usage: str, cost: Decimal, tags: dict[str, str],
             instance_type: str = "NoInstanceType", purchase: str = ON_DEMAND, *, operation: str, unit: str,
             quantity: Decimal, record_type: str = "Usage", amortized: Decimal | None = None) -> None:
        key = (day, service, region, f"{region_code(region)}-{usage}", instance_type, _tagvals(tags), purchase,
               operation, record_type)
        entry = self.acc[key]
        entry[0] += cost
        entry[1] += cost if amortized is None else amortized
        entry[2] += quantity
        self.units[key] = unit

    def block(self, block: Block, times: int, anomaly_region: str) -> None:
        before = self.acc
        self.acc = defaultdict(_zeros)
        for day in self.days:
            self._ec2(block, day)
            self._storage(block, day)
            self._network(block, day)
            self._rds(block, day)
            self._lambda(block, day, anomaly=block.region == anomaly_region)
            self._s3(block, day)
            self._new_service(block, day)
        scaled = {k: [x * times for x in v] for k, v in self.acc.items()}
        self.acc = before
        for k, v in scaled.items():
            entry = self.acc[k]
            for i in range(3):
                entry[i] += v[i]

    def _ec2(self, block: Block, day: date) -> None:
        age = (self.today - day).days
        region = block.region
        for t in block.ec2:
            if t.state == "running" and t.data_days < 30 and age > t.data_days - 1:
                continue  # not launched yet
            root = _d(self.prices.ebs_gb_month(region, "gp3").unit_price) * ROOT_VOLUME_GB / DAYS_PER_MONTH
            self._add(day, EC2_OTHER, region, "EBS:VolumeUsage.gp3", root * t.count, t.tags,
                      operation=EBS_OPERATIONS["gp3"], unit="GB-Mo",
                      quantity=Decimal(ROOT_VOLUME_GB) * t.count / DAYS_PER_MONTH)
            if t.state == "stopped" and age <= t.stopped_days_ago:
                continue
            per_day = t.hours_per_day
            hours = Decimal(per_day * t.count)
            if t.spot:
                hourly = rates.linux_hourly(self.prices, region, t.instance_type) * per_day * t.count
                self._add(day, COMPUTE, region, f"SpotUsage:{t.instance_type}", hourly * rates.SPOT_FRACTION,
                          t.tags, t.instance_type, SPOT, operation=rates.SPOT_OPERATION, unit="Hrs", quantity=hours)
                continue
            rate = rates.ec2_hourly(self.prices, region, t.instance_type, t.platform)
            operation = rates.EC2_OPERATIONS[t.platform]
            on_demand = t.count - t.reserved
            if on_demand:
                self._add(day, COMPUTE, region, f"BoxUsage:{t.instance_type}", rate * per_day * on_demand, t.tags,
                          t.instance_type, operation=operation, unit="Hrs", quantity=Decimal(per_day * on_demand))
            if t.reserved:
                covered = Decimal(per_day * t.reserved)
                self._add(day, COMPUTE, region, f"BoxUsage:{t.instance_type}", Decimal(0), t.tags, t.instance_type,
                          RESERVED, operation=operation, unit="Hrs", quantity=covered, record_type="DiscountedUsage",
                          amortized=rates.ri_hourly(self.prices, region, t.instance_type) * covered)

    def _storage(self, block: Block, day: date) -> None:
        region = block.region
        for v in block.volumes:
            gb = _d(self.prices.ebs_gb_month(region, v.volume_type).unit_price) * v.size_gb / DAYS_PER_MONTH
            self._add(day, EC2_OTHER, region, EBS_USAGE[v.volume_type], gb, v.tags,
                      operation=EBS_OPERATIONS[v.volume_type], unit="GB-Mo",
                      quantity=Decimal(v.size_gb) / DAYS_PER_MONTH)
            if v.volume_type == "io1":
                iops = _d(self.prices.ebs_iops_month(region, "io1").unit_price) * v.iops / DAYS_PER_MONTH
                self._add(day, EC2_OTHER, region, "EBS:VolumeP-IOPS.piops", iops, v.tags,
                          operation=EBS_OPERATIONS["io1"], unit="IOPS-Mo", quantity=Decimal(v.iops) / DAYS_PER_MONTH)
        snap_price = _d(self.prices.snapshot_gb_month(region).unit_price)
        for s in block.snapshots:
            if (self.today - day).days <= s.age_days:
                self._add(day, EC2_OTHER, region, "EBS:SnapshotUsage", snap_price * s.size_gb / DAYS_PER_MONTH,
                          {"env": "prod", "team": "platform", "cost-center": "cc-100"}, operation="CreateSnapshot",
                          unit="GB-Mo", quantity=Decimal(s.size_gb) / DAYS_PER_MONTH)

    def _network(self, block: Block, day: date) -> None:
        region = block.region
        platform = {"env": "prod", "team": "platform", "cost-center": "cc-100"}
        eip = _d(self.prices.eip_hourly(region).unit_price) * 24
        hours = Decimal(24)
        for e in block.eips:
            usage = "PublicIPv4:InUseAddress" if e.associate_with else "PublicIPv4:IdleAddress"
            self._add(day, VPC, region, usage, eip, platform, operation="AssociateAddressVPC", unit="Hrs",
                      quantity=hours)
        for n in block.nats:
            self._add(day, VPC, region, "PublicIPv4:InUseAddress", eip, platform, operation="AssociateAddressVPC",
                      unit="Hrs", quantity=hours)
            self._add(day, EC2_OTHER, region, "NatGateway-Hours", _d(self.prices.nat_hourly(region).unit_price) * 24,
                      platform, operation="NatGateway", unit="Hrs", quantity=hours)
            gb = _d(n.gb_per_day) * _d(weekday_factor(day))
            if gb:
                noise = _noise(*self.salt, region, day, n.key)
                self._add(day, EC2_OTHER, region, "NatGateway-Bytes",
                          gb * _d(self.prices.nat_gb(region).unit_price) * noise, platform, operation="NatGateway",
                          unit="GB", quantity=gb * noise)
        if not block.standard:
            return
        transfer_gb = Decimal(20) * _d(weekday_factor(day))
        noise = _noise(*self.salt, region, day, "dto")
        self._add(day, EC2_OTHER, region, "DataTransfer-Out-Bytes", transfer_gb * Decimal("0.09") * noise,
                  {"env": "prod", "team": "web", "cost-center": "cc-100"}, operation="RunInstances", unit="GB",
                  quantity=transfer_gb * noise)
        self._add(day, CLOUDWATCH, region, "CW:MetricMonitorUsage", Decimal("0.30"), platform,
                  operation="MetricStorage", unit="Metrics", quantity=Decimal(1))

    def _rds(self, block: Block, day: date) -> None:
        region = block.region
        storage_price = {False: _d(self.prices.rds_storage_gb_month(region, "gp2").unit_price),
                         True: _d(self.prices.rds_storage_gb_month(region, "gp2", True).unit_price)}
        for db in block.rds:
            hourly = rates.rds_hourly(self.prices, region, db.instance_class, db.engine, db.multi_az)
            usage = "Multi-AZUsage" if db.multi_az else "InstanceUsage"
            operation = rates.RDS_OPERATIONS[db.engine]
            self._add(day, RDS, region, f"{usage}:{db.instance_class}", hourly * 24, db.tags, db.instance_class,
                      operation=operation, unit="Hrs", quantity=Decimal(24))
            storage = "RDS:Multi-AZ-GP2-Storage" if db.multi_az else "RDS:GP2-Storage"
            self._add(day, RDS, region, storage, storage_price[db.multi_az] * db.storage_gb / DAYS_PER_MONTH, db.tags,
                      operation=operation, unit="GB-Mo", quantity=Decimal(db.storage_gb) / DAYS_PER_MONTH)
        snap_price = _d(self.prices.rds_snapshot_gb_month(region).unit_price)
        sources = {db.key: db for db in block.rds}
        for s in block.rds_snapshots:
            if (self.today - day).days <= s.age_days:
                db = sources[s.db_key]
                self._add(day, RDS, region, "RDS:ChargedBackupUsage", snap_price * db.storage_gb / DAYS_PER_MONTH,
                          {"env": "prod", "team": "payments", "cost-center": "cc-200"},
                          operation=rates.RDS_OPERATIONS[db.engine], unit="GB-Mo",
                          quantity=Decimal(db.storage_gb) / DAYS_PER_MONTH)

    def _lambda(self, block: Block, day: date, anomaly: bool) -> None:
        region = block.region
        request = _d(self.prices.lambda_request(region).unit_price)
        spike = anomaly and (self.today - day).days == ANOMALY_DAYS_AGO
        for fn in block.lambdas:
            calls = _d(fn.invocations_per_day) * _d(weekday_factor(day)) * _noise(*self.salt, region, day, fn.key)
            gb_s = calls * _d(fn.duration_ms) / 1000 * _d(fn.memory_mb) / 1024
            price = _d(self.prices.lambda_gb_second(region, fn.architecture).unit_price)
            usage = "Lambda-GB-Second-ARM" if fn.architecture == "arm64" else "Lambda-GB-Second"
            factor = 3 if spike and usage == "Lambda-GB-Second" else 1
            self._add(day, LAMBDA, region, usage, gb_s * price * factor, fn.tags, operation="Invoke",
                      unit="Lambda-GB-Second", quantity=gb_s * factor)
            self._add(day, LAMBDA, region, "Request", calls * request, fn.tags, operation="Invoke", unit="Requests",
                      quantity=calls)

    def _s3(self, block: Block, day: date) -> None:
        region = block.region
        price = _d(self.prices.s3_gb_month(region, "STANDARD").unit_price)
        for b in block.buckets:
            self._add(day, S3, region, "TimedStorage-ByteHrs", price * _d(b.standard_gb) / DAYS_PER_MONTH, b.tags,
                      operation="StandardStorage", unit="GB-Mo", quantity=_d(b.standard_gb) / DAYS_PER_MONTH)
            requests = Decimal("0.05") * _d(weekday_factor(day)) * _noise(*self.salt, region, day, b.key)
            self._add(day, S3, region, "Requests-Tier1", requests, b.tags, operation="PutObject", unit="Requests",
                      quantity=requests / Decimal("0.000005"))

    def _new_service(self, block: Block, day: date) -> None:
        if not block.new_service or (self.today - day).days > NEW_SERVICE_DAYS_AGO:
            return
        hours = Decimal(NEW_SERVICE_WCU * 24)
        self._add(day, DYNAMODB, block.region, NEW_SERVICE_USAGE, hours * rates.DYNAMODB_WCU_HOUR,
                  {"env": "prod", "team": "data", "cost-center": "cc-300"}, operation="CommittedThroughput",
                  unit="WriteCapacityUnit-Hrs", quantity=hours)

    def lines(self) -> list[Line]:
        out = []
        for key, (cost, amortized, quantity) in sorted(self.acc.items()):
            day, service, region, usage, itype, tags, purchase, operation, record_type = key
            rounded = cost.quantize(CENT, rounding=ROUND_HALF_UP)
            spread = amortized.quantize(CENT, rounding=ROUND_HALF_UP)
            if rounded or spread:
                out.append(Line(day, service, region, usage, itype, tags, rounded, purchase, operation, record_type,
                                quantity.quantize(QUANTITY, rounding=ROUND_HALF_UP), self.units[key], spread,
                                self.account_id))
        return out


def _zeros() -> list[Decimal]:
    return [Decimal(0), Decimal(0), Decimal(0)]


def build_cost_table(fleet: Fleet, prices: PriceBook, today: date) -> list[Line]:
    """Usage lines of every block (identical blocks computed once and scaled), then the adjustments."""
    builder = CostBuilder(prices, today, fleet.account_id, fleet.jitter)
    groups: dict[tuple[Any, ...], int] = defaultdict(int)
    representative: dict[tuple[Any, ...], Block] = {}
    for block in fleet.blocks:
        key = (block.region, block.kind, tuple((t.key, t.count) for t in block.ec2))
        groups[key] += 1
        representative[key] = block
    target = anomaly_region(fleet)
    for group, times in groups.items():
        builder.block(representative[group], times, target)
    usage = builder.lines()
    return sorted(usage + adjustment_lines(usage, fleet, prices, today), key=line_order)

