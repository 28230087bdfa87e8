"""What a simulated resource is, as data: one frozen template type per kind.

Each template says what it is (type, tags, utilization behaviour) and which findings of docs/rules.md it must
produce (`expect`). The blocks that use them are `fleet_standard` (every block) and `fleet_extended` (the extended
variant's extra block); `fleet` repeats them into a `Fleet`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Behaviour = Literal["idle", "underused", "busy", "none"]
IGNORE_TAG = ("cost-agent:ignore", "true")
ASG_TAG = "aws:autoscaling:groupName"
UNDERUSED_PEAK = (16.0, 29.0)
"""Daily CPU Maximum (%) of an underused instance: 8 vCPUs x peak / 60 lies in (2, 4] (m5.2xlarge -> m5.xlarge,
c5.4xlarge -> c5.2xlarge under docs/rules.md's rightsizing)."""
ROOT_VOLUME_GB = 20
"""Every instance boots from a gp3 root volume, so only planted volumes produce EBS findings."""


def cost_tags(env: str, team: str, center: str, **extra: str) -> dict[str, str]:
    return {"env": env, "team": team, "cost-center": center, **extra}


PROD_WEB = cost_tags("prod", "web", "cc-100")
PROD_PAY = cost_tags("prod", "payments", "cc-200")
DATA = cost_tags("prod", "data", "cc-300")


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
    tags: dict[str, str] = field(default_factory=lambda: cost_tags("prod", "data", "cc-300"))


@dataclass(frozen=True)
class VolT:
    key: str
    volume_type: str
    size_gb: int
    iops: int = 0
    attach_to: str = ""
    """Key of the EC2 template it is attached to ('' = unattached)."""
    expect: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=lambda: cost_tags("prod", "platform", "cc-100"))
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
