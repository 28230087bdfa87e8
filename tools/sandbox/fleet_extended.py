"""The extended variant's extra block (in the first region): what real accounts have and the standard one lacks.

Windows, RHEL, spot and Reserved-Instance-covered instances, a previous-generation database class the price book
does not list, an AMI-backed old snapshot, an underused instance whose family has no smaller size, production and
non-production Multi-AZ databases tagged with other keys than `env`, an idle Auto Scaling group, a part-time
instance, a recently stopped instance, a large gp2 volume, a bucket of small objects (and, in `costs`, a brand-new
service's spend).
"""

from __future__ import annotations

from tools.sandbox.fleet_templates import (
    ASG_TAG,
    DATA,
    PROD_PAY,
    PROD_WEB,
    AsgT,
    BucketT,
    Ec2T,
    RdsT,
    SnapT,
    VolT,
    cost_tags,
)

EXTENDED_EC2: tuple[Ec2T, ...] = (
    Ec2T("win-idle", "m5.large", cost_tags("prod", "platform", "cc-400"), "idle", ("idle_resource",),
         platform="windows"),
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
advice, advice.purchase_advice, names only the classes expected to get one). reports-uat: Multi-AZ, non-production
by its Stage tag: multi_az."""
EXTENDED_SNAP: tuple[SnapT, ...] = (SnapT("golden-ami", 15, 200, ami=True),)
"""Older than 90 days but backs a registered AMI: no finding."""
EXTENDED_BUCKETS: tuple[BucketT, ...] = (BucketT("small-objects", 200.0, 5_000_000, "none", 0, DATA),)
"""200 GB in 5,000,000 objects (about 42 KB each, under Standard-IA's 128 KB minimum): no s3_lifecycle."""
IMAGE_SOURCE = "ri-covered"
"""The extended block's instance its AMI is made from."""
