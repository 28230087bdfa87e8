"""EC2, EBS and network collectors on moto in-process: ids, dollars from the price book, request parameters."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws

from tools.aws.clients import ClientFactory
from tools.aws.ec2 import EC2CostCollector, stopped_at
from tools.aws.network import NetworkCostCollector
from tools.pricing.book import PriceBook
from tools.settings import load_settings

AMI = "ami-12345678"


def capture(factory: ClientFactory, service: str, region: str) -> dict[str, list[dict]]:
    """Every request's parameters by operation, as botocore built them."""
    seen: dict[str, list[dict]] = defaultdict(list)

    def record(params, model, **_):
        seen[model.name].append(dict(params))

    factory.client(service, region).meta.events.register("before-parameter-build", record)
    return seen


@pytest.fixture
def account():
    with mock_aws():
        settings = load_settings()
        ec2 = boto3.client("ec2", "us-east-1")
        web = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="m5.large",
                                TagSpecifications=[{"ResourceType": "instance", "Tags": [
                                    {"Key": "Name", "Value": "web"}, {"Key": "env", "Value": "prod"}]}])
        old = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro")
        ids = {"web": web["Instances"][0]["InstanceId"], "old": old["Instances"][0]["InstanceId"]}
        ec2.stop_instances(InstanceIds=[ids["old"]])
        ids["gp2"] = ec2.create_volume(Size=100, AvailabilityZone="us-east-1a", VolumeType="gp2")["VolumeId"]
        ids["io1"] = ec2.create_volume(Size=200, AvailabilityZone="us-east-1a", VolumeType="io1", Iops=5000)["VolumeId"]
        ids["gp3"] = ec2.create_volume(Size=500, AvailabilityZone="us-east-1a", VolumeType="gp3", Iops=4000)["VolumeId"]
        ec2.attach_volume(VolumeId=ids["io1"], InstanceId=ids["web"], Device="/dev/sdf")
        ids["snap"] = ec2.create_snapshot(VolumeId=ids["gp2"])["SnapshotId"]
        ids["ami_snap"] = ec2.create_snapshot(VolumeId=ids["gp3"])["SnapshotId"]
        ids["ami"] = ec2.register_image(Name="golden", RootDeviceName="/dev/xvda", BlockDeviceMappings=[
            {"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": ids["ami_snap"]}}])["ImageId"]
        ids["eip_free"] = ec2.allocate_address(Domain="vpc")["AllocationId"]
        ids["eip_used"] = ec2.allocate_address(Domain="vpc")["AllocationId"]
        ec2.associate_address(AllocationId=ids["eip_used"], InstanceId=ids["web"])
        subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
        ids["eip_nat"] = ec2.allocate_address(Domain="vpc")["AllocationId"]
        ids["nat"] = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=ids["eip_nat"])["NatGateway"]["NatGatewayId"]
        eu = boto3.client("ec2", "eu-west-1")
        ids["eu"] = eu.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="m5.large")["Instances"][0][
            "InstanceId"]
        yield ClientFactory(settings), settings, ids


def test_instances_volumes_and_snapshots_priced_from_the_book(account):
    factory, settings, ids = account
    seen = capture(factory, "ec2", "us-east-1")
    collector = EC2CostCollector(factory, PriceBook.load(), settings)
    found = {r.resource_id: r for r in collector.collect("us-east-1")}
    web, old = found[ids["web"]], found[ids["old"]]
    assert (web.kind, web.service, web.resource_type, web.state, web.name, web.monthly_cost) == (
        "ec2_instance", "EC2", "m5.large", "running", "web", 70.08)
    assert web.price.unit_price == 0.096 and "us-east-1 m5.large Linux on-demand" in web.price.source
    assert web.attributes["vcpus"] == 2 and web.attributes["memory_gib"] == 8.0
    assert web.attributes["lifecycle"] == "on-demand" and web.attributes["volume_gb"] == 8 + 200
    assert (old.state, old.monthly_cost, old.notes) == (
        "stopped", 0.0, ["not running: no compute charge (attached volumes still bill)"])
    assert {r.resource_id: r.monthly_cost for r in found.values() if r.kind == "ebs_volume" and r.resource_id in ids.values()} == {
        ids["gp2"]: 10.0, ids["io1"]: 350.0, ids["gp3"]: 45.0}  # 200 x 0.125 + 5000 x 0.065; 500 x 0.08 + 1000 x 0.005
    assert found[ids["io1"]].attributes["attached_to"] == ids["web"]
    assert found[ids["gp2"]].attributes == {"size_gb": 100, "iops": 0, "throughput": None, "attached_to": None,
                                            "state": "available"}
    snapshots = [r for r in found.values() if r.kind == "ebs_snapshot"]
    plain = found[ids["snap"]]
    assert (plain.monthly_cost, plain.attributes["volume_id"], plain.attributes["backs_ami"]) == (5.0, ids["gp2"], None)
    images = boto3.client("ec2", "us-east-1").describe_images(ImageIds=[ids["ami"]])["Images"][0]
    backing = images["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"]  # moto may copy the snapshot it was given
    assert found[backing].attributes["backs_ami"] == ids["ami"]
    assert [s.resource_id for s in snapshots if s.attributes["backs_ami"]] == [backing]
    assert [k for k in (ids["gp2"], ids["io1"], ids["gp3"]) if found[k].state == "available"] == [ids["gp2"], ids["gp3"]]
    assert seen["DescribeInstances"][0]["MaxResults"] == 1000
    assert seen["DescribeInstances"][0]["Filters"] == [
        {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]}]
    assert seen["DescribeVolumes"] == [{"MaxResults": 500}]
    assert seen["DescribeSnapshots"] == [{"MaxResults": 1000, "Filters": [{"Name": "owner-id",
                                                                           "Values": ["123456789012"]}]}]
    assert seen["DescribeImages"] == [{"Owners": ["self"]}]
    assert web.attributes["platform"] == "Linux/UNIX" and web.attributes["tenancy"] == "default"
    assert factory.ledger.count("ec2", region="us-east-1") == 4 and factory.ledger.count("ec2", region="eu-west-1") == 0


def test_other_region_uses_its_own_price(account):
    factory, settings, ids = account
    [eu] = EC2CostCollector(factory, PriceBook.load(), settings).collect_instance_costs("eu-west-1")
    assert (eu.resource_id, eu.region, eu.monthly_cost) == (ids["eu"], "eu-west-1", 78.11)  # 0.107 x 730


def test_elastic_ips_and_nat_gateways(account):
    factory, settings, ids = account
    seen = capture(factory, "ec2", "us-east-1")
    network = NetworkCostCollector(factory, PriceBook.load(), settings)
    found = {r.resource_id: r for r in network.collect("us-east-1")}
    assert {k: (r.kind, r.service, r.monthly_cost) for k, r in found.items()} == {
        ids["eip_free"]: ("elastic_ip", "VPC", 3.65), ids["eip_used"]: ("elastic_ip", "VPC", 3.65),
        ids["eip_nat"]: ("elastic_ip", "VPC", 3.65), ids["nat"]: ("nat_gateway", "VPC", 32.85)}
    assert [k for k in ("eip_free", "eip_used", "eip_nat") if not found[ids[k]].attributes["association_id"]] == [
        "eip_free"]
    assert seen["DescribeNatGateways"][0]["MaxResults"] == 1000
    nat = found[ids["nat"]]
    assert (nat.state, nat.utilization) == ("available", {})


def test_a_stopped_instance_says_when_it_stopped(account):
    factory, settings, ids = account
    [old] = [r for r in EC2CostCollector(factory, PriceBook.load(), settings).collect_instance_costs("us-east-1")
             if r.resource_id == ids["old"]]
    assert old.attributes["stopped_at"] is not None and old.attributes["stopped_at"].tzinfo is not None
    assert stopped_at({"StateTransitionReason": "User initiated (2026-11-24 10:15:33 GMT)"}) == datetime(
        2026, 11, 24, 10, 15, 33, tzinfo=UTC)
    assert stopped_at({"StateTransitionReason": ""}) is None
