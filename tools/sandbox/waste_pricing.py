"""The billed dollars of every planted waste item (the ground truth's `billed_monthly_cost` / `billed_saving`).

docs/rules.md's formulas at billed rates (billing.py). An instance type the account does not run is priced as the
sandbox would bill it (a day of the rule's rate, rounded to the cent like every line, / 24). Type changes are
(billed current - target on the same platform) x its hours; the rightsizing target is the one the template declares
(fleet_templates.Ec2T.target), the previous-generation target the price book's current-generation twin. An Auto
Scaling group's idle saving is its members'.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from tools.pricing.book import PriceBook
from tools.sandbox import rates
from tools.sandbox.advice import Advice
from tools.sandbox.billing import (
    HOURS,
    BilledRates,
    cents,
    ec2_hourly,
    instance_hours,
    rate_text,
    rds_hourly,
    usd,
)
from tools.sandbox.cost_lines import EBS_USAGE, Line
from tools.sandbox.fleet_templates import ROOT_VOLUME_GB
from tools.sandbox.metrics import History, daily_stat
from tools.sandbox.planted import Planted

LOOKBACK_DAYS = 14
"""METRICS_LOOKBACK_DAYS: the CloudWatch days the rules read (the 14 days ending yesterday)."""
GIB = Decimal(1024**3)
GP3_FREE_IOPS, GP3_FREE_MIBS = 3000, 125


def equal_performance(volume_type: str, size_gb: int, iops: int) -> tuple[int, int]:
    """(IOPS, MiB/s) a gp3 volume needs to match the volume (AWS EBS volume types): gp2 has 3 IOPS per GB (100 to
    16,000) and 250 MiB/s from 334 GB (below, within gp3's free 125 MiB/s); io1 its provisioned IOPS at 256 KiB/s
    each, up to 500 MiB/s."""
    if volume_type == "gp2":
        return min(16_000, max(100, 3 * size_gb)), 250 if size_gb >= 334 else GP3_FREE_MIBS
    return iops, max(GP3_FREE_MIBS, min(500, iops // 4))


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
