"""Stored data the chat tests read.

`seed`: daily spend from the 1st of last month to yesterday, and a report (the small fixtures' tests).

`Account` / `seed_account`: a simulated account shaped like the sandbox's standard block (same kinds, names, tags,
finding types, Cost Explorer service names and usage types), small enough to reason about by hand: 75 days of
daily spend per service, region and usage type (Lambda at half on weekends, a Lambda spike 12 days ago, DynamoDB
new 12 days ago), an inventory of 52 resources tagged team/env, per-resource daily costs for the last 40 days, a
report whose findings cover every finding type (a stopped idle instance among running ones, one instance in two
findings, 23 unattached volumes), and the agent's own costs. Every figure is exact to the cent, so a test can
compute the answer to any question from these inputs alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from tools.models import (
    Anomaly,
    CollectionResult,
    CostRow,
    CostSummary,
    Finding,
    Forecast,
    Opportunity,
    Report,
    Resource,
    RunCost,
    TimePeriod,
    UsageDriver,
)
from tools.storage.reads import TAG_COSTS_KIND

EC2 = "Amazon Elastic Compute Cloud - Compute"
LAMBDA = "AWS Lambda"
DAILY = {(EC2, "us-east-1"): 10.0, (EC2, "eu-west-1"): 2.5, (LAMBDA, "us-east-1"): 1.25}

LEVERS = {"reserved_instance", "savings_plan", "spot_migration"}


def last_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def seed(storage, report, today: date) -> tuple[date, date]:
    """Store the spend and the report; return last month's (start, end)."""
    start, end = last_month(today)
    days = [start + timedelta(days=i) for i in range((today - start).days)]
    rows = [CostRow(day=d, service=s, region=r, usage_type="", cost=c) for d in days for (s, r), c in DAILY.items()]
    costs = CostSummary(time_period=TimePeriod(start=days[0], end=days[-1]),
                        total_cost=round(sum(x.cost for x in rows), 2), daily=rows)
    collection = CollectionResult(account_id="123456789012", collected_at=datetime.now(UTC),
                                  regions=["us-east-1", "eu-west-1"], costs=costs)
    storage.store_collection(collection, "run-chat")
    storage.store_report(report, "run-chat")
    return start, end


# ----------------------------------------------------------------------------------------------- the account
ACCOUNT = "123456789012"
OTHER, RDS, VPC = "EC2 - Other", "Amazon Relational Database Service", "Amazon Virtual Private Cloud"
S3, CLOUDWATCH, DYNAMODB = "Amazon Simple Storage Service", "AmazonCloudWatch", "Amazon DynamoDB"
HISTORY_DAYS = 75
RESOURCE_COST_DAYS = 40
SPIKE_DAYS_AGO = 12
NEW_SERVICE_DAYS_AGO = 12
# (service, region, usage type) -> dollars a day.
LINES: dict[tuple[str, str, str], str] = {
    (EC2, "us-east-1", "USE1-BoxUsage:m5.large"): "55.20", (EC2, "us-east-1", "USE1-BoxUsage:t3.medium"): "9.98",
    (EC2, "eu-west-1", "EU-BoxUsage:m5.xlarge"): "25.60", (EC2, "eu-west-1", "EU-BoxUsage:c4.large"): "2.72",
    (OTHER, "us-east-1", "USE1-EBS:VolumeUsage.gp2"): "6.58", (OTHER, "us-east-1", "USE1-NatGateway-Hours"): "1.08",
    (OTHER, "eu-west-1", "EU-EBS:VolumeUsage.gp3"): "3.29", (OTHER, "eu-west-1", "EU-NatGateway-Hours"): "1.15",
    (VPC, "us-east-1", "USE1-PublicIPv4:IdleAddress"): "0.12",
    (RDS, "us-east-1", "USE1-InstanceUsage:db.m5.large"): "17.28",
    (RDS, "eu-west-1", "EU-Multi-AZUsage:db.r5.large"): "25.60",
    (LAMBDA, "us-east-1", "USE1-Lambda-GB-Second"): "4.10", (LAMBDA, "us-east-1", "USE1-Request"): "0.40",
    (LAMBDA, "eu-west-1", "EU-Lambda-GB-Second"): "1.90",
    (S3, "us-east-1", "USE1-TimedStorage-ByteHrs"): "1.73", (S3, "eu-west-1", "EU-TimedStorage-ByteHrs"): "0.52",
    (CLOUDWATCH, "us-east-1", "USE1-CW:MetricMonitorUsage"): "0.60",
    (DYNAMODB, "us-east-1", "USE1-WriteCapacityUnit-Hrs"): "3.15",
}
SPIKE_LINE = (LAMBDA, "us-east-1", "USE1-Lambda-GB-Second")
# Cost allocation tags of each line, (team, env), as Cost Explorer groups the bill by tag ('' untagged).
LINE_TAGS: dict[tuple[str, str, str], tuple[str, str]] = {
    key: tags for keys, tags in (
        (("USE1-BoxUsage:m5.large", "USE1-EBS:VolumeUsage.gp2", "USE1-TimedStorage-ByteHrs", "EU-TimedStorage-ByteHrs"),
         ("data", "prod")),
        (("EU-Multi-AZUsage:db.r5.large",), ("data", "staging")),
        (("USE1-BoxUsage:t3.medium", "EU-EBS:VolumeUsage.gp3"), ("platform", "dev")),
        (("USE1-NatGateway-Hours", "EU-NatGateway-Hours", "USE1-PublicIPv4:IdleAddress"), ("platform", "prod")),
        (("EU-BoxUsage:m5.xlarge", "EU-BoxUsage:c4.large", "EU-Lambda-GB-Second"), ("web", "prod")),
        (("USE1-InstanceUsage:db.m5.large", "USE1-Lambda-GB-Second", "USE1-Request", "USE1-WriteCapacityUnit-Hrs"),
         ("payments", "prod")),
        (("USE1-CW:MetricMonitorUsage",), ("", "")),
    ) for key in LINES if key[2] in keys}


def line_cost(key: tuple[str, str, str], day: date, today: date) -> Decimal:
    """One line's cost on one day: usage-driven Lambda at half on weekends, x4 on the spike day; DynamoDB only
    from 12 days ago."""
    cost = Decimal(LINES[key])
    if key[0] == DYNAMODB and day < today - timedelta(days=NEW_SERVICE_DAYS_AGO):
        return Decimal(0)
    if key[0] == LAMBDA and day.weekday() >= 5:
        cost /= 2
    if key == SPIKE_LINE and day == today - timedelta(days=SPIKE_DAYS_AGO):
        cost *= 4
    return cost


@dataclass(frozen=True)
class R:
    """One inventory resource and what the report found on it: (type, saving) pairs."""

    rid: str
    kind: str
    service: str
    region: str
    rtype: str
    state: str
    name: str
    team: str
    env: str
    daily: str
    """Price-book cost a day, a multiple of $0.12 so that the monthly cost (x 365 / 12) is exact to the cent."""
    findings: tuple[tuple[str, str], ...] = ()

    @property
    def monthly(self) -> Decimal:
        return Decimal(self.daily) * 365 / 12


def _arn(service: str, region: str, kind: str, name: str) -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{kind}:{name}"


E = "ec2_instance"
RESOURCES: tuple[R, ...] = (
    R("i-0a1b000000000001", E, "EC2", "us-east-1", "m5.large", "running", "batch-runner", "data", "prod", "2.40",
      (("idle_resource", "73.00"),)),
    R("i-0a1b000000000002", E, "EC2", "us-east-1", "t3.medium", "running", "tools-box", "platform", "dev", "0.96",
      (("idle_resource", "29.20"),)),
    R("i-0a1b000000000003", E, "EC2", "us-east-1", "m5.xlarge", "stopped", "reporting", "data", "prod", "0",
      (("idle_resource", "10.00"),)),
    R("i-0a1b000000000004", E, "EC2", "eu-west-1", "m5.large", "running", "idle-eu", "web", "prod", "2.64",
      (("idle_resource", "80.30"),)),
    R("i-0a1b000000000005", E, "EC2", "us-east-1", "m5.2xlarge", "running", "api-server", "payments", "prod", "9.12",
      (("rightsizing", "138.70"),)),
    R("i-0a1b000000000006", E, "EC2", "eu-west-1", "c5.4xlarge", "running", "worker", "data", "staging", "18.24",
      (("rightsizing", "277.40"), ("spot_migration", "194.18"))),
    R("i-0a1b000000000007", E, "EC2", "us-east-1", "m4.xlarge", "running", "legacy-app", "payments", "prod", "4.80",
      (("previous_generation", "5.84"),)),
    R("i-0a1b000000000008", E, "EC2", "eu-west-1", "c4.large", "running", "legacy-cache", "web", "prod", "2.64",
      (("previous_generation", "12.34"),)),
    R("i-0a1b000000000009", E, "EC2", "eu-west-1", "m5.xlarge", "running", "web-1", "web", "prod", "5.04",
      (("savings_plan", "41.39"),)),
    R("i-0a1b00000000000a", E, "EC2", "us-east-1", "c5.large", "running", "spot-crawler", "data", "dev", "1.08"),
    R("i-0a1b00000000000b", E, "EC2", "eu-west-1", "t3.small", "stopped", "archive", "research", "dev", "0"),
    R("vol-0c2d000000000001", "ebs_volume", "EBS", "us-east-1", "gp2", "available", "orphan-gp2", "platform", "prod",
      "0.36", (("unattached_volume", "10.95"),)),
    R("vol-0c2d000000000002", "ebs_volume", "EBS", "eu-west-1", "io1", "available", "orphan-io1", "platform", "prod",
      "1.08", (("unattached_volume", "32.85"),)),
    R("vol-0c2d000000000003", "ebs_volume", "EBS", "eu-west-1", "gp2", "in-use", "web-data", "web", "prod", "0.72",
      (("volume_type_upgrade", "4.38"),)),
    R("vol-0c2d000000000004", "ebs_volume", "EBS", "us-east-1", "gp3", "in-use", "reporting-data", "data", "prod",
      "0.24"),
    *(R(f"vol-0c2d0000000001{i:02d}", "ebs_volume", "EBS", "eu-west-1", "gp3", "available", f"scratch-{i:02d}",
        "platform", "dev", "0.12", (("unattached_volume", "3.65"),)) for i in range(1, 22)),
    R("snap-0e3f000000000001", "ebs_snapshot", "EBS", "us-east-1", "snapshot", "completed", "backup-2025",
      "platform", "prod", "0.12", (("old_snapshot", "3.65"),)),
    R("snap-0e3f000000000002", "ebs_snapshot", "EBS", "us-east-1", "snapshot", "completed", "backup-weekly",
      "platform", "prod", "0.12"),
    R("eipalloc-0f4a000000000001", "elastic_ip", "VPC", "us-east-1", "public_ipv4", "unassociated", "spare-ip",
      "platform", "prod", "0.12", (("unused_elastic_ip", "3.65"),)),
    R("nat-0a5b000000000001", "nat_gateway", "VPC", "eu-west-1", "nat_gateway", "available", "nat-unused",
      "platform", "prod", "1.08", (("idle_nat_gateway", "32.85"),)),
    R("nat-0a5b000000000002", "nat_gateway", "VPC", "us-east-1", "nat_gateway", "available", "nat-main",
      "platform", "prod", "1.08"),
    R(_arn("rds", "us-east-1", "db", "orders-db"), "rds_instance", "RDS", "us-east-1", "db.m5.large", "available",
      "orders-db", "payments", "prod", "4.08", (("reserved_instance", "38.69"),)),
    R(_arn("rds", "eu-west-1", "db", "analytics-staging"), "rds_instance", "RDS", "eu-west-1", "db.r5.large",
      "available", "analytics-staging", "data", "staging", "12.48", (("multi_az", "189.80"),)),
    R(_arn("rds", "us-east-1", "db", "legacy-reports"), "rds_instance", "RDS", "us-east-1", "db.t3.medium",
      "available", "legacy-reports", "data", "prod", "1.92", (("idle_database", "58.40"),)),
    R(_arn("rds", "eu-west-1", "db", "billing-db"), "rds_instance", "RDS", "eu-west-1", "db.m5.xlarge", "available",
      "billing-db", "payments", "prod", "16.32"),
    R(_arn("rds", "us-east-1", "snapshot", "orders-pre-migration"), "rds_snapshot", "RDS", "us-east-1", "manual",
      "available", "orders-pre-migration", "payments", "prod", "0.36", (("old_snapshot", "10.85"),)),
    R(_arn("lambda", "us-east-1", "function", "checkout-webhook"), "lambda_function", "Lambda", "us-east-1",
      "python3.12", "Active", "checkout-webhook", "payments", "prod", "0.24", (("lambda_errors", "0.06"),)),
    R(_arn("lambda", "eu-west-1", "function", "image-resize"), "lambda_function", "Lambda", "eu-west-1",
      "python3.12", "Active", "image-resize", "web", "prod", "1.20", (("lambda_memory", "29.20"),)),
    R(_arn("lambda", "us-east-1", "function", "nightly-export"), "lambda_function", "Lambda", "us-east-1",
      "python3.12", "Active", "nightly-export", "data", "prod", "0.12"),
    R("logs-archive-use1", "s3_bucket", "S3", "us-east-1", "bucket", "", "logs-archive-use1", "data", "prod", "0.24",
      (("s3_lifecycle", "1.08"),)),
    R("logs-archive-euw1", "s3_bucket", "S3", "eu-west-1", "bucket", "", "logs-archive-euw1", "data", "prod", "0.12",
      (("s3_lifecycle", "0.54"),)),
    R("uploads-use1", "s3_bucket", "S3", "us-east-1", "bucket", "", "uploads-use1", "web", "prod", "0.12",
      (("s3_incomplete_uploads", "0.00"),)),
    R("static-site", "s3_bucket", "S3", "us-east-1", "bucket", "", "static-site", "web", "prod", "0.12"),
)
PRIORITY = {"rightsizing": "high", "idle_resource": "high", "multi_az": "high", "unattached_volume": "medium",
            "spot_migration": "medium", "idle_database": "medium", "savings_plan": "medium",
            "reserved_instance": "medium", "idle_nat_gateway": "medium"}
STOPPED_COVERS = {"i-0a1b000000000003": ["vol-0c2d000000000004"]}
FORECAST = Forecast(time_period=TimePeriod(start=date(2000, 1, 1), end=date(2000, 1, 30)), mean=5123.45,
                    lower=4610.11, upper=5636.79)
RUN_COST = RunCost(bedrock=0.0123, aws_api=0.07, total=0.0823, input_tokens=2100, output_tokens=350)


def agent_cost_records(today: date) -> list[dict]:
    """What the agent itself spent: the latest run (yesterday), a chat turn, and a run 20 days ago."""
    return [
        {"timestamp": today - timedelta(days=1), "run_id": "run-account", "component": "bedrock",
         "model": "anthropic.claude", "input_tokens": 2100, "output_tokens": 350, "cost": 0.0123},
        {"timestamp": today - timedelta(days=1), "run_id": "run-account", "component": "aws_api", "cost": 0.07},
        {"timestamp": today - timedelta(days=3), "session_id": "chat-1", "component": "bedrock",
         "model": "anthropic.claude", "input_tokens": 900, "output_tokens": 120, "cost": 0.0045},
        {"timestamp": today - timedelta(days=20), "run_id": "run-old", "component": "aws_api", "cost": 0.0650},
    ]
RECOMMENDATIONS = {
    "idle_resource": "Stop or terminate", "rightsizing": "Resize to the next smaller size of the family",
    "spot_migration": "Run on Spot", "savings_plan": "Cover with a Compute Savings Plan",
    "reserved_instance": "Buy a 1-year Reserved DB Instance", "unattached_volume": "Snapshot if needed, then delete",
    "volume_type_upgrade": "Change volume type gp2 -> gp3", "old_snapshot": "Delete the snapshot",
    "unused_elastic_ip": "Release the address", "idle_nat_gateway": "Delete the NAT gateway",
    "idle_database": "Snapshot and delete the database", "multi_az": "Convert to Single-AZ",
    "previous_generation": "Move to the current generation", "lambda_memory": "Lower the memory",
    "lambda_errors": "Fix the failing invocations", "s3_lifecycle": "Add a lifecycle rule",
    "s3_incomplete_uploads": "Add an AbortIncompleteMultipartUpload rule",
}


def cents(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01")))


class Account:
    """The simulated account as of `today`: what is stored, and sums over it that tests compare answers with."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.yesterday = today - timedelta(days=1)
        self.first_day = today - timedelta(days=HISTORY_DAYS)
        self.spike_day = today - timedelta(days=SPIKE_DAYS_AGO)
        self.report_start = today - timedelta(days=30)

    def stored_days(self, start: date, end: date) -> list[date]:
        first, last = max(start, self.first_day), min(end, self.yesterday)
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def cost(self, start: date, end: date, service: str | None = None, region: str | None = None,
             usage: str | None = None) -> Decimal:
        """Stored spend over start..end (inclusive) matching every filter given."""
        return sum((line_cost(k, d, self.today) for d in self.stored_days(start, end) for k in LINES
                    if service in (None, k[0]) and region in (None, k[1]) and (usage is None or usage in k[2])),
                   Decimal(0))

    def by(self, index: int, start: date, end: date, **filters: str | None) -> dict[str, Decimal]:
        """Spend per service (0), region (1) or usage type (2)."""
        keys = {k[index] for k in LINES}
        return {key: total for key in sorted(keys) if (total := self.cost(start, end, **{
            **filters, ("service", "region", "usage")[index]: key}))}

    def daily_rows(self) -> tuple[list[CostRow], list[CostRow]]:
        by_region: dict[tuple[date, str, str], Decimal] = {}
        by_usage: dict[tuple[date, str, str], Decimal] = {}
        for day in self.stored_days(self.first_day, self.yesterday):
            for key in LINES:
                cost = line_cost(key, day, self.today)
                if cost:
                    by_region[(day, key[0], key[1])] = by_region.get((day, key[0], key[1]), Decimal(0)) + cost
                    by_usage[(day, key[0], key[2])] = by_usage.get((day, key[0], key[2]), Decimal(0)) + cost
        return ([CostRow(day=d, service=s, region=r, cost=float(c)) for (d, s, r), c in by_region.items()],
                [CostRow(day=d, service=s, region="", usage_type=u, cost=float(c)) for (d, s, u), c in by_usage.items()])

    def resources(self) -> list[Resource]:
        return [Resource(resource_id=r.rid, kind=r.kind, service=r.service, region=r.region,  # type: ignore[arg-type]
                         resource_type=r.rtype, state=r.state, name=r.name, monthly_cost=float(r.monthly),
                         tags={"Name": r.name, "team": r.team, "env": r.env}) for r in RESOURCES]

    def findings(self, *types: str) -> list[tuple[R, str, Decimal]]:
        """(resource, type, saving) of the report's findings, of `types` when given."""
        return [(r, t, Decimal(s)) for r in RESOURCES for t, s in r.findings if not types or t in types]

    def counted(self, found: list[tuple[R, str, Decimal]] | None = None) -> dict[str, tuple[R, str, Decimal]]:
        """Each resource's counted finding: its largest waste saving, else its largest pricing-lever saving."""
        best: dict[str, tuple[R, str, Decimal]] = {}
        for r, kind, saving in self.findings() if found is None else found:
            rank = (kind not in LEVERS, saving)
            held = best.get(r.rid)
            if held is None or rank > (held[1] not in LEVERS, held[2]):
                best[r.rid] = (r, kind, saving)
        return best

    def total_waste(self, found: list[tuple[R, str, Decimal]] | None = None) -> Decimal:
        """The savings total: each resource counted once (docs/rules.md)."""
        return sum((saving for _, _, saving in self.counted(found).values()), Decimal(0))

    def split(self) -> tuple[Decimal, Decimal]:
        """(waste, pricing levers) of the savings total."""
        chosen = self.counted().values()
        return (sum((s for _, k, s in chosen if k not in LEVERS), Decimal(0)),
                sum((s for _, k, s in chosen if k in LEVERS), Decimal(0)))

    def waste_by_service(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for r, kind, saving in self.counted().values():
            if kind not in LEVERS:
                out[r.service] = out.get(r.service, Decimal(0)) + saving
        return out

    def tag_cost(self, key: str, start: date, end: date, **filters: str) -> dict[str, Decimal]:
        """Per-resource daily costs (stored for the last 40 days) summed per value of tag `key`."""
        first = max(start, self.today - timedelta(days=RESOURCE_COST_DAYS))
        days = len(self.stored_days(first, end))
        totals: dict[str, Decimal] = {}
        for r in RESOURCES:
            if all(getattr(r, f) == v for f, v in filters.items()):
                value = getattr(r, key)
                totals[value] = totals.get(value, Decimal(0)) + Decimal(r.daily) * days
        return totals

    def ce_tag_cost(self, key: str, start: date, end: date) -> dict[str, Decimal]:
        """Cost Explorer's spend by tag `key` ('team' or 'env'): the lines' costs summed per tag value."""
        totals: dict[str, Decimal] = {}
        for line, tags in LINE_TAGS.items():
            value = tags[("team", "env").index(key)]
            totals[value] = totals.get(value, Decimal(0)) + self.cost(start, end, *line)
        return totals

    def anomaly(self) -> Anomaly:
        day = self.spike_day
        weeks = [day - timedelta(days=7 * k) for k in range(1, 5)]

        def mean(key: tuple[str, str, str] | None) -> Decimal:
            keys = [key] if key else [k for k in LINES if k[:2] == SPIKE_LINE[:2]]
            return sum((line_cost(k, d, self.today) for d in weeks for k in keys), Decimal(0)) / 4

        actual = sum((line_cost(k, day, self.today) for k in LINES if k[:2] == SPIKE_LINE[:2]), Decimal(0))
        expected = mean(None)
        driver = UsageDriver(usage_type=SPIKE_LINE[2], expected_cost=cents(mean(SPIKE_LINE)),
                             actual_cost=cents(line_cost(SPIKE_LINE, day, self.today)),
                             change=cents(line_cost(SPIKE_LINE, day, self.today) - mean(SPIKE_LINE)))
        return Anomaly(service=LAMBDA, region="us-east-1", date=day, expected_cost=cents(expected),
                       actual_cost=cents(actual), change_percentage=round(float((actual - expected) / expected * 100), 1),
                       drivers=[driver], baseline="mean of the same weekday over the previous 4 weeks")

    def opportunities(self) -> list[Opportunity]:
        out = []
        for kind in dict.fromkeys(t for r in RESOURCES for t, _ in r.findings):
            for service in sorted({r.service for r, t, _ in self.findings(kind)}):
                found = [(r, s) for r, t, s in self.findings(kind) if r.service == service]
                resources = [Finding(
                    resource_id=r.rid, region=r.region, monthly_cost=float(r.monthly) or float(s),
                    estimated_savings=float(s), recommendation=RECOMMENDATIONS[kind],
                    evidence=_evidence(r, kind), name=r.name if r.rid.startswith("arn:") else "",
                    resource_type=r.rtype) for r, s in sorted(found, key=lambda x: (-x[1], x[0].rid))]
                out.append(Opportunity(type=kind, service=service, resource_count=len(found),  # type: ignore[arg-type]
                                       estimated_savings=cents(sum((s for _, s in found), Decimal(0))),
                                       confidence=0.9, priority=PRIORITY.get(kind, "low"),  # type: ignore[arg-type]
                                       resources=resources))
        return sorted(out, key=lambda o: -o.estimated_savings)

    def report(self) -> Report:
        start, end = self.report_start, self.yesterday
        total = self.cost(start, end)
        waste, _ = self.split()
        return Report(
            time_period=TimePeriod(start=start, end=end), total_monthly_cost=cents(total), total_waste=cents(waste),
            waste_percentage=round(float(waste / total * 100), 2),
            by_service={k: cents(v) for k, v in self.by(0, start, end).items()},
            by_region={k: cents(v) for k, v in self.by(1, start, end).items()},
            opportunities=self.opportunities(), anomalies=[self.anomaly()], run_cost=RUN_COST,
            forecast=FORECAST.model_copy(update={"time_period": TimePeriod(
                start=self.today, end=self.today + timedelta(days=29))}),
            generated_at=datetime.combine(self.today, time(6, 0), tzinfo=UTC), regions=["us-east-1", "eu-west-1"],
            account_id=ACCOUNT)


def _evidence(r: R, kind: str) -> dict:
    if r.state == "stopped":
        return {"state": "stopped", "covered_resources": STOPPED_COVERS.get(r.rid, [])}
    if kind == "unattached_volume":
        return {"state": "available", "size_gb": 100}
    if kind == "lambda_errors":
        return {"worst_day_error_rate_pct": 20.0, "days": 14}
    return {"days": 14}


def seed_account(storage, today: date) -> Account:
    """Store the account: spend, inventory, per-resource daily costs, findings, anomalies, report, agent costs."""
    account = Account(today)
    daily, usage = account.daily_rows()
    costs = CostSummary(time_period=TimePeriod(start=account.report_start, end=account.yesterday),
                        total_cost=cents(account.cost(account.report_start, account.yesterday)),
                        daily=daily, daily_by_usage_type=usage)
    resources = account.resources()
    collected = datetime.combine(today, time(5, 0), tzinfo=UTC)
    storage.store_collection(CollectionResult(account_id=ACCOUNT, collected_at=collected,
                                              regions=["us-east-1", "eu-west-1"], costs=costs,
                                              resources=resources), "run-account")
    for back in range(1, RESOURCE_COST_DAYS + 1):
        storage.store_instance_metrics(resources, collected_at=collected - timedelta(days=back), run_id="run-account")
    report = account.report()
    storage.store_optimization_opportunities(report.opportunities, run_id="run-account",
                                             generated_at=report.generated_at)
    storage.store_anomalies(report.anomalies, "run-account", generated_at=report.generated_at)
    storage.store_report(report, "run-account")
    storage.store_agent_costs(agent_cost_records(today))
    by_tag = {key: {v: cents(c) for v, c in account.ce_tag_cost(key, account.report_start, account.yesterday).items()}
              for key in ("team", "env")}
    storage.store_raw(TAG_COSTS_KIND, {"start": str(account.report_start), "end": str(account.yesterday),
                                       "by_tag": by_tag}, run_id="run-account", collected_at=collected)
    return account
