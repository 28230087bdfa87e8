"""The sandbox fleet without moto: synthetic ids, its history, cost table, ground truth (shared by tests)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from tools.pricing.book import PriceBook
from tools.sandbox.advice import purchase_advice
from tools.sandbox.costs import build_cost_table
from tools.sandbox.fleet import Block, Fleet, Variant, build_fleet
from tools.sandbox.metrics import History
from tools.sandbox.planted import Planted, asg_arn, planted_named
from tools.sandbox.reservations import reservations
from tools.sandbox.truth import aws_rightsizing, ground_truth

TODAY = date.fromisoformat(os.environ["SANDBOX_TEST_TODAY"]) if os.environ.get("SANDBOX_TEST_TODAY") \
    else datetime.now(UTC).date()
"""Today's date, or SANDBOX_TEST_TODAY (YYYY-MM-DD) to run the offline tests as of another day."""


def _offline_instances(region: str, blocks: list[Block]) -> list[Planted]:
    out: list[Planted] = []
    for key in dict.fromkeys(t.key for b in blocks for t in b.ec2):
        for b in blocks:
            for t in (t for t in b.ec2 if t.key == key):
                out += [Planted("ec2_instance", f"i-{region}-{b.index}-{key}-{n}", region, t, b)
                        for n in range(t.count)]
    return out


def _common(region: str, b: Block) -> list[Planted]:
    out = [Planted("ebs_volume", f"vol-{region}-{b.index}-{v.key}", region, v, b) for v in b.volumes]
    out += [planted_named("rds_instance", b.name(d.key), region, d, b) for d in b.rds]
    out += [Planted("s3_bucket", f"{region}-{b.index}-{k.key}", region, k, b) for k in b.buckets]
    return out


def offline_plant(fleet: Fleet) -> list[Planted]:
    """The fleet's resources with synthetic ids (no moto), as the seeder plants them (per template, instances in
    the same order), so the history and the ground truth are the real account's but for the ids."""
    out: list[Planted] = []
    for region in fleet.regions:
        blocks = [b for b in fleet.in_region(region) if b.standard]
        out += _offline_instances(region, blocks)
        for b in blocks:
            out += _common(region, b)
            out += [Planted("ebs_snapshot", f"snap-{region}-{b.index}-{s.key}", region, s, b) for s in b.snapshots]
            out += [Planted("elastic_ip", f"eipalloc-{region}-{b.index}-{e.key}", region, e, b) for e in b.eips]
            out += [Planted("nat_gateway", f"nat-{region}-{b.index}-{n.key}", region, n, b) for n in b.nats]
            out += [planted_named("rds_snapshot", b.name(s.key), region, s, b) for s in b.rds_snapshots]
            out += [planted_named("lambda_function", b.name(f.key), region, f, b) for f in b.lambdas]
    for b in (b for b in fleet.blocks if not b.standard):
        region = b.region
        instances = _offline_instances(region, [b])
        out += instances + _common(region, b)
        out += [Planted("ebs_snapshot", f"snap-{region}-{b.index}-{s.key}", region, s, b,
                        {"image_id": f"ami-{region}-{b.index}-{s.key}"}) for s in b.snapshots]
        for g in b.asgs:
            members = [p.resource_id for p in instances if p.template.key == g.member]
            out.append(Planted("autoscaling_group", asg_arn(region, g.key, f"00000000-0000-4000-8000-{b.index:012d}"),
                               region, g, b, {"members": members}, name=g.key))
    return out


class Offline:
    def __init__(self, scale: int = 40, variant: Variant = "standard", today: Any = None) -> None:
        self.today = today or TODAY
        self.prices = PriceBook.load()
        self.fleet = build_fleet(scale, ["us-east-1", "eu-west-1"], variant=variant)
        self.planted = offline_plant(self.fleet)
        self.history = History(self.today).build(self.planted)
        self.lines = build_cost_table(self.fleet, self.prices, self.today)
        self.advice = purchase_advice(self.fleet, self.lines, self.prices, self.today)
        self.reservations = reservations(self.fleet, self.prices)
        self.truth = ground_truth(self.fleet, self.planted, self.lines, self.today, self.history, self.prices,
                                  self.advice)
        self.rightsizing = aws_rightsizing(self.planted, self.prices)

    def total(self, start: Any = None, end: Any = None) -> Decimal:
        """Unblended cost of every line (usage and adjustments) with start <= day < end."""
        return sum((ln.cost for ln in self.lines if (start is None or ln.day >= start) and (end is None or ln.day < end)),
                   Decimal(0))

    def usage(self, start: Any = None, end: Any = None) -> Decimal:
        """Usage basis (amortized cost of the usage record types) with start <= day < end."""
        return sum((ln.amortized for ln in self.lines if ln.is_usage and (start is None or ln.day >= start)
                    and (end is None or ln.day < end)), Decimal(0))
