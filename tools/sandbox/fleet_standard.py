"""The standard block: the templates every block of the simulated account repeats, with the findings they plant."""

from __future__ import annotations

from tools.sandbox.fleet_templates import (
    ASG_TAG,
    DATA,
    IGNORE_TAG,
    PROD_PAY,
    PROD_WEB,
    BucketT,
    Ec2T,
    EipT,
    LambdaT,
    NatT,
    RdsSnapT,
    RdsT,
    SnapT,
    VolT,
    cost_tags,
)

EC2_BLOCK: tuple[Ec2T, ...] = (
    Ec2T("idle-batch", "m5.large", DATA, "idle", ("idle_resource",)),
    Ec2T("idle-tools", "t3.medium", cost_tags("dev", "platform", "cc-400"), "idle", ("idle_resource",)),
    Ec2T("underused-api", "m5.2xlarge", PROD_PAY, "underused", ("rightsizing",), target="m5.xlarge"),
    Ec2T("underused-worker", "c5.4xlarge", cost_tags("staging", "data", "cc-300"), "underused",
         ("rightsizing", "spot_migration"), target="c5.2xlarge"),
    Ec2T("web-prod", "m5.xlarge", PROD_WEB, "busy", ("savings_plan",)),
    Ec2T("db-proxy", "r5.large", PROD_PAY, "busy", ("savings_plan",)),
    Ec2T("search-prod", "c5.2xlarge", PROD_WEB, "busy", ("savings_plan",)),
    Ec2T("legacy-app", "m4.xlarge", PROD_PAY, "busy", ("previous_generation",)),
    Ec2T("legacy-bastion", "t2.medium", cost_tags("prod", "platform", "cc-400"), "busy", ("previous_generation",)),
    Ec2T("legacy-cache", "c4.large", PROD_WEB, "busy", ("previous_generation",)),
    Ec2T("asg-web", "c5.xlarge", {**PROD_WEB, ASG_TAG: "web-asg"}, "busy",
         ("spot_migration",), count=2),
    Ec2T("dev-build", "m5.large", cost_tags("dev", "platform", "cc-400"), "busy", ("spot_migration",)),
    Ec2T("render", "m5.large", {**PROD_WEB, "stateless": "true"}, "busy", ("spot_migration",)),
    Ec2T("spot-crawler", "m5.large", DATA, "busy", spot=True),
    Ec2T("spot-workers", "c5.large", cost_tags("dev", "data", "cc-300"), "busy", spot=True),
    Ec2T("stopped-reporting", "m5.xlarge", DATA, "none", ("idle_resource",), state="stopped",
         data_days=0, stopped_days_ago=40),
    Ec2T("ignored-sandbox", "m5.large", {**cost_tags("dev", "research", "cc-500"), IGNORE_TAG[0]: IGNORE_TAG[1]},
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
         tags={**cost_tags("dev", "research", "cc-500"), IGNORE_TAG[0]: IGNORE_TAG[1]}),
)

SNAP_BLOCK = (SnapT("backup-2025", 100, 180, ("old_snapshot",)), SnapT("backup-weekly", 100, 10))
EIP_BLOCK = (EipT("web-ip", associate_with="web-prod"), EipT("spare-ip", expect=("unused_elastic_ip",)))
NAT_BLOCK = (NatT("nat-main", 40.0), NatT("nat-unused", 0.0, ("idle_nat_gateway",)))
RDS_BLOCK = (
    RdsT("orders-db", "db.m5.large", "postgres", 100, False, PROD_PAY, 60, ("reserved_instance",)),
    RdsT("billing-db", "db.m5.xlarge", "postgres", 200, True, PROD_PAY, 40, ("reserved_instance",)),
    RdsT("analytics-staging", "db.r5.large", "mysql", 100, True, cost_tags("staging", "data", "cc-300"), 12,
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
