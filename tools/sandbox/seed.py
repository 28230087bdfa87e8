"""Create the fleet's resources in moto, then age them.

RDS, Lambda, S3 and IAM go through plain boto3 calls (dispatched in-process by the caller). EC2
instances, volumes, snapshots, Elastic IPs and NAT gateways call moto's EC2 backend directly: the API's
XML answers made --scale 10000 take minutes. Ages the API cannot set (launch times, snapshot start
times, RDS snapshot create times) are written into the backend objects afterwards; that is seeding,
not product behaviour. So are the billing fields real EC2 fills and moto leaves empty: every instance gets
`PlatformDetails` and `UsageOperation` (and Windows ones `Platform: windows`), set on moto's instance objects,
which moto's describe_instances renders as it does any attribute.

The extended variant's block is seeded after every standard resource, so the standard resources keep the
same ids in both variants. Its Auto Scaling group goes through moto's autoscaling API: a launch template, the
group created empty, its planted instances attached (moto tags them aws:autoscaling:groupName), then its minimum
and desired capacity raised to them, so DescribeAutoScalingGroups lists exactly the planted instances and no
instance is launched that the fleet does not know.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.backends import get_backend

from tools.sandbox.fleet import ACCOUNT_ID, Block, Fleet
from tools.sandbox.fleet_extended import IMAGE_SOURCE
from tools.sandbox.fleet_templates import ROOT_VOLUME_GB
from tools.sandbox.planted import Planted, planted_named
from tools.sandbox.rates import EC2_OPERATIONS, PLATFORM_DETAILS

AMI = "ami-0abcdef1234567890"
LAMBDA_ROLE_NAME = "sandbox-lambda"


def _tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def bucket_name(fleet: Fleet, block: Block, key: str) -> str:
    return f"oi{fleet.seed}-{block.region}-{key}-{block.index:04d}"


class Seeder:
    """Seeds one fleet into its account; `clients(service, region)` returns boto3 clients (HTTP or in-process)
    whose credentials belong to that account (moto keys its backends by the account of the access key)."""

    def __init__(self, fleet: Fleet, clients: Any, now: datetime) -> None:
        self.fleet = fleet
        self.clients = clients
        self.now = now
        self.planted: list[Planted] = []
        self.account_id = fleet.account_id

    def run(self) -> list[Planted]:
        self.clients("iam", self.fleet.regions[0]).create_role(
            RoleName=LAMBDA_ROLE_NAME, AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[]}')
        for region in self.fleet.regions:
            blocks = [b for b in self.fleet.in_region(region) if b.standard]
            if not blocks:
                continue
            instances = self._instances(region, blocks)
            self._volumes(region, blocks, instances)
            self._network(region, blocks, instances)
            self._rds(region, blocks)
            self._lambdas(region, blocks)
            self._buckets(region, blocks)
        for block in (b for b in self.fleet.blocks if not b.standard):
            instances = self._instances(block.region, [block])
            self._volumes(block.region, [block], instances)
            self._rds(block.region, [block])
            self._buckets(block.region, [block])
            self._images(block, instances)
            self._autoscaling(block, instances)
        return self.planted

    # ------------------------------------------------------------------ EC2

    def _instances(self, region: str, blocks: list[Block]) -> dict[tuple[int, str], list[str]]:
        """One moto `run_instances` per template and region, called on the backend (the API's XML answer
        for thousands of instances is what makes it slow)."""
        backend = _ec2(region, self.account_id)
        ids: dict[tuple[int, str], list[str]] = {}
        templates = {t.key: t for b in blocks for t in b.ec2}
        for key, template in templates.items():
            wanted = [(b, t) for b in blocks for t in b.ec2 if t.key == key]
            total = sum(t.count for _, t in wanted)
            root = {"VirtualName": None, "DeviceName": "/dev/xvda", "NoDevice": None,
                    "Ebs": {"SnapshotId": None, "VolumeSize": ROOT_VOLUME_GB, "DeleteOnTermination": True,
                            "VolumeType": "gp3", "Iops": None, "Encrypted": False, "KmsKeyId": None}}
            reservation = backend.run_instances(
                AMI, total, None, [], instance_type=template.instance_type, is_instance_type_default=False,
                region_name=region, placement=None, subnet_id=None, key_name=None, nics=[],
                tags={"instance": {"Name": key, **template.tags}, "volume": _plain(template.tags)},
                block_device_mappings=[root],
                instance_market_options="spot" if template.spot else {}, ebs_optimized=False,
                disable_api_stop=False, launch_template={}, hibernation_options={}, monitoring_state="disabled",
                metadata_options={}, client_token=f"{region}-{key}")
            for instance in reservation.instances:
                instance.platform_details = PLATFORM_DETAILS[template.platform]
                instance.usage_operation = EC2_OPERATIONS[template.platform]
                if template.platform == "windows":
                    instance.platform = "windows"
            made = [i.id for i in reservation.instances]
            cursor = 0
            for block, t in wanted:
                mine = made[cursor:cursor + t.count]
                cursor += t.count
                ids[(block.index, key)] = mine
                for instance_id in mine:
                    self.planted.append(Planted("ec2_instance", instance_id, region, t, block))
            if template.state == "stopped":
                backend.stop_instances(made)
        return ids

    def _volumes(self, region: str, blocks: list[Block], instances: dict[tuple[int, str], list[str]]) -> None:
        backend = _ec2(region, self.account_id)
        zone = f"{region}a"
        snap_tags = {"env": "prod", "team": "platform", "cost-center": "cc-100"}
        for block in blocks:
            volume_ids: dict[str, str] = {}
            for vol in block.volumes:
                volume = backend.create_volume(vol.size_gb, zone, volume_type=vol.volume_type, iops=vol.iops or None)
                backend.create_tags([volume.id], {"Name": vol.key, **vol.tags})
                volume_ids[vol.key] = volume.id
                if vol.attach_to:
                    backend.attach_volume(volume.id, instances[(block.index, vol.attach_to)][0], "/dev/sdf")
                self.planted.append(Planted("ebs_volume", volume.id, region, vol, block))
            for snap in (s for s in block.snapshots if not s.ami):  # AMI snapshots come with their image
                snapshot = backend.create_snapshot(volume_ids["orphan-gp2"], snap.key)
                backend.create_tags([snapshot.id], {"Name": snap.key, **snap_tags})
                self.planted.append(Planted("ebs_snapshot", snapshot.id, region, snap, block))

    def _images(self, block: Block, instances: dict[tuple[int, str], list[str]]) -> None:
        """An AMI made from one of the block's instances; its snapshot (moto's 15 GB AMI snapshot) is planted."""
        backend = _ec2(block.region, self.account_id)
        source = instances[(block.index, IMAGE_SOURCE)][0]
        for snap in (s for s in block.snapshots if s.ami):
            tags = [{"ResourceType": "image", "Tags": _tag_list({"Name": snap.key, "env": "prod", "team": "platform",
                                                                 "cost-center": "cc-100"})}]
            image = backend.create_image(source, f"{snap.key}-{block.ordinal:04d}", f"{snap.key} golden image", tags)
            # What EC2 shows for an EBS-backed Linux AMI made from an HVM instance (moto leaves its defaults).
            image.root_device_type, image.virtualization_type, image.root_device_name = "ebs", "hvm", "/dev/xvda"
            image.platform_details, image.usage_operation = PLATFORM_DETAILS["linux"], EC2_OPERATIONS["linux"]
            snapshot = image.ebs_snapshot
            snapshot.description = f"Created by CreateImage({source}) for {image.id}"
            backend.create_tags([snapshot.id], {"Name": snap.key, "env": "prod", "team": "platform",
                                                "cost-center": "cc-100"})
            self.planted.append(Planted("ebs_snapshot", snapshot.id, block.region, snap, block, {"image_id": image.id}))

    def _autoscaling(self, block: Block, instances: dict[tuple[int, str], list[str]]) -> None:
        """Each group holds the planted instances of its member template: created empty, the instances attached,
        then its minimum and desired capacity set to them (so moto launches nothing of its own)."""
        ec2 = self.clients("ec2", block.region)
        client = self.clients("autoscaling", block.region)
        for group in block.asgs:
            member = next(t for t in block.ec2 if t.key == group.member)
            ids = instances[(block.index, member.key)]
            ec2.create_launch_template(LaunchTemplateName=group.key, LaunchTemplateData={
                "ImageId": AMI, "InstanceType": member.instance_type,
                "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": ROOT_VOLUME_GB,
                                                                            "VolumeType": "gp3"}}]})
            client.create_auto_scaling_group(
                AutoScalingGroupName=group.key, LaunchTemplate={"LaunchTemplateName": group.key, "Version": "$Latest"},
                MinSize=0, MaxSize=group.max_size, DesiredCapacity=0, AvailabilityZones=[f"{block.region}a"],
                Tags=[{"Key": k, "Value": v, "PropagateAtLaunch": True} for k, v in sorted(group.tags.items())])
            client.attach_instances(AutoScalingGroupName=group.key, InstanceIds=ids)
            client.update_auto_scaling_group(AutoScalingGroupName=group.key, MinSize=group.min_size,
                                             DesiredCapacity=len(ids))
            (made,) = client.describe_auto_scaling_groups(AutoScalingGroupNames=[group.key])["AutoScalingGroups"]
            self.planted.append(Planted("autoscaling_group", made["AutoScalingGroupARN"], block.region, group, block,
                                        {"members": ids}, name=group.key))

    def _network(self, region: str, blocks: list[Block], instances: dict[tuple[int, str], list[str]]) -> None:
        backend = _ec2(region, self.account_id)
        subnet = self.clients("ec2", region).describe_subnets()["Subnets"][0]["SubnetId"]
        tags = {"env": "prod", "team": "platform", "cost-center": "cc-100"}
        for block in blocks:
            for eip in block.eips:
                address = backend.allocate_address("vpc", tags={"Name": eip.key, **tags})
                if eip.associate_with:
                    instance = backend.get_instance(instances[(block.index, eip.associate_with)][0])
                    backend.associate_address(instance=instance, allocation_id=address.allocation_id)
                self.planted.append(Planted("elastic_ip", address.allocation_id, region, eip, block))
            for nat in block.nats:
                address = backend.allocate_address("vpc", tags={"Name": f"{nat.key}-ip", **tags})
                gateway = backend.create_nat_gateway(subnet, address.allocation_id, tags={"Name": nat.key, **tags})
                self.planted.append(Planted("nat_gateway", gateway.id, region, nat, block,
                                           {"allocation_id": address.allocation_id}))

    # ------------------------------------------------------------------ RDS, Lambda, S3

    def _rds(self, region: str, blocks: list[Block]) -> None:
        rds = self.clients("rds", region)
        for block in blocks:
            for db in block.rds:
                name = block.name(db.key)
                rds.create_db_instance(
                    DBInstanceIdentifier=name, DBInstanceClass=db.instance_class, Engine=db.engine,
                    AllocatedStorage=db.storage_gb, StorageType="gp2", MultiAZ=db.multi_az,
                    MasterUsername="admin", MasterUserPassword="sandbox-password", BackupRetentionPeriod=0,
                    Tags=_tag_list({"Name": db.key, **db.tags}))
                self.planted.append(planted_named("rds_instance", name, region, db, block, self.account_id))
            for snap in block.rds_snapshots:
                name = block.name(snap.key)
                rds.create_db_snapshot(DBInstanceIdentifier=block.name(snap.db_key), DBSnapshotIdentifier=name,
                                       Tags=_tag_list({"env": "prod", "team": "payments", "cost-center": "cc-200"}))
                self.planted.append(planted_named("rds_snapshot", name, region, snap, block, self.account_id))

    def _lambdas(self, region: str, blocks: list[Block]) -> None:
        client = self.clients("lambda", region)
        code = _zip()
        role = f"arn:aws:iam::{self.account_id}:role/{LAMBDA_ROLE_NAME}"
        for block in blocks:
            for fn in block.lambdas:
                name = block.name(fn.key)
                client.create_function(
                    FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                    Code={"ZipFile": code}, MemorySize=fn.memory_mb, Timeout=60,
                    Architectures=[fn.architecture], Tags=fn.tags)
                self.planted.append(planted_named("lambda_function", name, region, fn, block, self.account_id))

    def _buckets(self, region: str, blocks: list[Block]) -> None:
        s3 = self.clients("s3", region)
        for block in blocks:
            for bucket in block.buckets:
                name = bucket_name(self.fleet, block, bucket.key)
                args: dict[str, Any] = {"Bucket": name}
                if region != "us-east-1":
                    args["CreateBucketConfiguration"] = {"LocationConstraint": region}
                s3.create_bucket(**args)
                s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": _tag_list(bucket.tags)})
                if bucket.lifecycle != "none":
                    s3.put_bucket_lifecycle_configuration(
                        Bucket=name, LifecycleConfiguration={"Rules": _lifecycle(bucket.lifecycle)})
                for n in range(bucket.multipart_uploads):
                    s3.create_multipart_upload(Bucket=name, Key=f"incoming/upload-{n}.bin")
                self.planted.append(Planted("s3_bucket", name, region, bucket, block))


def _plain(tags: dict[str, str]) -> dict[str, str]:
    """The cost-allocation tags a root volume inherits (not aws:*, not the ignore tag)."""
    return {k: v for k, v in tags.items() if k in ("env", "team", "cost-center")}


def _ec2(region: str, account_id: str) -> Any:
    return get_backend("ec2")[account_id][region]


def _lifecycle(kind: str) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = [{"ID": "to-ia", "Status": "Enabled", "Filter": {"Prefix": ""},
                                    "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}]}]
    if kind == "transition+abort":
        rules.append({"ID": "abort-uploads", "Status": "Enabled", "Filter": {"Prefix": ""},
                      "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}})
    return rules


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return {'ok': True}\n")
    return buffer.getvalue()


def age_resources(planted: list[Planted], now: datetime, account_id: str = ACCOUNT_ID) -> None:
    """Set the dates the API cannot: launch times, when stopped instances stopped (StateTransitionReason), snapshot
    start times, AMI and RDS snapshot create times (of the resources planted in `account_id`)."""
    naive_now = now.astimezone(UTC).replace(tzinfo=None)
    for region in {p.region for p in planted}:
        ec2 = get_backend("ec2")[account_id][region]
        rds = get_backend("rds")[account_id][region]
        instances = {i.id: i for r in ec2.reservations.values() for i in r.instances}
        for p in (p for p in planted if p.region == region):
            if p.kind == "ec2_instance":
                days = p.template.data_days if p.template.data_days < 30 else 400
                midnight = naive_now.replace(hour=0, minute=0, second=0, microsecond=0)
                instance = instances[p.resource_id]
                instance.launch_time = midnight - timedelta(days=max(days - 1, 0))
                if p.template.state == "stopped":
                    instance.launch_time = midnight - timedelta(days=400)
                    stopped = midnight - timedelta(days=p.template.stopped_days_ago)
                    instance._reason = f"User initiated ({stopped:%Y-%m-%d %H:%M:%S} GMT)"  # as EC2 writes it
                instance.usage_operation_update_time = instance.launch_time  # type: ignore[attr-defined]
            elif p.kind == "ebs_snapshot":
                ec2.snapshots[p.resource_id].start_time = naive_now - timedelta(days=p.template.age_days)
                if "image_id" in p.extra:
                    ec2.amis[p.extra["image_id"]].creation_date = naive_now - timedelta(days=p.template.age_days)
            elif p.kind == "rds_snapshot":
                snap = rds.database_snapshots[p.name]
                snap.created = naive_now - timedelta(days=p.template.age_days)
                snap.original_snapshot_create_time = snap.created
