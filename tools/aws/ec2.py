"""EC2 instances, EBS volumes and snapshots of one region, priced from the price book; the seed's EC2 methods.

The identify_* methods are simple threshold checks over collected, measured Resources (docs/rules.md);
the authoritative findings come from agent/analysis.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from tools.aws.clients import ClientFactory
from tools.aws.inventory_common import days_of, monthly_of, quote, set_cost, summary_value, tag_dict
from tools.aws.network import NetworkCostCollector
from tools.aws.paginate import paginate
from tools.models import Resource, cents
from tools.pricing.book import PriceBook, PriceNotFound
from tools.settings import Settings

LIVE_STATES = ["pending", "running", "stopping", "stopped"]
NON_PRODUCTION = {"dev", "development", "test", "testing", "staging", "qa", "sandbox"}
MIB = 1_048_576
UNDERUTILIZED_DAYS = 14


class EC2CostCollector:
    """EC2 and EBS of one region at a time; every call through the factory's counted clients."""

    def __init__(self, factory: ClientFactory, prices: PriceBook, settings: Settings) -> None:
        self.factory = factory
        self.prices = prices
        self.settings = settings
        self.network = NetworkCostCollector(factory, prices, settings)

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

    # ------------------------------------------------------------------ thin checks (docs/rules.md)
    def _running(self, resources: Iterable[Resource]) -> list[Resource]:
        return [r for r in resources if r.kind == "ec2_instance" and r.state == "running"]

    def is_idle(self, r: Resource) -> bool:
        if r.state != "running" or days_of(r, "cpu") < self.settings.min_data_days:
            return False
        network = (summary_value(r, "network_in") or 0) + (summary_value(r, "network_out") or 0)
        return ((summary_value(r, "cpu") or 0) < self.settings.aws_idle_cpu_threshold
                and (summary_value(r, "cpu_max", "maximum") or 0) < self.settings.idle_cpu_max_threshold
                and network < self.settings.idle_network_mb_per_day * MIB)

    def is_underutilized(self, r: Resource) -> bool:
        cpu = r.utilization.get("cpu")
        if r.state != "running" or cpu is None or cpu.days < UNDERUTILIZED_DAYS:
            return False
        return all(v < self.settings.aws_underutilized_cpu_threshold for v in cpu.daily.values())

    def is_spot_eligible(self, r: Resource) -> bool:
        if r.state != "running" or r.attributes.get("lifecycle") == "spot":
            return False
        if days_of(r, "cpu") < self.settings.min_data_days:
            return False
        tags = {k.lower(): v for k, v in r.tags.items()}
        return bool(r.attributes.get("asg_name") or tags.get("env", "").lower() in NON_PRODUCTION
                    or tags.get("stateless", "").lower() == "true")

    def identify_idle_instances(self, resources: Iterable[Resource]) -> list[Resource]:
        return [r for r in self._running(resources) if self.is_idle(r)]

    def identify_underutilized_instances(self, resources: Iterable[Resource]) -> list[Resource]:
        return [r for r in self._running(resources) if not self.is_idle(r) and self.is_underutilized(r)]

    def get_spot_opportunities(self, resources: Iterable[Resource]) -> list[Resource]:
        return [r for r in self._running(resources) if not self.is_idle(r) and self.is_spot_eligible(r)]

    def rightsizing_target(self, r: Resource) -> str | None:
        """Smallest same-family size with vcpus >= current x (cpu max / target); None unless smaller."""
        cpu_max = summary_value(r, "cpu", "maximum")
        if cpu_max is None or "vcpus" not in r.attributes:
            return None
        needed = r.attributes["vcpus"] * cpu_max / self.settings.rightsizing_target_cpu
        family = r.resource_type.split(".")[0]
        types = self.prices.family_types(family)
        for candidate in types[: types.index(r.resource_type)] if r.resource_type in types else []:
            if self.prices.instance_specs(candidate).vcpus >= needed:
                return candidate
        return None

    def get_reserved_instance_recommendations(self, resources: Iterable[Resource]) -> list[dict[str, Any]]:
        """Steadily running on-demand instances: a 1-year commitment saves RI_DISCOUNT_PCT of on-demand."""
        out = []
        for r in self._running(resources):
            steady = (r.attributes.get("running_fraction") or 0) >= self.settings.steady_running_fraction
            if (r.attributes.get("lifecycle") == "on-demand" and steady and not self.is_idle(r)
                    and days_of(r, "cpu") >= self.settings.min_data_days):
                saving = Decimal(str(r.monthly_cost)) * Decimal(str(self.settings.ri_discount_pct)) / 100
                out.append({"instance_id": r.resource_id, "instance_type": r.resource_type, "region": r.region,
                            "monthly_cost": r.monthly_cost, "estimated_savings": cents(saving)})
        return out

    def analyze_instance_types(self, resources: Iterable[Resource]) -> dict[str, dict[str, Any]]:
        """Per instance type: how many, their monthly cost, and their mean CPU where measured."""
        groups: dict[str, list[Resource]] = defaultdict(list)
        for r in resources:
            if r.kind == "ec2_instance":
                groups[r.resource_type].append(r)
        out = {}
        for itype, members in sorted(groups.items()):
            cpus = [c for c in (summary_value(m, "cpu") for m in members) if c is not None]
            out[itype] = {"count": len(members),
                          "monthly_cost": cents(sum(Decimal(str(m.monthly_cost)) for m in members)),
                          "cpu_avg": round(sum(cpus) / len(cpus), 2) if cpus else None}
        return out

    def identify_unattached_ebs(self, resources: Iterable[Resource]) -> list[Resource]:
        return [r for r in resources if r.kind == "ebs_volume" and r.attributes.get("state") == "available"]

    def identify_unassociated_eips(self, resources: Iterable[Resource]) -> list[Resource]:
        return self.network.identify_unassociated_eips(resources)

    def identify_idle_nat_gateways(self, resources: Iterable[Resource]) -> list[Resource]:
        return self.network.identify_idle_nat_gateways(resources)

    def to_seed_dict(self, r: Resource) -> dict[str, Any]:
        """The seed's per-instance shape."""
        idle, under, spot = self.is_idle(r), self.is_underutilized(r), self.is_spot_eligible(r)
        target = self.rightsizing_target(r) if under and not idle else None
        saving = Decimal(0)
        if idle:
            saving = Decimal(str(r.monthly_cost))
        elif target:
            target_q, _ = quote(self.prices.ec2_hourly, r.region, target)
            saving = max(Decimal(0), Decimal(str(r.monthly_cost)) - monthly_of(target_q)) if target_q else saving
        elif spot:
            saving = Decimal(str(r.monthly_cost)) * Decimal(str(self.settings.aws_spot_savings_target)) / 100
        network = (summary_value(r, "network_in") or 0) + (summary_value(r, "network_out") or 0)
        cpu = summary_value(r, "cpu")
        return {
            "instance_id": r.resource_id, "instance_type": r.resource_type, "region": r.region,
            "monthly_cost": r.monthly_cost,
            "utilization": {"cpu_avg": round(cpu, 2) if cpu is not None else None,
                            "network_mb_day": round(network / MIB, 2) if r.utilization else None},
            "optimization": {"is_idle": idle, "is_underutilized": under, "spot_eligible": spot and not idle,
                             "rightsizing_recommendation": target, "estimated_savings": cents(saving)},
        }
