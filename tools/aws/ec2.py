"""EC2 instances, EBS volumes and snapshots of one region, priced from the price book.

Collection and pricing only: the seed's analysis methods over these Resources are in agent/surfaces/collectors.py,
which runs the rules of agent/analysis (docs/rules.md).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tools.aws.clients import ClientFactory
from tools.aws.inventory_common import monthly_of, quote, set_cost, tag_dict
from tools.aws.paginate import paginate
from tools.models import Resource
from tools.pricing.book import PriceBook, PriceNotFound
from tools.settings import Settings

LIVE_STATES = ["pending", "running", "stopping", "stopped"]


class EC2CostCollector:
    """EC2 and EBS of one region at a time; every call through the factory's counted clients."""

    def __init__(self, factory: ClientFactory, prices: PriceBook, settings: Settings) -> None:
        self.factory = factory
        self.prices = prices
        self.settings = settings

    # ------------------------------------------------------------------ inventory
    def collect(self, region: str | None = None) -> list[Resource]:
        """Volumes, instances (with their attached volume sizes) and the account's snapshots."""
        region = region or self.settings.aws_default_region
        volumes = self.collect_volumes(region)
        return self.collect_instance_costs(region, volumes) + volumes + self.collect_snapshots(region)

    def collect_instance_costs(self, region: str | None = None,
                               volumes: list[Resource] | None = None) -> list[Resource]:
        """One Resource per live instance: running ones cost 730 h x the on-demand Linux price."""
        region = region or self.settings.aws_default_region
        ec2 = self.factory.client("ec2", region)
        sizes = {v.resource_id: v.attributes["size_gb"] for v in volumes or []}
        out = []
        for reservation in paginate(ec2, "describe_instances", "Reservations", MaxResults=1000,
                                    Filters=[{"Name": "instance-state-name", "Values": LIVE_STATES}]):
            out += [self._instance(region, item, sizes) for item in reservation.get("Instances", [])]
        return out

    def _instance(self, region: str, item: dict[str, Any], sizes: dict[str, int]) -> Resource:
        tags = tag_dict(item.get("Tags"))
        itype = item["InstanceType"]
        state = item.get("State", {}).get("Name", "")
        volume_ids = [m["Ebs"]["VolumeId"] for m in item.get("BlockDeviceMappings", []) if "Ebs" in m]
        platform = item.get("PlatformDetails") or ("Windows" if item.get("Platform") == "windows" else "Linux/UNIX")
        attributes: dict[str, Any] = {
            "platform": platform, "usage_operation": item.get("UsageOperation") or "",
            "tenancy": item.get("Placement", {}).get("Tenancy") or "default",
            "launch_time": item.get("LaunchTime"), "asg_name": tags.get("aws:autoscaling:groupName"),
            "lifecycle": "spot" if item.get("InstanceLifecycle") == "spot" else "on-demand",
            "volume_ids": volume_ids, "volume_gb": sum(sizes.get(v, 0) for v in volume_ids), "state": state,
            "stopped_at": stopped_at(item) if state == "stopped" else None,
        }
        notes = []
        try:
            spec = self.prices.instance_specs(itype)
            attributes.update(vcpus=spec.vcpus, memory_gib=spec.memory_gib)
        except PriceNotFound:
            notes.append(f"{itype}: vCPUs and memory not in the price book")
        resource = Resource(resource_id=item["InstanceId"], kind="ec2_instance", service="EC2", region=region,
                            resource_type=itype, state=state, name=tags.get("Name", ""), tags=tags,
                            created=item.get("LaunchTime"), attributes=attributes, notes=notes)
        q, note = quote(self.prices.ec2_hourly, region, itype)
        running = state in ("running", "pending")
        if not running:
            note = note or "not running: no compute charge (attached volumes still bill)"
        return set_cost(resource, monthly_of(q) if running else Decimal(0), q, note)

    def collect_volumes(self, region: str) -> list[Resource]:
        ec2 = self.factory.client("ec2", region)
        return [self._volume(region, v) for v in paginate(ec2, "describe_volumes", "Volumes", MaxResults=500)]

    def _volume(self, region: str, item: dict[str, Any]) -> Resource:
        tags = tag_dict(item.get("Tags"))
        vtype, size, iops = item.get("VolumeType", "gp2"), int(item["Size"]), int(item.get("Iops") or 0)
        attached = next((a["InstanceId"] for a in item.get("Attachments", []) if a.get("State") != "detached"), None)
        resource = Resource(
            resource_id=item["VolumeId"], kind="ebs_volume", service="EBS", region=region, resource_type=vtype,
            state=item.get("State", ""), name=tags.get("Name", ""), tags=tags, created=item.get("CreateTime"),
            attributes={"size_gb": size, "iops": iops, "throughput": item.get("Throughput"),
                        "attached_to": attached, "state": item.get("State", "")},
        )
        q, note = quote(self.prices.ebs_gb_month, region, vtype)
        amount = monthly_of(q, size)
        billed_iops = iops if vtype in ("io1", "io2") else max(0, iops - 3000) if vtype == "gp3" else 0
        if billed_iops and q is not None:
            iops_q, iops_note = quote(self.prices.ebs_iops_month, region, vtype)
            amount += monthly_of(iops_q, billed_iops)
            note = note or iops_note
        return set_cost(resource, amount, q, note)

    def collect_snapshots(self, region: str) -> list[Resource]:
        """Snapshots this account owns (filtered by owner-id: OwnerIds alone is not honoured everywhere)."""
        ec2 = self.factory.client("ec2", region)
        account = self.factory.account_id()
        images = self._ami_snapshots(ec2)
        out = []
        for snap in paginate(ec2, "describe_snapshots", "Snapshots", MaxResults=1000,
                             Filters=[{"Name": "owner-id", "Values": [account]}]):
            tags = tag_dict(snap.get("Tags"))
            size = int(snap.get("VolumeSize") or 0)
            resource = Resource(
                resource_id=snap["SnapshotId"], kind="ebs_snapshot", service="EBS", region=region,
                resource_type="snapshot", state=snap.get("State", ""), name=tags.get("Name", ""), tags=tags,
                created=snap.get("StartTime"),
                attributes={"size_gb": size, "start_time": snap.get("StartTime"), "volume_id": snap.get("VolumeId"),
                            "backs_ami": images.get(snap["SnapshotId"])},
            )
            q, note = quote(self.prices.snapshot_gb_month, region)
            out.append(set_cost(resource, monthly_of(q, size), q, note))
        return out

    @staticmethod
    def _ami_snapshots(ec2: Any) -> dict[str, str]:
        """Snapshot id -> the id of the account's registered AMI it backs (deleting it would break the image)."""
        out: dict[str, str] = {}
        for image in paginate(ec2, "describe_images", "Images", Owners=["self"]):
            for mapping in image.get("BlockDeviceMappings") or []:
                snapshot = (mapping.get("Ebs") or {}).get("SnapshotId")
                if snapshot:
                    out[snapshot] = image.get("ImageId", "")
        return out

    def get_ebs_costs(self, region: str | None = None) -> list[Resource]:
        """Volumes (attached and unattached) and snapshots with their monthly cost."""
        region = region or self.settings.aws_default_region
        return self.collect_volumes(region) + self.collect_snapshots(region)


_TRANSITION = re.compile(r"\((\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (?:GMT|UTC)\)")


def stopped_at(item: dict[str, Any]) -> datetime | None:
    """When a stopped instance stopped: EC2 says it in StateTransitionReason, 'User initiated (2026-11-24
    10:15:33 GMT)'."""
    found = _TRANSITION.search(str(item.get("StateTransitionReason") or ""))
    return datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC) if found else None

