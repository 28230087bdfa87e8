"""RDS instances and manual snapshots of one region (service label RDS).

Identifiers are unique only within a region, so `resource_id` is the ARN and `name` the identifier
(the CloudWatch dimension, see metric_specs.dimension_value).

Monthly cost of an instance = 730 h x the on-demand price + allocated GB x the storage price (both doubled
for Multi-AZ by the price book). Collection and pricing only: the seed's analysis methods are in
agent/surfaces/collectors.py, over the rules of agent/analysis (docs/rules.md).
"""

from __future__ import annotations

from typing import Any

from tools.aws.clients import ClientFactory
from tools.aws.inventory_common import monthly_of, quote, set_cost, tag_dict
from tools.aws.paginate import paginate
from tools.models import Resource, cents
from tools.pricing.book import PriceBook
from tools.settings import Settings


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
