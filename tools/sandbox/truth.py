"""Ground truth of what the sandbox planted, and the AWS-style rightsizing list, from the seeded fleet.

`ground_truth.json` keys:
- `seed`, `variant` ("standard" or "extended"), `regions`, `account_id`, `period` {start, end} (the 30 days
  ending yesterday, inclusive).
- `cost_totals` {total, by_service, by_region}: the usage basis of docs/money.md over the period, i.e. the
  AmortizedCost of the record types Usage, DiscountedUsage and SavingsPlanCoveredUsage (to the cent).
- `adjustments` {record type: unblended total over the period} of everything else on the bill (Tax, Credit,
  Refund, RIFee ...); negative for credits and refunds.
- `monthly_spend`: the usage basis of the last 30 days of the period (docs/money.md's one month).
- `waste`: one entry per (resource, finding type) the rules must report: `resource_id`, `region`, `type`,
  `reason`, and its billed dollars per month of 730 h, computed by the sandbox from its own cost table and rate
  rules (billing.py, waste_pricing.py), never from the product: `billed_monthly_cost` (the resource's full billed
  monthly cost; a stopped instance's is its attached volumes', an Auto Scaling group's its members'), `billed_saving`
  (<= billed_monthly_cost) and `billing_arithmetic` (how, with every rate and whether it was billed or a rule).
  A `rightsizing` entry also names its `target_type` (the template's declared target). An Auto Scaling group's
  entry has its AutoScalingGroupARN as `resource_id` and its instances as `covered_resources`.
- `insufficient_data`, `ignored`: resource ids; `anomalies`: the planted anomalies by date (the only ones on the
  usage basis); `counts`: resources per kind.
- `purchase_advice`: what the Cost Explorer server's purchase recommendations say (RDS RIs per class and the
  Compute Savings Plan), `reservations`: the account's EC2 Reserved Instances (extended variant only).

That is the whole file for the single account (`Sandbox(accounts=0)`). An organization's (accounts >= 1) is built
from each account's by org_truth.py: the same keys for the whole organization (waste entries then carry their
`account_id`), and `accounts`, one entry per account.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tools.pricing.book import PriceBook
from tools.sandbox import rates
from tools.sandbox.advice import Advice, purchase_advice
from tools.sandbox.anomalies import planted_anomalies
from tools.sandbox.billing import instance_hours
from tools.sandbox.cost_lines import Line, adjustments, monthly_spend, totals
from tools.sandbox.fleet import Fleet
from tools.sandbox.fleet_templates import ASG_TAG
from tools.sandbox.metrics import History
from tools.sandbox.planted import Planted
from tools.sandbox.reservations import reservations
from tools.sandbox.waste_pricing import WastePricer

REASONS = {
    "idle_resource": "cpu 1-2 % (max < 10 %) and < 1 MB/day network for 30 days",
    "rightsizing": "daily average cpu 6-12 % every day; its peak CPU fits the declared target",
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
GROUP_REASON = "Auto Scaling group whose every instance is idle: lower its minimum and desired capacity"
PART_TIME_REASON = "idle instance running {hours} h a day (billed for those hours)"


def _reason(p: Planted, kind: str) -> str:
    if p.kind == "autoscaling_group":
        return GROUP_REASON
    if p.kind == "ec2_instance" and p.template.state == "stopped":
        return STOPPED_REASON
    if p.kind == "ec2_instance" and kind == "idle_resource" and p.template.hours_per_day < 24:
        return PART_TIME_REASON.format(hours=p.template.hours_per_day)
    return REASONS[kind]


def ground_truth(fleet: Fleet, planted: list[Planted], lines: list[Line], today: date, history: History,
                 prices: PriceBook, advice: Advice | None = None) -> dict[str, Any]:
    start, end = today - timedelta(days=30), today - timedelta(days=1)
    advice = advice or purchase_advice(fleet, lines, prices, today)
    pricer = WastePricer(planted, history, prices, lines, today, advice)
    waste = []
    for p in planted:
        for kind in p.template.expect:
            monthly, saving, arithmetic = pricer.money(p, kind)
            entry: dict[str, Any] = {"resource_id": p.resource_id, "region": p.region, "type": kind,
                                     "reason": _reason(p, kind), "billed_monthly_cost": float(monthly),
                                     "billed_saving": float(saving), "billing_arithmetic": arithmetic}
            if kind == "rightsizing":
                entry["target_type"] = p.template.target
            if p.kind == "autoscaling_group":
                entry["covered_resources"] = list(p.extra["members"])
            waste.append(entry)
    return {
        "seed": fleet.seed, "variant": fleet.variant, "regions": list(fleet.regions), "account_id": fleet.account_id,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "cost_totals": totals(lines, start, end),
        "adjustments": adjustments(lines, start, end),
        "monthly_spend": monthly_spend(lines, end),
        "waste": waste,
        "insufficient_data": [p.resource_id for p in planted
                              if p.kind == "ec2_instance" and 0 < p.template.data_days < 7],
        "ignored": [p.resource_id for p in planted if getattr(p.template, "ignored", False)],
        "anomalies": planted_anomalies(fleet, today),
        "counts": {kind: sum(1 for p in planted if p.kind == kind) for kind in sorted({p.kind for p in planted})},
        "purchase_advice": _advice_truth(advice),
        "reservations": [{"reservation_id": r.reservation_id, "region": r.region, "instance_type": r.instance_type,
                          "platform": r.platform, "count": r.count, "effective_hourly": float(r.hourly)}
                         for r in reservations(fleet, prices)],
    }


def _advice_truth(advice: Advice) -> dict[str, Any]:
    sp = advice.savings_plan
    return {
        "reserved_instances": [
            {"service": "Amazon Relational Database Service", "region": a.region, "instance_type": a.instance_class,
             "engine": rates.RDS_ENGINE_NAMES[a.engine], "deployment": "Multi-AZ" if a.multi_az else "Single-AZ",
             "count": a.count, "savings_percentage": float(rates.RDS_RI_SAVINGS_PCT),
             "monthly_saving_per_instance": float(a.saving_per_instance),
             "monthly_saving": float(a.saving_per_instance * a.count)} for a in advice.rds],
        "savings_plan": None if sp is None else {
            "type": "COMPUTE_SP", "savings_percentage": float(rates.SP_SAVINGS_PCT), "instances": sp.instances,
            "on_demand_monthly": float(sp.on_demand_monthly), "monthly_saving": float(sp.savings_monthly)},
    }


def aws_rightsizing(planted: list[Planted], prices: PriceBook) -> list[dict[str, Any]]:
    """What AWS's own GetRightsizingRecommendation would say: MODIFY underused to the template's declared target,
    TERMINATE idle (running on-demand instances outside Auto Scaling groups, priced at the sandbox's on-demand rate
    for their platform and their hours)."""
    out = []
    for p in planted:
        t = p.template
        if (p.kind != "ec2_instance" or t.behaviour not in ("idle", "underused") or t.spot or t.state != "running"
                or ASG_TAG in t.tags):
            continue
        hours = float(instance_hours(t))
        hourly = rates.ec2_hourly(prices, p.region, t.instance_type, t.platform)
        monthly = round(float(hourly) * hours, 2)
        rec: dict[str, Any] = {"resource_id": p.resource_id, "region": p.region, "name": t.key,
                               "instance_type": t.instance_type, "tags": t.tags, "monthly_cost": monthly,
                               "platform": rates.PLATFORM_DETAILS[t.platform]}
        if t.behaviour == "idle":
            out.append({**rec, "action": "TERMINATE", "savings": monthly})
            continue
        target = t.target
        target_monthly = round(float(rates.ec2_hourly(prices, p.region, target, t.platform)) * hours, 2)
        out.append({**rec, "action": "MODIFY", "target_type": target, "target_monthly_cost": target_monthly,
                    "savings": round(monthly - target_monthly, 2)})
    return out
