"""The simulated fleet as data: one block of resource templates per region, repeated to reach the scale.

Each template says what it is (type, tags, utilization behaviour) and which findings of docs/rules.md it
must produce (`expect`). Everything else (seeding, CloudWatch history, costs, ground truth) is derived
from the expanded `Fleet`, so the planted waste and the seeded data cannot drift apart.

A template that expects `rightsizing` declares the type the rules must pick (`target`), and its CPU history is
planted so that docs/rules.md picks exactly that type: the sandbox states its targets, it does not re-derive them.

Variants: "standard" (the default account) and "extended", which adds one extra block in the first region
(`EXTENDED_*` templates) with what real accounts have and the standard account lacks: Windows, RHEL, spot and
Reserved-Instance-covered instances, a previous-generation database class the price book does not list, an
AMI-backed old snapshot, an underused instance whose family has no smaller size, production and non-production
Multi-AZ databases tagged with other keys than `env`, an idle Auto Scaling group, a part-time instance, a recently
stopped instance, a large gp2 volume, a bucket of small objects and a brand-new service's spend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Behaviour = Literal["idle", "underused", "busy", "none"]
Variant = Literal["standard", "extended"]
VARIANTS: tuple[Variant, ...] = ("standard", "extended")
BLOCK_EC2 = 20
"""EC2 instances per block; other resources come with each block, so they scale in proportion."""
IGNORE_TAG = ("cost-agent:ignore", "true")
ASG_TAG = "aws:autoscaling:groupName"
UNDERUSED_PEAK = (16.0, 29.0)
"""Daily CPU Maximum (%) of an underused instance: 8 vCPUs x peak / 60 lies in (2, 4] (m5.2xlarge -> m5.xlarge,
c5.4xlarge -> c5.2xlarge under docs/rules.md's rightsizing)."""


def _tags(env: str, team: str, center: str, **extra: str) -> dict[str, str]:
    return {"env": env, "team": team, "cost-center": center, **extra}


@dataclass(frozen=True)
class Ec2T:
    """An EC2 instance template."""

    key: str
    instance_type: str
    tags: dict[str, str]
    behaviour: Behaviour
    expect: tuple[str, ...] = ()
    count: int = 1
    state: Literal["running", "stopped"] = "running"
    spot: bool = False
    data_days: int = 30
    """Days of CloudWatch history (and of life, for new instances)."""
    stopped_days_ago: int = 0
    ignored: bool = False
    platform: Literal["linux", "windows", "rhel"] = "linux"
    reserved: int = 0
    """How many of its `count` instances' hours a Reserved Instance covers (billed as DiscountedUsage)."""
    target: str = ""
    """The type docs/rules.md's rightsizing must pick (required when `expect` has "rightsizing")."""
    peak: tuple[float, float] = UNDERUSED_PEAK
    """Range of the daily CPU Maximum (%) of an underused instance (daily averages stay 6-12 %)."""
    hours_per_day: int = 24
    """Hours a day it runs (and is billed): CloudWatch has 12 CPU samples per hour it runs."""


@dataclass(frozen=True)
class AsgT:
    """An Auto Scaling group whose members are the instances of one EC2 template of the same block."""

    key: str
    member: str
    """Key of the EC2 template whose instances the group holds (tagged aws:autoscaling:groupName = its name)."""
    min_size: int
    max_size: int
    expect: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=lambda: _tags("prod", "data", "cc-300"))


@dataclass(frozen=True)
class VolT:
    key: str
    volume_type: str
    size_gb: int
    iops: int = 0
    attach_to: str = ""
    """Key of the EC2 template it is attached to ('' = unattached)."""
    expect: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=lambda: _tags("prod", "platform", "cc-100"))
    ignored: bool = False


@dataclass(frozen=True)
class SnapT:
    key: str
    size_gb: int
    age_days: int
    expect: tuple[str, ...] = ()
    ami: bool = False
    """Backs a registered AMI (created with the image, so its size is moto's 15 GB AMI snapshot)."""


@dataclass(frozen=True)
class EipT:
    key: str
    associate_with: str = ""
    expect: tuple[str, ...] = ()


@dataclass(frozen=True)
class NatT:
    key: str
    gb_per_day: float
    expect: tuple[str, ...] = ()


@dataclass(frozen=True)
class RdsT:
    key: str
    instance_class: str
    engine: str
    storage_gb: int
    multi_az: bool
    tags: dict[str, str]
    connections_max: int
    expect: tuple[str, ...] = ()


@dataclass(frozen=True)
class RdsSnapT:
    key: str
    db_key: str
    age_days: int
    expect: tuple[str, ...] = ()


@dataclass(frozen=True)
class LambdaT:
    key: str
    memory_mb: int
    architecture: str
    invocations_per_day: int
    duration_ms: float
    tags: dict[str, str]
    error_pct: float = 1.0
    error_days: tuple[int, ...] = ()
    """Days ago (1..7) with an error rate of 20 %."""
    insights_used_mb: float | None = None
    expect: tuple[str, ...] = ()


@dataclass(frozen=True)
class BucketT:
    key: str
    standard_gb: float
    objects: int
    lifecycle: Literal["none", "transition", "transition+abort"]
    multipart_uploads: int
    tags: dict[str, str]
    expect: tuple[str, ...] = ()


PROD_WEB = _tags("prod", "web", "cc-100")
PROD_PAY = _tags("prod", "payments", "cc-200")
DATA = _tags("prod", "data", "cc-300")

EC2_BLOCK: tuple[Ec2T, ...] = (
    Ec2T("idle-batch", "m5.large", DATA, "idle", ("idle_resource",)),
    Ec2T("idle-tools", "t3.medium", _tags("dev", "platform", "cc-400"), "idle", ("idle_resource",)),
    Ec2T("underused-api", "m5.2xlarge", PROD_PAY, "underused", ("rightsizing",), target="m5.xlarge"),
    Ec2T("underused-worker", "c5.4xlarge", _tags("staging", "data", "cc-300"), "underused",
         ("rightsizing", "spot_migration"), target="c5.2xlarge"),
    Ec2T("web-prod", "m5.xlarge", PROD_WEB, "busy", ("savings_plan",)),
    Ec2T("db-proxy", "r5.large", PROD_PAY, "busy", ("savings_plan",)),
    Ec2T("search-prod", "c5.2xlarge", PROD_WEB, "busy", ("savings_plan",)),
    Ec2T("legacy-app", "m4.xlarge", PROD_PAY, "busy", ("previous_generation",)),
    Ec2T("legacy-bastion", "t2.medium", _tags("prod", "platform", "cc-400"), "busy", ("previous_generation",)),
    Ec2T("legacy-cache", "c4.large", PROD_WEB, "busy", ("previous_generation",)),
    Ec2T("asg-web", "c5.xlarge", {**PROD_WEB, ASG_TAG: "web-asg"}, "busy",
         ("spot_migration",), count=2),
    Ec2T("dev-build", "m5.large", _tags("dev", "platform", "cc-400"), "busy", ("spot_migration",)),
    Ec2T("render", "m5.large", {**PROD_WEB, "stateless": "true"}, "busy", ("spot_migration",)),
    Ec2T("spot-crawler", "m5.large", DATA, "busy", spot=True),
    Ec2T("spot-workers", "c5.large", _tags("dev", "data", "cc-300"), "busy", spot=True),
    Ec2T("stopped-reporting", "m5.xlarge", DATA, "none", ("idle_resource",), state="stopped",
         data_days=0, stopped_days_ago=40),
    Ec2T("ignored-sandbox", "m5.large", {**_tags("dev", "research", "cc-500"), IGNORE_TAG[0]: IGNORE_TAG[1]},
         "idle", ignored=True),
    Ec2T("new-service", "m5.large", PROD_PAY, "busy", data_days=3),
    Ec2T("recent-api", "m5.large", PROD_PAY, "busy", data_days=10),
)

VOL_BLOCK: tuple[VolT, ...] = (
    VolT("web-data", "gp2", 200, attach_to="web-prod", expect=("volume_type_upgrade",)),
    VolT("proxy-journal", "io1", 500, iops=8000, attach_to="db-proxy", expect=("volume_type_upgrade",)),
    VolT("search-index", "io1", 1000, iops=20000, attach_to="search-prod"),
    VolT("reporting-data", "gp3", 100, attach_to="stopped-reporting"),
    VolT("orphan-gp2", "gp2", 100, expect=("unattached_volume",)),
    VolT("orphan-gp3", "gp3", 50, expect=("unattached_volume",)),
    VolT("orphan-io1", "io1", 200, iops=4000, expect=("unattached_volume",)),
    VolT("scratch-ignored", "gp2", 30, ignored=True,
         tags={**_tags("dev", "research", "cc-500"), IGNORE_TAG[0]: IGNORE_TAG[1]}),
)
ROOT_VOLUME_GB = 20
"""Every instance boots from a gp3 root volume, so only planted volumes produce EBS findings."""

SNAP_BLOCK = (SnapT("backup-2025", 100, 180, ("old_snapshot",)), SnapT("backup-weekly", 100, 10))
EIP_BLOCK = (EipT("web-ip", associate_with="web-prod"), EipT("spare-ip", expect=("unused_elastic_ip",)))
NAT_BLOCK = (NatT("nat-main", 40.0), NatT("nat-unused", 0.0, ("idle_nat_gateway",)))
RDS_BLOCK = (
    RdsT("orders-db", "db.m5.large", "postgres", 100, False, PROD_PAY, 60, ("reserved_instance",)),
    RdsT("billing-db", "db.m5.xlarge", "postgres", 200, True, PROD_PAY, 40, ("reserved_instance",)),
    RdsT("analytics-staging", "db.r5.large", "mysql", 100, True, _tags("staging", "data", "cc-300"), 12,
         ("multi_az",)),
    RdsT("legacy-reports", "db.t3.medium", "postgres", 50, False, DATA, 0, ("idle_database",)),
)
RDS_SNAP_BLOCK = (RdsSnapT("orders-pre-migration", "orders-db", 200, ("old_snapshot",)),
                  RdsSnapT("orders-manual-recent", "orders-db", 5))
LAMBDA_BLOCK = (
    LambdaT("image-resize", 2048, "x86_64", 200_000, 800.0, PROD_WEB, insights_used_mb=300.0,
            expect=("lambda_memory",)),
    LambdaT("checkout-webhook", 512, "x86_64", 20_000, 120.0, PROD_PAY, error_days=(2, 5),
            expect=("lambda_errors",)),
    LambdaT("nightly-export", 1024, "x86_64", 500, 30_000.0, DATA),
    LambdaT("auth-edge", 256, "arm64", 100_000, 40.0, PROD_WEB, insights_used_mb=200.0),
)
BUCKET_BLOCK = (
    BucketT("logs-archive", 220.0, 200_000, "none", 0, DATA, ("s3_lifecycle",)),
    BucketT("uploads", 20.0, 50_000, "transition", 3, PROD_WEB, ("s3_incomplete_uploads",)),
    BucketT("data-lake", 400.0, 9_000_000, "transition+abort", 1, DATA),
    BucketT("static-site", 2.0, 1_200, "none", 0, PROD_WEB),
)

EXTENDED_EC2: tuple[Ec2T, ...] = (
    Ec2T("win-idle", "m5.large", _tags("prod", "platform", "cc-400"), "idle", ("idle_resource",), platform="windows"),
    Ec2T("win-underused", "m5.2xlarge", PROD_PAY, "underused", ("rightsizing",), platform="windows",
         target="m5.xlarge"),
    Ec2T("rhel-app", "m5.xlarge", PROD_PAY, "busy", ("savings_plan",), platform="rhel"),
    Ec2T("spot-idle", "m5.xlarge", DATA, "idle", ("idle_resource",), spot=True),
    Ec2T("ri-shared-idle", "r5.xlarge", DATA, "idle", ("idle_resource",)),
    Ec2T("ri-shared-busy", "r5.xlarge", PROD_WEB, "busy", count=2, reserved=1),
    Ec2T("ri-covered", "c6i.xlarge", PROD_PAY, "busy", reserved=1),
    Ec2T("memory-app", "r5.large", PROD_PAY, "underused", ("rightsizing",), target="r5a.large", peak=(36.0, 40.0)),
    Ec2T("batch-node", "c5.large", {**DATA, ASG_TAG: "batch-asg"}, "idle", count=2),
    Ec2T("part-time-dev", "t3.large", DATA, "idle", ("idle_resource",), hours_per_day=6),
    Ec2T("just-stopped", "m5.large", DATA, "busy", state="stopped", stopped_days_ago=2),
)
"""The extended variant's instances. r5.xlarge: 3 instances, a Reserved Instance covers one instance's hours (so
the idle one saves the on-demand rate and the busy ones are never told to buy coverage); c6i.xlarge: fully
covered. Windows and RHEL share usage types with Linux instances of the standard block (their operation differs).
memory-app: r5.large is its family's smallest size, so the target is the cheapest x86 type with its vCPUs and
memory (r5a.large; the cheaper Graviton r6g.large is only an option). batch-node: the idle members of
EXTENDED_ASG's group, reported once, as the group. part-time-dev: runs 6 h a day. just-stopped: stopped 2 days
ago, inside docs/rules.md's 7-day grace."""
EXTENDED_ASG: tuple[AsgT, ...] = (AsgT("batch-asg", "batch-node", 2, 4, ("idle_resource",)),)
EXTENDED_VOL: tuple[VolT, ...] = (
    VolT("bulk-data", "gp2", 2000, attach_to="rhel-app", expect=("volume_type_upgrade",)),
    VolT("stopped-data", "gp3", 100, attach_to="just-stopped"),
)
"""2 TB gp2: gp3 needs 6,000 IOPS and 250 MiB/s to match it. The stopped instance's gp3 volume: no finding."""
EXTENDED_RDS: tuple[RdsT, ...] = (
    RdsT("legacy-pg", "db.m3.medium", "postgres", 50, False, DATA, 0, ("idle_database",)),
    RdsT("ledger-db", "db.r5.large", "mysql", 100, True,
         {"Environment": "production", "team": "payments", "cost-center": "cc-200"}, 30),
    RdsT("reports-uat", "db.t3.medium", "postgres", 50, True,
         {"Stage": "UAT", "team": "data", "cost-center": "cc-300"}, 8, ("multi_az",)),
)
"""legacy-pg: a previous-generation class the price book does not have (only Cost Explorer can price it).
ledger-db: Multi-AZ in production (tag Environment=production): no finding (and no reserved_instance: AWS's RI
advice, billing.purchase_advice, names only the classes expected to get one). reports-uat: Multi-AZ, non-production
by its Stage tag: multi_az."""
EXTENDED_SNAP: tuple[SnapT, ...] = (SnapT("golden-ami", 15, 200, ami=True),)
"""Older than 90 days but backs a registered AMI: no finding."""
EXTENDED_BUCKETS: tuple[BucketT, ...] = (BucketT("small-objects", 200.0, 5_000_000, "none", 0, DATA),)
"""200 GB in 5,000,000 objects (about 42 KB each, under Standard-IA's 128 KB minimum): no s3_lifecycle."""
IMAGE_SOURCE = "ri-covered"
"""The extended block's instance its AMI is made from."""


@dataclass(frozen=True)
class Block:
    """One copy of the templates in one region; `ec2` may be trimmed in the last block."""

    region: str
    index: int
    ec2: tuple[Ec2T, ...]
    ordinal: int = 0
    """Position among the blocks of its region: RDS and Lambda names repeat across regions, like a real account."""
    kind: Variant = "standard"
    """The extended variant's extra block is "extended" (EXTENDED_* templates only)."""

    def has(self, ec2_key: str) -> bool:
        return any(t.key == ec2_key for t in self.ec2)

    @property
    def standard(self) -> bool:
        return self.kind == "standard"

    @property
    def volumes(self) -> tuple[VolT, ...]:
        planted = VOL_BLOCK if self.standard else EXTENDED_VOL
        return tuple(v for v in planted if not v.attach_to or self.has(v.attach_to))

    @property
    def eips(self) -> tuple[EipT, ...]:
        if not self.standard:
            return ()
        return tuple(e for e in EIP_BLOCK if not e.associate_with or self.has(e.associate_with))

    @property
    def snapshots(self) -> tuple[SnapT, ...]:
        return SNAP_BLOCK if self.standard else EXTENDED_SNAP

    @property
    def nats(self) -> tuple[NatT, ...]:
        return NAT_BLOCK if self.standard else ()

    @property
    def rds(self) -> tuple[RdsT, ...]:
        return RDS_BLOCK if self.standard else EXTENDED_RDS

    @property
    def rds_snapshots(self) -> tuple[RdsSnapT, ...]:
        return RDS_SNAP_BLOCK if self.standard else ()

    @property
    def lambdas(self) -> tuple[LambdaT, ...]:
        return LAMBDA_BLOCK if self.standard else ()

    @property
    def buckets(self) -> tuple[BucketT, ...]:
        return BUCKET_BLOCK if self.standard else EXTENDED_BUCKETS

    @property
    def asgs(self) -> tuple[AsgT, ...]:
        return () if self.standard else tuple(g for g in EXTENDED_ASG if self.has(g.member))

    @property
    def new_service(self) -> bool:
        """The extended block's account has a brand-new service's spend (costs.NEW_SERVICE)."""
        return not self.standard

    def name(self, key: str) -> str:
        """Unique within the region only (the same name exists in every region with as many blocks)."""
        return f"{key}-{self.ordinal:04d}"


@dataclass(frozen=True)
class Fleet:
    seed: int
    regions: tuple[str, ...]
    blocks: tuple[Block, ...]
    variant: Variant = "standard"

    def in_region(self, region: str) -> list[Block]:
        return [b for b in self.blocks if b.region == region]

    @property
    def ec2_count(self) -> int:
        return sum(sum(t.count for t in b.ec2) for b in self.blocks)


def _expanded(templates: tuple[Ec2T, ...], limit: int) -> tuple[Ec2T, ...]:
    """The first templates whose instance counts fit `limit` (a template with count 2 may be cut to 1)."""
    kept: list[Ec2T] = []
    left = limit
    for template in templates:
        if left <= 0:
            break
        take = min(template.count, left)
        kept.append(template if take == template.count else _with_count(template, take))
        left -= take
    return tuple(kept)


def _with_count(template: Ec2T, count: int) -> Ec2T:
    from dataclasses import replace

    return replace(template, count=count)


def build_fleet(scale: int, regions: list[str] | tuple[str, ...], seed: int = 7,
                variant: Variant = "standard") -> Fleet:
    """Blocks of BLOCK_EC2 instances, round-robin over regions, until `scale` instances exist; the extended
    variant adds its block (in the first region) after them."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)}")
    per_block = sum(t.count for t in EC2_BLOCK)
    blocks: list[Block] = []
    left, index = scale, 0
    while left > 0:
        region = regions[index % len(regions)]
        ec2 = _expanded(EC2_BLOCK, min(per_block, left))
        blocks.append(Block(region, index, ec2, index // len(regions)))
        left -= sum(t.count for t in ec2)
        index += 1
    if variant == "extended":
        blocks.append(Block(regions[0], index, EXTENDED_EC2, 0, "extended"))
    return Fleet(seed, tuple(regions), tuple(blocks), variant)


def _check_templates() -> None:
    """Every template expecting rightsizing declares its target; every group's members carry its name."""
    for t in EC2_BLOCK + EXTENDED_EC2:
        if ("rightsizing" in t.expect) != bool(t.target):
            raise ValueError(f"{t.key}: a rightsizing template needs a target, and only it")
    for g in EXTENDED_ASG:
        member = next(t for t in EXTENDED_EC2 if t.key == g.member)
        if member.tags.get(ASG_TAG) != g.key or member.expect or not g.min_size <= member.count <= g.max_size:
            raise ValueError(f"{g.key}: its members must be tagged {ASG_TAG}={g.key}, expect nothing themselves "
                             "and fit its size")


_check_templates()
