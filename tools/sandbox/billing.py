"""What the simulated account is billed, read back from its own cost table: rates, AWS's purchase advice, and the
billed dollars of every planted waste item (the ground truth's `billed_monthly_cost` / `billed_saving`).

A resource's billed rate is what Cost Explorer reveals for its own usage: the unblended cost of the `Usage` lines
of its usage type (and operation) in the report period divided by their UsageQuantity (docs/money.md's
`billed` basis). Where the account has no such usage (a rightsizing target it does not run yet, gp3 IOPS,
Standard-IA), the sandbox's rate rules (rates.py; list prices for Linux and storage) price it; an instance type
it does not run is priced as the sandbox would bill it (a day of the rule's rate, rounded to the cent like every
line, / 24). Type changes are (billed current - target on the same platform) x its hours; the rightsizing target is
the one the template declares (fleet.Ec2T.target), the previous-generation target the price book's current-generation
twin. An instance is billed for 730 h x its hours a day / 24; an Auto Scaling group's idle saving is its members'.
Computed here from the table and the rules' formulas only, never from the product's code.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tools.pricing.book import PriceBook
from tools.sandbox import rates
from tools.sandbox.costs import EBS_USAGE, Line, region_code
from tools.sandbox.fleet import ROOT_VOLUME_GB, Fleet
from tools.sandbox.metrics import History, daily_stat
from tools.sandbox.seed import Planted

HOURS = Decimal(730)
CENT = Decimal("0.01")
LOOKBACK_DAYS = 14
"""METRICS_LOOKBACK_DAYS: the CloudWatch days the rules read (the 14 days ending yesterday)."""
GIB = Decimal(1024**3)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def usd(value: Decimal, places: int = 2) -> str:
    return f"${value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,}"


def rate_text(value: Decimal) -> str:
    """A unit rate with enough places to read: $0.095840, $0.0000166667."""
    return usd(value, 6 if abs(value) >= Decimal("0.01") else 10)


def suffix(usage_type: str, region: str) -> str:
    """'USE1-BoxUsage:m5.large' -> 'BoxUsage:m5.large'."""
    return usage_type.removeprefix(f"{region_code(region)}-")


class BilledRates:
    """Cost / UsageQuantity of the table's `Usage` lines in start..end, per (region, usage type, operation)."""

    def __init__(self, lines: list[Line], start: date, end: date) -> None:
        self.start, self.end = start, end
        self.cost: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
        self.quantity: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
        for ln in lines:
            if start <= ln.day <= end and ln.record_type == "Usage" and ln.quantity:
                key = (ln.region, suffix(ln.usage_type, ln.region), ln.operation)
                self.cost[key] += ln.cost
                self.quantity[key] += ln.quantity

    def rate(self, region: str, usage: str, operation: str | None = None) -> Decimal | None:
        keys = [k for k in self.quantity if k[0] == region and k[1] == usage and operation in (None, k[2])]
        quantity = sum((self.quantity[k] for k in keys), Decimal(0))
        if not quantity:
            return None
        return sum((self.cost[k] for k in keys), Decimal(0)) / quantity

    def priced(self, region: str, usage: str, operation: str | None, rule: Callable[[], Decimal],
               unit: str = "h") -> tuple[Decimal, str]:
        """(rate, how it was priced): billed when the account has that usage, else the sandbox's rule."""
        billed = self.rate(region, usage, operation)
        label = f"{region_code(region)}-{usage}" + (f" {operation}" if operation else "")
        if billed is not None:
            return billed, f"{rate_text(billed)}/{unit} billed ({label})"
        value = rule()
        return value, f"{rate_text(value)}/{unit} rule ({label} not billed)"


# ---------------------------------------------------------------------- AWS's purchase advice


@dataclass(frozen=True)
class RdsAdvice:
    """One RDS RI purchase recommendation line: steady on-demand databases of one class, engine and deployment."""

    region: str
    instance_class: str
    engine: str
    multi_az: bool
    count: int
    hourly: Decimal
    """Billed on-demand hourly rate of one instance."""

    @property
    def on_demand_monthly(self) -> Decimal:
        return cents(self.hourly * HOURS)

    @property
    def saving_per_instance(self) -> Decimal:
        return cents(self.hourly * HOURS * rates.RDS_RI_SAVINGS_PCT / 100)


@dataclass(frozen=True)
class SpAdvice:
    """AWS's Compute Savings Plans advice: the steady on-demand EC2 hours it would cover."""

    hourly_on_demand: Decimal
    instances: int

    @property
    def on_demand_monthly(self) -> Decimal:
        return cents(self.hourly_on_demand * HOURS)

    @property
    def savings_monthly(self) -> Decimal:
        return cents(self.hourly_on_demand * HOURS * rates.SP_SAVINGS_PCT / 100)

    @property
    def hourly_commitment(self) -> Decimal:
        return (self.hourly_on_demand * (100 - rates.SP_SAVINGS_PCT) / 100).quantize(Decimal("0.001"),
                                                                                       rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Advice:
    rds: tuple[RdsAdvice, ...]
    savings_plan: SpAdvice | None


def ec2_hourly(billed: BilledRates, prices: PriceBook, region: str, template: Any) -> tuple[Decimal, str]:
    """Billed hourly rate of an instance's own usage (spot: its SpotUsage type, any operation)."""
    if template.spot:
        return billed.priced(region, f"SpotUsage:{template.instance_type}", None,
                             lambda: rates.spot_hourly(prices, region, template.instance_type))
    return billed.priced(region, f"BoxUsage:{template.instance_type}", rates.EC2_OPERATIONS[template.platform],
                         lambda: rates.ec2_hourly(prices, region, template.instance_type, template.platform))


def rds_hourly(billed: BilledRates, prices: PriceBook, region: str, db: Any) -> tuple[Decimal, str]:
    usage = f"{'Multi-AZUsage' if db.multi_az else 'InstanceUsage'}:{db.instance_class}"
    return billed.priced(region, usage, rates.RDS_OPERATIONS[db.engine],
                         lambda: rates.rds_hourly(prices, region, db.instance_class, db.engine, db.multi_az))


def purchase_advice(fleet: Fleet, lines: list[Line], prices: PriceBook, today: date) -> Advice:
    """AWS's RI advice for the steady on-demand databases the fleet expects `reserved_instance` for, and its
    Compute Savings Plans advice for the steady on-demand instances it expects `savings_plan` for, priced at
    their billed rates over the 30 days ending yesterday (LookbackPeriodInDays THIRTY_DAYS)."""
    billed = BilledRates(lines, today - timedelta(days=30), today - timedelta(days=1))
    counts: dict[tuple[str, str, str, bool], int] = defaultdict(int)
    templates: dict[tuple[str, str, str, bool], Any] = {}
    sp_hourly, sp_count = Decimal(0), 0
    for block in fleet.blocks:
        for db in block.rds:
            if "reserved_instance" in db.expect:
                key = (block.region, db.instance_class, db.engine, db.multi_az)
                counts[key] += 1
                templates[key] = db
        for t in block.ec2:
            if "savings_plan" in t.expect:
                sp_hourly += ec2_hourly(billed, prices, block.region, t)[0] * t.count
                sp_count += t.count
    rds = tuple(RdsAdvice(region, klass, engine, multi_az, count,
                          rds_hourly(billed, prices, region, templates[(region, klass, engine, multi_az)])[0])
                for (region, klass, engine, multi_az), count in sorted(counts.items()))
    return Advice(rds, SpAdvice(sp_hourly, sp_count) if sp_count else None)


# ---------------------------------------------------------------------- billed waste

GP3_FREE_IOPS, GP3_FREE_MIBS = 3000, 125


def equal_performance(volume_type: str, size_gb: int, iops: int) -> tuple[int, int]:
    """(IOPS, MiB/s) a gp3 volume needs to match the volume (AWS EBS volume types): gp2 has 3 IOPS per GB (100 to
    16,000) and 250 MiB/s from 334 GB (below, within gp3's free 125 MiB/s); io1 its provisioned IOPS at 256 KiB/s
    each, up to 500 MiB/s."""
    if volume_type == "gp2":
        return min(16_000, max(100, 3 * size_gb)), 250 if size_gb >= 334 else GP3_FREE_MIBS
    return iops, max(GP3_FREE_MIBS, min(500, iops // 4))



def instance_hours(template: Any) -> Decimal:
    """Hours a month the instance is billed for: 730, or 730 x its hours a day / 24."""
    return HOURS * template.hours_per_day / 24


Money = tuple[Decimal, Decimal, str]
"""(billed monthly cost, billed saving, arithmetic)."""


class WastePricer:
    """Billed monthly cost and saving of each planted waste item (docs/rules.md's formulas at billed rates)."""

    def __init__(self, planted: list[Planted], history: History, prices: PriceBook, lines: list[Line],
                 today: date, advice: Advice) -> None:
        self.planted = planted
        self.history = history
        self.prices = prices
        self.today = today
        self.advice = advice
        self.window_end = today - timedelta(days=1)
        self.billed = BilledRates(lines, today - timedelta(days=30), self.window_end)

    def money(self, p: Planted, kind: str) -> Money:
        method: Callable[[Planted, str], Money] = getattr(self, f"_{p.kind}")
        monthly, saving, text = method(p, kind)
        return cents(monthly), cents(saving), text

    # ------------------------------------------------------------------ EC2

    def _instance_monthly(self, p: Planted) -> tuple[Decimal, Decimal, str]:
        """(billed hourly rate, monthly cost, arithmetic): 730 h, or 730 h x hours a day / 24 for part-time."""
        hourly, how = ec2_hourly(self.billed, self.prices, p.region, p.template)
        hours = instance_hours(p.template)
        return hourly, hourly * hours, f"{hours:g} h x {how}"

    def _ec2_instance(self, p: Planted, kind: str) -> Money:
        t = p.template
        if t.state == "stopped":
            return self._stopped(p)
        hourly, monthly, text = self._instance_monthly(p)
        hours = instance_hours(t)
        if kind == "idle_resource":
            return monthly, monthly, f"{text} = {usd(monthly)}, all of it"
        if kind in ("rightsizing", "previous_generation"):
            target = t.target if kind == "rightsizing" else self.prices.current_generation(t.instance_type)
            if target is None:
                raise ValueError(f"{p.resource_id}: no {kind} target")
            # Not billed yet: what the sandbox would bill for it, a day's hours rounded to the cent like its lines.
            target_hourly, target_how = self.billed.priced(
                p.region, f"BoxUsage:{target}", rates.EC2_OPERATIONS[t.platform],
                lambda: cents(rates.ec2_hourly(self.prices, p.region, target, t.platform) * 24) / 24)
            saving = (hourly - target_hourly) * hours
            return monthly, saving, (f"({t.instance_type} {rate_text(hourly)}/h - {target} {target_how}) x {hours:g} h "
                                     f"= {usd(saving)}")
        pct = {"spot_migration": rates.SPOT_MIGRATION_PCT, "savings_plan": rates.SP_SAVINGS_PCT}[kind]
        saving = monthly * pct / 100
        return monthly, saving, f"{text} = {usd(monthly)} on demand x {pct} % = {usd(saving)}"

    def _autoscaling_group(self, p: Planted, kind: str) -> Money:
        """Every member idle: the group's saving is its members' (each to the cent, as the rules add them)."""
        members = [m for m in self.planted if m.kind == "ec2_instance" and m.resource_id in p.extra["members"]]
        parts = [(m.resource_id, cents(self._instance_monthly(m)[1]), self._instance_monthly(m)[2]) for m in members]
        total = sum((c for _, c, _ in parts), Decimal(0))
        text = " + ".join(f"{rid} {how} = {usd(c)}" for rid, c, how in parts)
        return total, total, f"members: {text}; together {usd(total)}, all of it"

    def _stopped(self, p: Planted) -> Money:
        volumes: list[tuple[str, int, int]] = [("gp3", ROOT_VOLUME_GB, 0)]
        volumes += [(v.volume_type, v.size_gb, v.iops) for v in p.block.volumes if v.attach_to == p.template.key]
        total, parts = Decimal(0), []
        for volume_type, size, iops in volumes:
            cost, text = self._volume(p.region, volume_type, size, iops)
            total += cost
            parts.append(text)
        return total, total, f"attached volumes: {' + '.join(parts)} = {usd(total)}"

    # ------------------------------------------------------------------ EBS

    def _volume(self, region: str, volume_type: str, size: int, iops: int) -> tuple[Decimal, str]:
        gb_rate, how = self.billed.priced(region, EBS_USAGE[volume_type], None, lambda: Decimal(str(
            self.prices.ebs_gb_month(region, volume_type).unit_price)), "GB-month")
        cost, text = gb_rate * size, f"{size} GB x {how}"
        if volume_type == "io1":
            iops_rate, iops_how = self.billed.priced(region, "EBS:VolumeP-IOPS.piops", None, lambda: Decimal(str(
                self.prices.ebs_iops_month(region, "io1").unit_price)), "IOPS-month")
            cost += iops_rate * iops
            text += f" + {iops} IOPS x {iops_how}"
        return cost, text

    def _gp3(self, region: str, size: int, iops: int, mibs: int) -> tuple[Decimal, str]:
        """gp3 of `size` GB with `iops` and `mibs` MiB/s: 3,000 IOPS and 125 MiB/s come free."""
        gb_rate, how = self.billed.priced(region, EBS_USAGE["gp3"], None, lambda: Decimal(str(
            self.prices.ebs_gb_month(region, "gp3").unit_price)), "GB-month")
        cost, text = gb_rate * size, f"gp3 {size} GB x {how}"
        extra = max(0, iops - GP3_FREE_IOPS)
        if extra:
            iops_rate, iops_how = self.billed.priced(region, "EBS:VolumeP-IOPS.gp3", None, lambda: Decimal(str(
                self.prices.ebs_iops_month(region, "gp3").unit_price)), "IOPS-month")
            cost += iops_rate * extra
            text += f" + {extra} IOPS x {iops_how}"
        faster = max(0, mibs - GP3_FREE_MIBS)
        if faster:
            mibs_rate, mibs_how = self.billed.priced(region, "EBS:VolumeP-Throughput.gp3", None, lambda: Decimal(str(
                self.prices.ebs_throughput_month(region, "gp3").unit_price)), "MiB/s-month")
            cost += mibs_rate * faster
            text += f" + {faster} MiB/s x {mibs_how}"
        return cost, text

    def _ebs_volume(self, p: Planted, kind: str) -> Money:
        t = p.template
        monthly, text = self._volume(p.region, t.volume_type, t.size_gb, t.iops)
        if kind == "unattached_volume":
            return monthly, monthly, f"{text} = {usd(monthly)}, all of it"
        target, target_text = self._gp3(p.region, t.size_gb, *equal_performance(t.volume_type, t.size_gb, t.iops))
        saving = monthly - target
        return monthly, saving, f"{t.volume_type} {text} = {usd(monthly)} - {target_text} = {usd(saving)}"

    def _ebs_snapshot(self, p: Planted, kind: str) -> Money:
        rate, how = self.billed.priced(p.region, "EBS:SnapshotUsage", None, lambda: Decimal(str(
            self.prices.snapshot_gb_month(p.region).unit_price)), "GB-month")
        monthly = rate * p.template.size_gb
        return monthly, monthly, f"{p.template.size_gb} GB x {how} = {usd(monthly)} (upper bound: incremental)"

    # ------------------------------------------------------------------ network

    def _elastic_ip(self, p: Planted, kind: str) -> Money:
        rate, how = self.billed.priced(p.region, "PublicIPv4:IdleAddress", None, lambda: Decimal(str(
            self.prices.eip_hourly(p.region).unit_price)))
        monthly = rate * HOURS
        return monthly, monthly, f"730 h x {how} = {usd(monthly)}"

    def _nat_gateway(self, p: Planted, kind: str) -> Money:
        rate, how = self.billed.priced(p.region, "NatGateway-Hours", None, lambda: Decimal(str(
            self.prices.nat_hourly(p.region).unit_price)))
        monthly = rate * HOURS
        return monthly, monthly, f"730 h x {how} = {usd(monthly)}"

    # ------------------------------------------------------------------ RDS

    def _rds_monthly(self, p: Planted) -> tuple[Decimal, Decimal, str]:
        db = p.template
        hourly, how = rds_hourly(self.billed, self.prices, p.region, db)
        storage = "RDS:Multi-AZ-GP2-Storage" if db.multi_az else "RDS:GP2-Storage"
        gb_rate, gb_how = self.billed.priced(p.region, storage, None, lambda: Decimal(str(
            self.prices.rds_storage_gb_month(p.region, "gp2", db.multi_az).unit_price)), "GB-month")
        instance = hourly * HOURS
        monthly = instance + gb_rate * db.storage_gb
        return instance, monthly, f"730 h x {how} + {db.storage_gb} GB x {gb_how} = {usd(monthly)}"

    def _rds_instance(self, p: Planted, kind: str) -> Money:
        instance, monthly, text = self._rds_monthly(p)
        if kind == "idle_database":
            return monthly, monthly, f"{text}, all of it"
        if kind == "multi_az":
            return monthly, monthly / 2, f"({text}) / 2 = {usd(monthly / 2)}"
        db = p.template
        advice = next(a for a in self.advice.rds if (a.region, a.instance_class, a.engine, a.multi_az)
                      == (p.region, db.instance_class, db.engine, db.multi_az))
        saving = advice.saving_per_instance
        return monthly, saving, (f"AWS RI advice: {rates.RDS_RI_SAVINGS_PCT} % of the billed instance cost "
                                 f"{usd(instance)} = {usd(saving)} per instance")

    def _rds_snapshot(self, p: Planted, kind: str) -> Money:
        source = next(db for db in p.block.rds if db.key == p.template.db_key)
        rate, how = self.billed.priced(p.region, "RDS:ChargedBackupUsage", None, lambda: Decimal(str(
            self.prices.rds_snapshot_gb_month(p.region).unit_price)), "GB-month")
        monthly = rate * source.storage_gb
        return monthly, monthly, f"{source.storage_gb} GB x {how} = {usd(monthly)}"

    # ------------------------------------------------------------------ Lambda, S3

    def _window(self, p: Planted, namespace: str, metric: str, dims: dict[str, str], stat: str) -> list[float]:
        series = self.history.series.get((p.region, namespace, metric, tuple(sorted(dims.items()))), {})
        first = self.window_end - timedelta(days=LOOKBACK_DAYS - 1)
        return [v for d, v in sorted(daily_stat(series, stat).items()) if first <= d <= self.window_end]

    def _lambda_function(self, p: Planted, kind: str) -> Money:
        fn = p.template
        dims = {"FunctionName": p.name}
        invocations = self._window(p, "AWS/Lambda", "Invocations", dims, "Sum")
        duration = self._window(p, "AWS/Lambda", "Duration", dims, "Average")
        calls = Decimal(str(sum(invocations) / len(invocations))) * HOURS / 24
        seconds = Decimal(str(sum(duration) / len(duration))) / 1000
        gb_seconds = calls * seconds * fn.memory_mb / 1024
        usage = "Lambda-GB-Second-ARM" if fn.architecture == "arm64" else "Lambda-GB-Second"
        gb_rate, gb_how = self.billed.priced(p.region, usage, None, lambda: Decimal(str(
            self.prices.lambda_gb_second(p.region, fn.architecture).unit_price)), "GB-second")
        request_rate, request_how = self.billed.priced(p.region, "Request", None, lambda: Decimal(str(
            self.prices.lambda_request(p.region).unit_price)), "request")
        compute, requests = gb_seconds * gb_rate, calls * request_rate
        monthly = compute + requests
        text = (f"{calls:,.0f} calls x {request_how} + {gb_seconds:,.0f} GB-s x {gb_how} = {usd(monthly)}")
        if kind == "lambda_errors":
            errors = self._window(p, "AWS/Lambda", "Errors", dims, "Sum")
            rate = Decimal(str(sum(errors))) / Decimal(str(sum(invocations)))
            saving = monthly * rate
            return monthly, saving, f"{text} x {rate * 100:.2f} % failed = {usd(saving)}"
        used = self._window(p, "LambdaInsights", "used_memory_max", {"function_name": p.name}, "Maximum")
        recommended = max(128, math.ceil(max(used) * 1.25 / 64) * 64)
        saving = compute * (1 - Decimal(recommended) / fn.memory_mb)
        return monthly, saving, (f"{text}; GB-second cost {usd(compute)} x (1 - {recommended}/{fn.memory_mb}) "
                                 f"= {usd(saving)}")

    def _s3_bucket(self, p: Planted, kind: str) -> Money:
        if kind == "s3_incomplete_uploads":
            return Decimal(0), Decimal(0), "incomplete upload parts are empty: 0 GB x Standard = $0.00"
        size = self._window(p, "AWS/S3", "BucketSizeBytes",
                            {"BucketName": p.resource_id, "StorageType": "StandardStorage"}, "Average")
        gb = Decimal(str(sum(size) / len(size))) / GIB
        standard, how = self.billed.priced(p.region, "TimedStorage-ByteHrs", None, lambda: Decimal(str(
            self.prices.s3_gb_month(p.region, "STANDARD").unit_price)), "GB-month")
        infrequent = Decimal(str(self.prices.s3_gb_month(p.region, "STANDARD_IA").unit_price))
        objects = self._window(p, "AWS/S3", "NumberOfObjects",
                               {"BucketName": p.resource_id, "StorageType": "AllStorageTypes"}, "Average")
        count = Decimal(str(sum(objects) / len(objects)))
        fee = Decimal(str(self.prices.s3_transition_per_1000(p.region, "STANDARD_IA").unit_price))
        # docs/rules.md: the one-time transition of the cold objects, spread over 12 months
        transition = count * rates.S3_COLD_FRACTION * fee / 1000 / 12
        monthly = gb * standard
        saving = gb * rates.S3_COLD_FRACTION * (standard - infrequent) - transition
        return monthly, saving, (f"{gb:,.2f} GB x {rates.S3_COLD_FRACTION} x ({how} - Standard-IA rule "
                                 f"{rate_text(infrequent)}) - {count:,.0f} objects x {rates.S3_COLD_FRACTION} x "
                                 f"${fee}/1,000 / 12 = {usd(saving)}; monthly {gb:,.2f} GB x Standard "
                                 f"= {usd(monthly)}")
