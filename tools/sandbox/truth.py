"""Ground truth of what the sandbox planted, and the AWS-style rightsizing list, from the seeded fleet."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tools.pricing.book import PriceBook
from tools.sandbox.costs import Line, planted_anomalies, totals
from tools.sandbox.fleet import Fleet
from tools.sandbox.metrics import History, daily_stat
from tools.sandbox.seed import ACCOUNT_ID, Planted

REASONS = {
    "idle_resource": "cpu 1-2 % (max < 10 %) and < 1 MB/day network for 30 days",
    "rightsizing": "daily average cpu 6-12 % every day",
    "previous_generation": "previous-generation family with a cheaper current-generation twin",
    "spot_migration": "busy on-demand instance in an Auto Scaling group, non-production or stateless",
    "savings_plan": "steady busy on-demand instance, 30 days of data",
    "unattached_volume": "volume in state available",
    "volume_type_upgrade": "attached gp2 or io1 <= 16,000 IOPS: gp3 is cheaper",
    "old_snapshot": "snapshot older than 90 days",
    "unused_elastic_ip": "Elastic IP without association",
    "idle_nat_gateway": "NAT gateway with zero bytes for 30 days",
    "idle_database": "0 connections for 30 days",
    "multi_az": "Multi-AZ on a non-production database",
    "reserved_instance": "busy on-demand database with connections every day",
    "lambda_memory": "Lambda Insights max memory used far below the configured memory",
    "lambda_errors": "error rate 20 % on two of the last 7 days",
    "s3_lifecycle": ">= 50 GB Standard storage and no lifecycle rules",
    "s3_incomplete_uploads": "incomplete multipart uploads and no abort rule",
}
STOPPED_REASON = "stopped instance whose attached EBS volumes still bill"


def ground_truth(fleet: Fleet, planted: list[Planted], lines: list[Line], today: date) -> dict[str, Any]:
    start, end = today - timedelta(days=30), today - timedelta(days=1)
    waste = []
    for p in planted:
        for kind in p.template.expect:
            stopped = p.kind == "ec2_instance" and p.template.state == "stopped"
            waste.append({"resource_id": p.resource_id, "region": p.region, "type": kind,
                          "reason": STOPPED_REASON if stopped else REASONS[kind]})
    return {
        "seed": fleet.seed, "regions": list(fleet.regions), "account_id": ACCOUNT_ID,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "cost_totals": totals(lines, start, end),
        "waste": waste,
        "insufficient_data": [p.resource_id for p in planted
                              if p.kind == "ec2_instance" and 0 < p.template.data_days < 7],
        "ignored": [p.resource_id for p in planted if getattr(p.template, "ignored", False)],
        "anomalies": planted_anomalies(fleet, today),
        "counts": {kind: sum(1 for p in planted if p.kind == kind) for kind in sorted({p.kind for p in planted})},
    }


def _target(prices: PriceBook, region: str, instance_type: str, cpu_max: float) -> str | None:
    spec = prices.instance_specs(instance_type)
    needed = spec.vcpus * cpu_max / 60
    for candidate in prices.family_types(spec.family):
        if prices.instance_specs(candidate).vcpus >= needed:
            return candidate if candidate != instance_type else None
    return None


def aws_rightsizing(planted: list[Planted], history: History, prices: PriceBook) -> list[dict[str, Any]]:
    """What AWS's own GetRightsizingRecommendation would say: MODIFY underused, TERMINATE idle."""
    out = []
    for p in planted:
        if p.kind != "ec2_instance" or p.template.behaviour not in ("idle", "underused"):
            continue
        hourly = prices.ec2_hourly(p.region, p.template.instance_type).unit_price
        monthly = round(hourly * 730, 2)
        rec: dict[str, Any] = {"resource_id": p.resource_id, "region": p.region, "name": p.template.key,
                               "instance_type": p.template.instance_type, "tags": p.template.tags,
                               "monthly_cost": monthly}
        if p.template.behaviour == "idle":
            out.append({**rec, "action": "TERMINATE", "savings": monthly})
            continue
        series = history.series[(p.region, "AWS/EC2", "CPUUtilization", (("InstanceId", p.resource_id),))]
        target = _target(prices, p.region, p.template.instance_type, max(daily_stat(series, "Average").values()))
        if target is None:
            continue
        target_monthly = round(prices.ec2_hourly(p.region, target).unit_price * 730, 2)
        out.append({**rec, "action": "MODIFY", "target_type": target, "target_monthly_cost": target_monthly,
                    "savings": round(monthly - target_monthly, 2)})
    return out
