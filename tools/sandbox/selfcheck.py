"""An independent reading of docs/rules.md over the planted data, to cross-check the ground truth.

`expected_findings` evaluates the rules on the generated CloudWatch series and the templates (not on
their `expect` labels); tests require it to equal the ground truth's waste list exactly. docs/money.md adds
two rules the billing variant exercises: no savings_plan for usage a Reserved Instance already covers, and no
old_snapshot for a snapshot that backs a registered AMI.
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from typing import Any

from tools.pricing.book import PriceBook
from tools.sandbox.fleet import Block, Fleet
from tools.sandbox.metrics import History, daily_stat
from tools.sandbox.seed import Planted, planted_named

LOOKBACK, MIN_DAYS = 14, 7
NON_PROD = {"dev", "development", "test", "testing", "staging", "qa", "sandbox"}


def _offline_instances(region: str, blocks: list[Block]) -> list[Planted]:
    out: list[Planted] = []
    for key in dict.fromkeys(t.key for b in blocks for t in b.ec2):
        for b in blocks:
            for t in (t for t in b.ec2 if t.key == key):
                out += [Planted("ec2_instance", f"i-{region}-{b.index}-{key}-{n}", region, t, b)
                        for n in range(t.count)]
    return out


def offline_plant(fleet: Fleet) -> list[Planted]:
    """The fleet's resources with synthetic ids (no moto), in the same order the seeder plants them per kind."""
    out: list[Planted] = []
    for region in fleet.regions:
        blocks = [b for b in fleet.in_region(region) if b.standard]
        out += _offline_instances(region, blocks)
        for b in blocks:
            out += [Planted("ebs_volume", f"vol-{region}-{b.index}-{v.key}", region, v, b) for v in b.volumes]
            out += [Planted("ebs_snapshot", f"snap-{region}-{b.index}-{s.key}", region, s, b) for s in b.snapshots]
            out += [Planted("elastic_ip", f"eipalloc-{region}-{b.index}-{e.key}", region, e, b) for e in b.eips]
            out += [Planted("nat_gateway", f"nat-{region}-{b.index}-{n.key}", region, n, b) for n in b.nats]
            out += [planted_named("rds_instance", b.name(d.key), region, d, b) for d in b.rds]
            out += [planted_named("rds_snapshot", b.name(s.key), region, s, b) for s in b.rds_snapshots]
            out += [planted_named("lambda_function", b.name(f.key), region, f, b) for f in b.lambdas]
            out += [Planted("s3_bucket", f"{region}-{b.index}-{k.key}", region, k, b) for k in b.buckets]
    for b in (b for b in fleet.blocks if not b.standard):
        region = b.region
        out += _offline_instances(region, [b])
        out += [planted_named("rds_instance", b.name(d.key), region, d, b) for d in b.rds]
        out += [Planted("ebs_snapshot", f"snap-{region}-{b.index}-{s.key}", region, s, b,
                        {"image_id": f"ami-{region}-{b.index}-{s.key}"}) for s in b.snapshots]
    return out


def _window(series: dict[date, float], end: date) -> list[float]:
    """Daily values of the LOOKBACK days ending `end` (inclusive)."""
    return [v for d, v in sorted(series.items()) if end - timedelta(days=LOOKBACK - 1) <= d <= end]


def _metric(history: History, region: str, ns: str, name: str, dims: dict[str, str], stat: str,
            end: date) -> list[float]:
    series = history.series.get((region, ns, name, tuple(sorted(dims.items()))), {})
    return _window(daily_stat(series, stat), end)


_NOT_GENERAL = re.compile(r"^(t\d|g\d|p\d|inf\d|trn\d|dl\d|f\d|vt\d|a1$|[a-z]+\d+g)")
"""Families the rightsizing fallback never picks: burstable, GPU/accelerated, Graviton (arm64)."""


def rightsizing_target(p: Planted, h: History, prices: PriceBook, end: date) -> str | None:
    """docs/rules.md's rightsizing target, or None when the instance is not oversized.

    Oversized: 14 days of daily average CPU all below 20 %. Target: the smallest smaller size of its family with
    vcpus >= current vcpus x peak / 60 (peak = the highest daily Maximum); else the cheapest current-generation
    x86 type with the same vCPUs and memory (not burstable, GPU or flex), if cheaper (Linux list price)."""
    t = p.template
    dims = {"InstanceId": p.resource_id}
    cpu = _metric(h, p.region, "AWS/EC2", "CPUUtilization", dims, "Average", end)
    if len(cpu) < LOOKBACK or not all(v < 20 for v in cpu):
        return None
    peak = max(_metric(h, p.region, "AWS/EC2", "CPUUtilization", dims, "Maximum", end) or cpu)
    spec = prices.instance_specs(t.instance_type)
    family = prices.family_types(spec.family)
    for smaller in family[:family.index(t.instance_type)]:
        if prices.instance_specs(smaller).vcpus >= spec.vcpus * peak / 60:
            return smaller
    current = prices.ec2_hourly(p.region, t.instance_type).unit_price
    twins = []
    for candidate in prices.instance_types():
        other = prices.instance_specs(candidate)
        if (other.vcpus, other.memory_gib) != (spec.vcpus, spec.memory_gib) or other.generation != "current" \
                or _NOT_GENERAL.match(other.family) or "flex" in candidate:
            continue
        price = prices.ec2_hourly(p.region, candidate).unit_price
        if price < current:
            twins.append((price, candidate))
    return min(twins)[1] if twins else None


def _ec2(p: Planted, h: History, prices: PriceBook, end: date, covered: set[tuple[str, str, str]]) -> set[str]:
    t = p.template
    if t.state == "stopped":
        return {"idle_resource"}
    dims = {"InstanceId": p.resource_id}
    cpu = _metric(h, p.region, "AWS/EC2", "CPUUtilization", dims, "Average", end)
    if len(cpu) < MIN_DAYS:
        return set()
    cpu_max = _metric(h, p.region, "AWS/EC2", "CPUUtilization", dims, "Maximum", end)
    net = (sum(_metric(h, p.region, "AWS/EC2", "NetworkIn", dims, "Sum", end)) + sum(
        _metric(h, p.region, "AWS/EC2", "NetworkOut", dims, "Sum", end))) / len(cpu)
    if sum(cpu) / len(cpu) < 5 and max(cpu_max) < 10 and net < 1_048_576:
        return {"idle_resource"}
    found = set()
    if rightsizing_target(p, h, prices, end) is not None:
        found.add("rightsizing")
    successor = prices.current_generation(t.instance_type)
    if successor and prices.ec2_hourly(p.region, successor).unit_price < prices.ec2_hourly(
            p.region, t.instance_type).unit_price:
        found.add("previous_generation")
    if not t.spot and ("aws:autoscaling:groupName" in t.tags or t.tags.get("env", "").lower() in NON_PROD
                       or t.tags.get("stateless") == "true"):
        found.add("spot_migration")
    already_covered = (p.region, t.instance_type, t.platform) in covered
    if not found and not t.spot and not already_covered and len(cpu) / LOOKBACK >= 0.9:
        found.add("savings_plan")
    return found


def _other(p: Planted, h: History, today: date, end: date) -> set[str]:
    t = p.template
    if p.kind == "ebs_volume":
        if not t.attach_to:
            return {"unattached_volume"}
        return {"volume_type_upgrade"} if t.volume_type == "gp2" or (t.volume_type == "io1" and t.iops <= 16000) \
            else set()
    if p.kind in ("ebs_snapshot", "rds_snapshot"):
        return {"old_snapshot"} if t.age_days > 90 and not getattr(t, "ami", False) else set()
    if p.kind == "elastic_ip":
        return set() if t.associate_with else {"unused_elastic_ip"}
    if p.kind == "nat_gateway":
        dims = {"NatGatewayId": p.resource_id}
        out = _metric(h, p.region, "AWS/NATGateway", "BytesOutToDestination", dims, "Sum", end)
        inn = _metric(h, p.region, "AWS/NATGateway", "BytesInFromSource", dims, "Sum", end)
        return {"idle_nat_gateway"} if len(out) >= 14 and sum(out) + sum(inn) < 1_048_576 else set()
    if p.kind == "rds_instance":
        conns = _metric(h, p.region, "AWS/RDS", "DatabaseConnections", {"DBInstanceIdentifier": p.name}, "Maximum", end)
        if len(conns) >= 14 and max(conns) == 0:
            return {"idle_database"}
        if t.multi_az and t.tags.get("env", "").lower() not in ("prod", "production"):
            return {"multi_az"}
        return {"reserved_instance"} if len(conns) >= MIN_DAYS and max(conns) > 0 else set()
    if p.kind == "lambda_function":
        return _lambda(p, h, today, end)
    if p.kind == "s3_bucket":
        found = set()
        size = _metric(h, p.region, "AWS/S3", "BucketSizeBytes",
                       {"BucketName": p.resource_id, "StorageType": "StandardStorage"}, "Average", end)
        if t.lifecycle == "none" and size and sum(size) / len(size) >= 50 * 1024**3:
            found.add("s3_lifecycle")
        if t.multipart_uploads and "abort" not in t.lifecycle:
            found.add("s3_incomplete_uploads")
        return found
    return set()


def _lambda(p: Planted, h: History, today: date, end: date) -> set[str]:
    t, dims, found = p.template, {"FunctionName": p.name}, set()
    inv = daily_stat(h.series[(p.region, "AWS/Lambda", "Invocations", tuple(dims.items()))], "Sum")
    err = daily_stat(h.series[(p.region, "AWS/Lambda", "Errors", tuple(dims.items()))], "Sum")
    recent = [d for d in inv if end - timedelta(days=6) <= d <= end]
    if any(inv[d] >= 10 and err[d] / inv[d] > 0.10 for d in recent):
        found.add("lambda_errors")
    used = _metric(h, p.region, "LambdaInsights", "used_memory_max", {"function_name": p.name}, "Maximum", end)
    if used:
        recommended = max(128, math.ceil(max(used) * 1.25 / 64) * 64)
        if recommended <= 0.75 * t.memory_mb:
            found.add("lambda_memory")
    return found


def expected_findings(planted: list[Planted], history: History, prices: PriceBook, today: date,
                      end: date | None = None) -> set[tuple[str, str]]:
    """(resource_id, type) pairs the rules produce; `end` = last day of the metric window."""
    last = end or today - timedelta(days=1)
    # Usage (region, type, platform) a Reserved Instance covers is never told to buy coverage (docs/money.md).
    covered = {(p.region, p.template.instance_type, p.template.platform) for p in planted
               if p.kind == "ec2_instance" and p.template.reserved}
    found: set[tuple[str, str]] = set()
    for p in planted:
        if getattr(p.template, "ignored", False):
            continue
        kinds = (_ec2(p, history, prices, last, covered) if p.kind == "ec2_instance"
                 else _other(p, history, today, last))
        found |= {(p.resource_id, k) for k in kinds}
    return found


def truth_pairs(truth: dict[str, Any]) -> set[tuple[str, str]]:
    return {(w["resource_id"], w["type"]) for w in truth["waste"]}
