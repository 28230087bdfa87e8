"""The seeded Cost Explorer table: daily cost per service, region, usage type, operation, record type and tags.

Prices come from the price book and the sandbox's rate rules (rates.py): instances price x 24 h, storage per
GB-month / 30.4167 a day, and so on. Usage-driven lines (Lambda, data transfer, S3 requests) follow a weekly
rhythm. One anomaly is planted: Lambda GB-seconds x3 on one day ten days ago in the first region (us-east-1 when
present); the extended variant adds a second, a brand-new service (DynamoDB provisioned writes, ~$25 a day from
NEW_SERVICE_DAYS_AGO days ago, never before) in the same region. An instance running part of the day is billed
for those hours. Each line is rounded to the cent (unblended and amortized alike), so every grouping sums exactly.

Every line carries what Cost Explorer shows for it: OPERATION, RECORD_TYPE, UsageQuantity with its unit, and an
amortized cost apart from the unblended one (Reserved-Instance-covered hours are DiscountedUsage: unblended 0,
amortized = the reservation's effective rate). Beside usage, every account has spend that is not usage: a Tax
line on the 1st of each month, a daily promotional Credit, one Refund inside the report period and, where
Reserved Instances exist, their monthly RIFee.
"""

from __future__ import annotations

import calendar
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tools.pricing.book import PriceBook
from tools.sandbox import rates
from tools.sandbox.fleet import (
    ROOT_VOLUME_GB,
    Block,
    Fleet,
)
from tools.sandbox.metrics import weekday_factor

HISTORY_DAYS = 90
DAYS_PER_MONTH = Decimal("30.4167")
CENT = Decimal("0.01")
QUANTITY = Decimal("0.000001")
COMPUTE = "Amazon Elastic Compute Cloud - Compute"
EC2_OTHER = "EC2 - Other"
VPC = "Amazon Virtual Private Cloud"
RDS = "Amazon Relational Database Service"
LAMBDA = "AWS Lambda"
S3 = "Amazon Simple Storage Service"
CLOUDWATCH = "AmazonCloudWatch"
DYNAMODB = "Amazon DynamoDB"
TAX = "Tax"
NO_REGION = "NoRegion"
TAG_KEYS = ("env", "team", "cost-center")
ANOMALY_DAYS_AGO = 10
NEW_SERVICE_DAYS_AGO = 5
NEW_SERVICE_USAGE = "WriteCapacityUnit-Hrs"
NEW_SERVICE_WCU = 1600
"""Provisioned write capacity of the extended variant's new DynamoDB table: 1,600 WCU x 24 h x rates.DYNAMODB_WCU_HOUR
= $24.96 a day."""
REGION_CODES = {
    "us-east-1": "USE1", "us-east-2": "USE2", "us-west-1": "USW1", "us-west-2": "USW2", "eu-west-1": "EU",
    "eu-west-2": "EUW2", "eu-west-3": "EUW3", "eu-central-1": "EUC1", "eu-north-1": "EUN1",
    "ap-northeast-1": "APN1", "ap-northeast-2": "APN2", "ap-south-1": "APS3", "ap-southeast-1": "APS1",
    "ap-southeast-2": "APS2", "ca-central-1": "CAN1", "sa-east-1": "SAE1",
}
USAGE_RECORD_TYPES = ("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage")
"""docs/money.md's usage basis; every other record type is an adjustment."""
ON_DEMAND = "On Demand Instances"
RESERVED = "Standard Reserved Instances"
SPOT = "Spot Instances"
NO_TAGS = ("", "", "")
EBS_OPERATIONS = {"gp2": "CreateVolume-Gp2", "gp3": "CreateVolume-Gp3", "io1": "CreateVolume-P-IOPS"}
EBS_USAGE = {"gp2": "EBS:VolumeUsage.gp2", "gp3": "EBS:VolumeUsage.gp3", "io1": "EBS:VolumeUsage.piops"}
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
    """Unblended cost (also BlendedCost, NetUnblendedCost: the account has no discounts)."""
    purchase_type: str = ON_DEMAND
    operation: str = ""
    record_type: str = "Usage"
    quantity: Decimal = Decimal(0)
    """UsageQuantity, in `unit` (0 for lines that are not usage)."""
    unit: str = ""
    amortized_cost: Decimal | None = None
    """AmortizedCost (also NetAmortizedCost); None = equal to `cost`."""

    @property
    def amortized(self) -> Decimal:
        return self.cost if self.amortized_cost is None else self.amortized_cost

    @property
    def is_usage(self) -> bool:
        return self.record_type in USAGE_RECORD_TYPES


Key = tuple[date, str, str, str, str, tuple[str, str, str], str, str, str]
"""day, service, region, usage type, instance type, tags, purchase type, operation, record type."""


@dataclass(frozen=True)
class Reservation:
    """A Linux 1-year Standard no-upfront EC2 Reserved Instance of the extended variant (regional, whole history)."""

    reservation_id: str
    region: str
    instance_type: str
    count: int
    hourly: Decimal
    """Effective (recurring) hourly rate per instance."""
    on_demand_hourly: Decimal
    service: str = COMPUTE
    platform: str = "Linux/UNIX"

    @property
    def normalization(self) -> Decimal:
        return normalization_factor(self.instance_type)


def normalization_factor(instance_type: str) -> Decimal:
    """AWS's size normalization factor (large = 4, xlarge = 8, Nxlarge = 8N)."""
    size = instance_type.rpartition(".")[2]
    named = {"nano": "0.25", "micro": "0.5", "small": "1", "medium": "2", "large": "4", "xlarge": "8"}
    if size in named:
        return Decimal(named[size])
    if size.endswith("xlarge") and size[:-6].isdigit():
        return Decimal(8 * int(size[:-6]))
    return Decimal(0)


def reservations(fleet: Fleet, prices: PriceBook) -> list[Reservation]:
    """One reservation per (region, instance type) the extended block marks as covered."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for block in fleet.blocks:
        for t in block.ec2:
            if t.reserved:
                counts[(block.region, t.instance_type)] += t.reserved
    out = []
    for (region, itype), count in sorted(counts.items()):
        rid = hashlib.sha256(f"{fleet.seed}|{region}|{itype}".encode()).hexdigest()
        out.append(Reservation(f"{rid[:8]}-{rid[8:12]}-{rid[12:16]}-{rid[16:20]}-{rid[20:32]}", region, itype, count,
                               rates.ri_hourly(prices, region, itype), rates.linux_hourly(prices, region, itype)))
    return out


def _tagvals(tags: dict[str, str]) -> tuple[str, str, str]:
    return (tags.get("env", ""), tags.get("team", ""), tags.get("cost-center", ""))


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def _noise(*parts: object) -> Decimal:
    """Deterministic +-3 % jitter for usage-driven lines."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return Decimal(1) + (Decimal(digest[0]) / 255 - Decimal("0.5")) * Decimal("0.06")


def region_code(region: str) -> str:
    return REGION_CODES.get(region, region.upper())


class CostBuilder:
    """Accumulates one block's daily costs, then scales identical blocks by their count."""

    def __init__(self, prices: PriceBook, today: date) -> None:
        self.prices = prices
        self.today = today
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
                noise = _noise(region, day, n.key)
                self._add(day, EC2_OTHER, region, "NatGateway-Bytes",
                          gb * _d(self.prices.nat_gb(region).unit_price) * noise, platform, operation="NatGateway",
                          unit="GB", quantity=gb * noise)
        if not block.standard:
            return
        transfer_gb = Decimal(20) * _d(weekday_factor(day))
        noise = _noise(region, day, "dto")
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
            calls = _d(fn.invocations_per_day) * _d(weekday_factor(day)) * _noise(region, day, fn.key)
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
            requests = Decimal("0.05") * _d(weekday_factor(day)) * _noise(region, day, b.key)
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
                                quantity.quantize(QUANTITY, rounding=ROUND_HALF_UP), self.units[key], spread))
        return out


def _zeros() -> list[Decimal]:
    return [Decimal(0), Decimal(0), Decimal(0)]


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _previous_month(day: date) -> tuple[date, date]:
    last = day - timedelta(days=1)
    return date(last.year, last.month, 1), last


def adjustment_lines(usage: list[Line], fleet: Fleet, prices: PriceBook, today: date) -> list[Line]:
    """What is not usage: monthly RIFee and Tax on the 1st, a daily Credit, one Refund in the report period."""
    first = anomaly_region(fleet)
    code = region_code(first)
    days = [today - timedelta(days=n) for n in range(HISTORY_DAYS, 0, -1)]
    out: list[Line] = []
    for day in (d for d in days if d.day == 1):
        hours = Decimal(24 * calendar.monthrange(day.year, day.month)[1])
        for r in reservations(fleet, prices):
            out.append(Line(day, COMPUTE, r.region, f"{region_code(r.region)}-HeavyUsage:{r.instance_type}",
                            r.instance_type, NO_TAGS, _cents(r.hourly * hours * r.count), RESERVED, "RunInstances",
                            "RIFee", hours * r.count, "Hrs", Decimal("0.00")))
    for day in days:
        out.append(Line(day, COMPUTE, first, f"{code}-BoxUsage:m5.large", "NoInstanceType", NO_TAGS,
                        rates.PROMO_CREDIT_PER_DAY, ON_DEMAND, "RunInstances", "Credit", Decimal(0), "",
                        rates.PROMO_CREDIT_PER_DAY))
    refund_day = today - timedelta(days=rates.REFUND_DAYS_AGO)
    out.append(Line(refund_day, RDS, first, f"{code}-InstanceUsage:db.m5.large", "NoInstanceType", NO_TAGS,
                    rates.REFUND, ON_DEMAND, rates.RDS_OPERATIONS["postgres"], "Refund", Decimal(0), "", rates.REFUND))
    charged = usage + [ln for ln in out if ln.record_type == "RIFee"]
    for day in (d for d in days if d.day == 1):
        start, end = _previous_month(day)
        base = sum((ln.cost for ln in charged if start <= ln.day <= end), Decimal(0))
        tax = _cents(base * rates.TAX_RATE)
        if tax:
            out.append(Line(day, TAX, NO_REGION, "Tax", "NoInstanceType", NO_TAGS, tax, ON_DEMAND, "NoOperation", "Tax",
                            Decimal(0), "", tax))
    return out


def anomaly_region(fleet: Fleet) -> str:
    return "us-east-1" if "us-east-1" in fleet.regions else fleet.regions[0]


def build_cost_table(fleet: Fleet, prices: PriceBook, today: date) -> list[Line]:
    """Usage lines of every block (identical blocks computed once and scaled), then the adjustments."""
    builder = CostBuilder(prices, today)
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


def line_order(line: Line) -> tuple[Any, ...]:
    return (line.day, line.service, line.region, line.usage_type, line.instance_type, line.tags, line.purchase_type,
            line.operation, line.record_type)


def planted_anomalies(fleet: Fleet, today: date) -> list[dict[str, str]]:
    """The anomalies docs/rules.md must flag, by date: the Lambda spike, and the first day of a new service's spend."""
    region = anomaly_region(fleet)
    day = today - timedelta(days=ANOMALY_DAYS_AGO)
    out = [{"service": LAMBDA, "region": region, "date": day.isoformat(),
            "driver": f"{region_code(region)}-Lambda-GB-Second"}]
    for block in (b for b in fleet.blocks if b.new_service):
        out.append({"service": DYNAMODB, "region": block.region,
                    "date": (today - timedelta(days=NEW_SERVICE_DAYS_AGO)).isoformat(),
                    "driver": f"{region_code(block.region)}-{NEW_SERVICE_USAGE}"})
    return sorted(out, key=lambda a: a["date"])


def totals(lines: list[Line], start: date, end: date) -> dict[str, Any]:
    """Usage-basis totals (docs/money.md: AmortizedCost of the usage record types) for start..end inclusive."""
    total = Decimal(0)
    by_service: dict[str, Decimal] = defaultdict(Decimal)
    by_region: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        if start <= line.day <= end and line.is_usage:
            total += line.amortized
            by_service[line.service] += line.amortized
            by_region[line.region] += line.amortized
    return {"total": float(total), "by_service": {k: float(v) for k, v in sorted(by_service.items())},
            "by_region": {k: float(v) for k, v in sorted(by_region.items())}}


def adjustments(lines: list[Line], start: date, end: date) -> dict[str, float]:
    """Record type -> unblended total of the lines that are not usage, start..end inclusive."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        if start <= line.day <= end and not line.is_usage:
            out[line.record_type] += line.cost
    return {k: float(v) for k, v in sorted(out.items())}


def monthly_spend(lines: list[Line], end: date) -> float:
    """Usage-basis spend of the 30 days ending `end` (inclusive)."""
    start = end - timedelta(days=29)
    return float(sum((ln.amortized for ln in lines if start <= ln.day <= end and ln.is_usage), Decimal(0)))


def flagged_anomalies(lines: list[Line], start: date, end: date, threshold_pct: float = 20.0,
                      min_dollars: float = 5.0) -> list[tuple[str, str, date]]:
    """docs/rules.md's anomaly rule over the table's usage basis: (service, region, day) flagged inside start..end,
    rises against the same-weekday baseline and new spend (>= min_dollars after 4 weeks of none)."""
    daily: dict[tuple[str, str], dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in lines:
        if line.is_usage:
            daily[(line.service, line.region)][line.day] += line.amortized
    first_day = min((ln.day for ln in lines), default=start)
    flagged = []
    for (service, region), series in sorted(daily.items()):
        for day in sorted(series):
            if not start <= day <= end:
                continue
            actual = series[day]
            quiet = all(not series.get(day - timedelta(days=n)) for n in range(1, 29))
            if quiet and day - timedelta(days=28) >= first_day and actual >= _d(min_dollars):
                flagged.append((service, region, day))
                continue
            previous = [series[day - timedelta(weeks=w)] for w in range(1, 5) if day - timedelta(weeks=w) in series]
            if len(previous) < 2:
                continue
            baseline = sum(previous, Decimal(0)) / len(previous)
            if actual > baseline * (1 + _d(threshold_pct) / 100) and actual - baseline >= _d(min_dollars):
                flagged.append((service, region, day))
    return flagged
