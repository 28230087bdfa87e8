"""The words people use for what the store holds: services, regions, resource kinds, finding types, tag keys.

Data, not phrasings: each entry names the stored value (a Cost Explorer service, a report label, a resource kind,
an opportunity type) and the words that mean it. `find` returns the entries a text mentions, longest words first,
with the spans they cover so that a word is read once ("savings plan" is a finding type, not a measure).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import get_args

from tools.models import OpportunityType

COMPUTE, EC2_OTHER = "Amazon Elastic Compute Cloud - Compute", "EC2 - Other"


@dataclass(frozen=True)
class Service:
    key: str
    ce: str
    """The Cost Explorer service name spend is stored under."""
    label: str
    """The report's service label of its findings ('' when it has none)."""
    words: tuple[str, ...]
    usage: str = ""
    """A usage-type fragment when the service is part of a Cost Explorer service (NAT in 'EC2 - Other')."""
    noun: str = ""
    """What its usage is called in an answer ('NAT gateways')."""


SERVICES = (
    Service("ec2", COMPUTE, "EC2", ("ec2", "elastic compute cloud", "compute", "amazon ec2", "ec2 compute")),
    Service("ebs", EC2_OTHER, "EBS", ("ebs", "ec2 - other", "ec2-other", "ec2 other", "elastic block store",
                                      "block storage"), usage="EBS:", noun="EBS volumes and snapshots"),
    Service("nat", EC2_OTHER, "VPC", ("nat", "nat gateway", "nat gateways", "nat gw"), usage="NatGateway",
            noun="NAT gateways"),
    Service("vpc", "Amazon Virtual Private Cloud", "VPC", ("vpc", "virtual private cloud", "public ipv4", "ipv4")),
    Service("rds", "Amazon Relational Database Service", "RDS",
            ("rds", "relational database service", "database", "databases", "db", "dbs", "aurora", "postgres",
             "postgresql", "mysql")),
    Service("lambda", "AWS Lambda", "Lambda", ("lambda", "lambdas", "aws lambda", "serverless")),
    Service("s3", "Amazon Simple Storage Service", "S3", ("s3", "simple storage service", "object storage")),
    Service("cloudwatch", "AmazonCloudWatch", "", ("cloudwatch", "cloud watch", "amazoncloudwatch", "monitoring")),
    Service("dynamodb", "Amazon DynamoDB", "", ("dynamodb", "dynamo", "dynamo db")),
)
SERVICE_BY_KEY = {s.key: s for s in SERVICES}

KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    # kind: (service key, words)
    "ec2_instance": ("ec2", ("instance", "instances", "server", "servers", "vm", "vms", "virtual machines",
                             "machines", "ec2 instances", "ec2 instance", "boxes", "hosts")),
    "ebs_volume": ("ebs", ("volume", "volumes", "disk", "disks", "ebs volumes")),
    "ebs_snapshot": ("ebs", ("ebs snapshot", "ebs snapshots", "volume snapshots")),
    "rds_snapshot": ("rds", ("rds snapshot", "rds snapshots", "database snapshots", "db snapshots")),
    "elastic_ip": ("vpc", ("elastic ip", "elastic ips", "eip", "eips", "ip address", "ip addresses",
                           "public ip", "public ips", "elastic ip addresses")),
    "nat_gateway": ("nat", ("nat gateway", "nat gateways", "nat gw", "nats")),
    "rds_instance": ("rds", ("database", "databases", "db", "dbs", "db instance", "db instances",
                             "rds instance", "rds instances")),
    "lambda_function": ("lambda", ("function", "functions", "lambda function", "lambda functions", "lambdas")),
    "s3_bucket": ("s3", ("bucket", "buckets", "s3 bucket", "s3 buckets")),
    "autoscaling_group": ("ec2", ("auto scaling group", "auto scaling groups", "autoscaling group", "asg", "asgs")),
}

IDLE_TYPES: tuple[OpportunityType, ...] = ("idle_resource", "idle_database", "idle_nat_gateway",
                                           "unused_elastic_ip", "unattached_volume")
IDLE_BY_KIND: dict[str, OpportunityType] = {
    "ec2_instance": "idle_resource", "rds_instance": "idle_database", "nat_gateway": "idle_nat_gateway",
    "elastic_ip": "unused_elastic_ip", "ebs_volume": "unattached_volume", "autoscaling_group": "idle_resource",
}
# Finding type -> regular expressions of its words (matched on lower-case text).
FINDING_WORDS: dict[OpportunityType, tuple[str, ...]] = {
    "rightsizing": (r"over-?sized?", r"over-?provision\w*", r"right-?siz\w*", r"down-?siz\w*",
                    r"under-?(used|utili[sz]ed)", r"too big", r"oversized"),
    "previous_generation": (r"previous[- ]gen\w*", r"old(er)?[- ]gen\w*", r"prev[- ]gen", r"legacy (instance )?types?",
                            r"outdated (instance )?(types?|families)"),
    "spot_migration": (r"\bspot\b",),
    "savings_plan": (r"savings? plans?",),
    "reserved_instance": (r"reserved( db)?( instances?)?", r"\bris?\b", r"reservations?"),
    "multi_az": (r"multi[- ]?az",),
    "s3_lifecycle": (r"life-?cycle( rules?| polic\w*| configuration)?",),
    "s3_incomplete_uploads": (r"incomplete( multipart)?( uploads?)?", r"multipart( uploads?)?", r"abort rules?"),
    "lambda_errors": (r"error rates?", r"\berrors?\b", r"failing", r"failures?", r"\bfail\w*"),
    "lambda_memory": (r"\bmemory\b", r"over-?allocated"),
    "volume_type_upgrade": (r"\bgp2\b", r"\bio1\b", r"gp3", r"volume types?", r"upgrade (the )?volumes?"),
    "old_snapshot": (r"(old|stale|aged?|older) snapshots?", r"snapshots? older", r"\bsnapshots?\b"),
    "unused_elastic_ip": (r"(unused|unassociated|idle|spare|free) (elastic )?ips?", r"elastic ips?", r"\beips?\b"),
    "idle_nat_gateway": (r"(idle|unused) nat( gateways?)?",),
    "idle_database": (r"(idle|unused) (databases?|dbs?|rds)", r"databases? with no connections"),
    "unattached_volume": (r"unattached", r"orphan(ed)?( volumes?)?", r"(unused|detached|available) volumes?"),
    "idle_resource": (r"stopped instances? (still )?bill\w*",),
}
IDLE_WORDS = re.compile(r"\bidle\b|\bunused\b|doing nothing|sitting idle|\bwasted? resources\b")
ALL_TYPES: tuple[str, ...] = get_args(OpportunityType)
TYPE_NAMES = {t: t.replace("_", " ") for t in ALL_TYPES}
TAG_KEY_WORDS = {"team": ("team", "teams", "squad"), "env": ("env", "environment", "environments", "stage", "envs"),
                 "cost-center": ("cost center", "cost centre", "cost-center", "cost centers", "cost centres", "cc")}
_REGION_CODE = re.compile(r"\b[a-z]{2}(?:-[a-z]+)+-\d{1,2}\b")
_REGION_EXTRA = {"us-east-1": ("northern virginia", "virginia", "n virginia", "n. virginia", "us east"),
                 "us-west-1": ("northern california", "california", "n california"),
                 "us-west-2": ("oregon", "us west"), "sa-east-1": ("são paulo", "sao paulo", "brazil")}


def words_pattern(words: Iterable[str]) -> str:
    """One alternation of whole words, longest first."""
    ordered = sorted({w.lower() for w in words}, key=len, reverse=True)
    return "|".join(rf"(?<![\w-]){re.escape(w)}(?![\w-])" for w in ordered)


@cache
def region_names() -> dict[str, str]:
    """Lower-case name -> region code, from botocore's endpoint data ('ireland' -> 'eu-west-1')."""
    data = json.loads((resources.files("botocore") / "data" / "endpoints.json").read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    for partition in data["partitions"]:
        for code, info in partition.get("regions", {}).items():
            inner = re.search(r"\(([^)]+)\)", info.get("description", ""))
            if inner and inner.group(1).lower() not in ("central",):
                names.setdefault(inner.group(1).lower(), code)
    for code, extra in _REGION_EXTRA.items():
        for name in extra:
            names[name] = code
    return names


@dataclass(frozen=True)
class Match:
    value: str
    start: int
    end: int


def find(text: str, table: dict[str, tuple[str, ...]]) -> list[Match]:
    """Every (value, span) of `table` (value -> words) in lower-case `text`, longest words first, no overlaps."""
    spans: list[tuple[int, int, int, str]] = []
    for value, words in table.items():
        for word in words:
            for m in re.finditer(rf"(?<![\w-]){re.escape(word.lower())}(?![\w-])", text):
                spans.append((m.start(), m.end(), -(m.end() - m.start()), value))
    return _no_overlaps(spans)


def find_patterns(text: str, table: dict[OpportunityType, tuple[str, ...]]) -> list[Match]:
    spans = [(m.start(), m.end(), -(m.end() - m.start()), value)
             for value, patterns in table.items() for p in patterns for m in re.finditer(p, text)]
    return _no_overlaps(spans)


def _no_overlaps(spans: Sequence[tuple[int, int, int, str]]) -> list[Match]:
    taken: list[Match] = []
    for start, end, _, value in sorted(spans, key=lambda s: (s[2], s[0])):
        if all(end <= t.start or start >= t.end for t in taken):
            taken.append(Match(value, start, end))
    return sorted(taken, key=lambda m: m.start)


def services_in(text: str, stored: Iterable[str] = ()) -> list[Match]:
    """Service keys a text names; a stored Cost Explorer name without an entry is its own key."""
    table = {s.key: (*s.words, s.ce.lower()) for s in SERVICES}
    for name in stored:
        if not any(s.ce == name for s in SERVICES):
            table[name] = (name.lower(),)
    return find(text, table)


def regions_in(text: str, known: Iterable[str]) -> list[Match]:
    """Region codes a text names, as codes ('eu-west-1') or names ('Ireland', 'N. Virginia')."""
    found = [Match(m.group(0), m.start(), m.end()) for m in _REGION_CODE.finditer(text) if m.group(0) in known]
    names = find(text, {code: tuple(n for n, c in region_names().items() if c == code)
                        for code in set(region_names().values())})
    return sorted(found + [m for m in names if all(m.end <= f.start or m.start >= f.end for f in found)],
                  key=lambda m: m.start)


def region_label(code: str) -> str:
    """'eu-west-1 (Ireland)'."""
    name = next((n for n, c in region_names().items() if c == code and n[0].isalpha()), "")
    return f"{code} ({name.title() if name.islower() else name})" if name else code
