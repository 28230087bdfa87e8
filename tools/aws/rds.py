"""RDS instances and manual snapshots of one region (service label RDS); the seed's RDS methods.

Identifiers are unique only within a region, so `resource_id` is the ARN and `name` the identifier
(the CloudWatch dimension, see metric_specs.dimension_value).

Monthly cost of an instance = 730 h x the on-demand price + allocated GB x the storage price (both doubled
for Multi-AZ by the price book). The identify_* checks are thin (docs/rules.md); agent/analysis decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from tools.aws.clients import ClientFactory
from tools.aws.inventory_common import days_of, monthly_of, quote, set_cost, summary_value, tag_dict
from tools.aws.paginate import paginate
from tools.models import Resource, cents
from tools.pricing.book import PriceBook
from tools.settings import Settings

IDLE_DAYS = 14
PRODUCTION = {"prod", "production"}


class RDSCostCollector:
    def __init__(self, factory: ClientFactory, prices: PriceBook, settings: Settings) -> None:
        self.factory = factory
        self.prices = prices
        self.settings = settings

    def collect(self, region: str) -> list[Resource]:
        return self.collect_rds_costs(region) + self.collect_snapshots(region)

    def collect_rds_costs(self, region: str | None = None) -> list[Resource]:
        region = region or self.settings.aws_default_region
        rds = self.factory.client("rds", region)
        return [self._instance(region, db) for db in paginate(rds, "describe_db_instances", "DBInstances",
                                                              MaxRecords=100)]

    def _instance(self, region: str, db: dict[str, Any]) -> Resource:
        tags = tag_dict(db.get("TagList"))
        multi_az = bool(db.get("MultiAZ"))
        storage_type, size = db.get("StorageType", "gp2"), int(db.get("AllocatedStorage") or 0)
        resource = Resource(
            resource_id=db.get("DBInstanceArn") or db["DBInstanceIdentifier"], kind="rds_instance", service="RDS",
            region=region,
            resource_type=db["DBInstanceClass"], state=db.get("DBInstanceStatus", ""),
            name=db["DBInstanceIdentifier"], tags=tags, created=db.get("InstanceCreateTime"),
            attributes={"engine": db.get("Engine", ""), "multi_az": multi_az, "allocated_storage_gb": size,
                        "storage_type": storage_type, "iops": db.get("Iops")},
        )
        q, note = quote(self.prices.rds_hourly, region, db["DBInstanceClass"], db.get("Engine", ""), multi_az)
        storage_q, storage_note = quote(self.prices.rds_storage_gb_month, region, storage_type, multi_az)
        instance_cost, storage_cost = monthly_of(q), monthly_of(storage_q, size)
        resource.attributes.update(instance_monthly_cost=cents(instance_cost), storage_monthly_cost=cents(storage_cost))
        return set_cost(resource, instance_cost + storage_cost, q, note or storage_note)

    def collect_snapshots(self, region: str) -> list[Resource]:
        """Manual snapshots (automated backups up to the database's size are free)."""
        rds = self.factory.client("rds", region)
        out = []
        for snap in paginate(rds, "describe_db_snapshots", "DBSnapshots", SnapshotType="manual", MaxRecords=100):
            size = int(snap.get("AllocatedStorage") or 0)
            resource = Resource(
                resource_id=snap.get("DBSnapshotArn") or snap["DBSnapshotIdentifier"], kind="rds_snapshot",
                service="RDS", region=region, resource_type="manual", state=snap.get("Status", ""),
                name=snap["DBSnapshotIdentifier"], tags=tag_dict(snap.get("TagList")),
                created=snap.get("SnapshotCreateTime"),
                attributes={"size_gb": size, "snapshot_create_time": snap.get("SnapshotCreateTime"),
                            "db_instance_id": snap.get("DBInstanceIdentifier")},
            )
            q, note = quote(self.prices.rds_snapshot_gb_month, region)
            out.append(set_cost(resource, monthly_of(q, size), q, note))
        return out

    # ------------------------------------------------------------------ thin checks (docs/rules.md)
    def identify_idle_databases(self, resources: Iterable[Resource]) -> list[Resource]:
        """14+ days of DatabaseConnections and never a connection."""
        return [r for r in resources if r.kind == "rds_instance" and days_of(r, "connections") >= IDLE_DAYS
                and summary_value(r, "connections", "maximum") == 0]

    def analyze_storage_costs(self, resources: Iterable[Resource]) -> list[dict[str, Any]]:
        """Per instance: storage type and size, its monthly cost, provisioned IOPS and measured IOPS."""
        return [{"db_instance_id": r.name or r.resource_id, "region": r.region,
                 "storage_type": r.attributes["storage_type"],
                 "allocated_storage_gb": r.attributes["allocated_storage_gb"],
                 "storage_monthly_cost": r.attributes.get("storage_monthly_cost", 0.0),
                 "provisioned_iops": r.attributes.get("iops"),
                 "read_iops_avg": summary_value(r, "read_iops"), "write_iops_avg": summary_value(r, "write_iops")}
                for r in resources if r.kind == "rds_instance"]

    def identify_multi_az_opportunities(self, resources: Iterable[Resource]) -> list[Resource]:
        """Multi-AZ databases not tagged production: Single-AZ halves their cost."""
        return [r for r in resources if r.kind == "rds_instance" and r.attributes.get("multi_az")
                and _env(r) not in PRODUCTION and r not in self.identify_idle_databases([r])]

    def get_reserved_instance_recommendations(self, resources: Iterable[Resource]) -> list[dict[str, Any]]:
        """Used, available databases outside the Multi-AZ finding: a reservation saves RI_DISCOUNT_PCT."""
        out = []
        resources = list(resources)
        multi = {r.resource_id for r in self.identify_multi_az_opportunities(resources)}
        for r in resources:
            if (r.kind == "rds_instance" and r.state == "available" and r.resource_id not in multi
                    and days_of(r, "connections") >= self.settings.min_data_days
                    and (summary_value(r, "connections", "maximum") or 0) > 0):
                instance = Decimal(str(r.attributes.get("instance_monthly_cost", 0)))
                saving = instance * Decimal(str(self.settings.ri_discount_pct)) / 100
                out.append({"db_instance_id": r.name or r.resource_id, "instance_class": r.resource_type,
                            "region": r.region,
                            "monthly_cost": cents(instance), "estimated_savings": cents(saving)})
        return out

    def analyze_snapshot_costs(self, resources: Iterable[Resource], now: datetime | None = None) -> list[Resource]:
        """Manual snapshots older than SNAPSHOT_MAX_AGE_DAYS."""
        cutoff = (now or datetime.now(UTC)) - timedelta(days=self.settings.snapshot_max_age_days)
        return [r for r in resources if r.kind == "rds_snapshot" and r.created is not None and r.created < cutoff]


def _env(r: Resource) -> str:
    return next((v.lower() for k, v in r.tags.items() if k.lower() == "env"), "")
