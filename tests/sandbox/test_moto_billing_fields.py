"""moto renders the EC2 billing fields the seeder sets on its backend objects (mock_aws in-process, no sandbox):
the seeding relies on this instead of patching moto's responses."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
from moto import mock_aws
from moto.backends import get_backend


def test_instance_and_image_billing_fields_render() -> None:
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        made = ec2.run_instances(ImageId="ami-12345678", MinCount=2, MaxCount=2,
                                 InstanceMarketOptions={"MarketType": "spot"})
        first, second = (i["InstanceId"] for i in made["Instances"])
        assert "PlatformDetails" not in made["Instances"][0]  # what moto leaves empty
        backend = get_backend("ec2")["123456789012"]["us-east-1"]
        instance = backend.get_instance(first)
        launched = datetime(2025, 11, 1)
        instance.platform, instance.platform_details, instance.usage_operation = "windows", "Windows", \
            "RunInstances:0002"
        instance.usage_operation_update_time = launched
        image = backend.create_image(second, "golden", "golden image", [])
        image.root_device_type, image.virtualization_type = "ebs", "hvm"
        image.platform_details, image.usage_operation = "Linux/UNIX", "RunInstances"
        described = {i["InstanceId"]: i for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]}
        assert {k: described[first].get(k) for k in ("Platform", "PlatformDetails", "UsageOperation",
                                                      "UsageOperationUpdateTime", "InstanceLifecycle")} == {
            "Platform": "windows", "PlatformDetails": "Windows", "UsageOperation": "RunInstances:0002",
            "UsageOperationUpdateTime": launched.replace(tzinfo=UTC), "InstanceLifecycle": "spot"}
        assert "PlatformDetails" not in described[second]
        (shown,) = ec2.describe_images(Owners=["self"])["Images"]
        assert (shown["RootDeviceType"], shown["VirtualizationType"], shown["PlatformDetails"],
                shown["UsageOperation"]) == ("ebs", "hvm", "Linux/UNIX", "RunInstances")
        assert shown["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"] == image.ebs_snapshot.id
