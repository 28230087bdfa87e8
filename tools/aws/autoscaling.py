"""Auto Scaling groups of one region: their capacity and launch template, so idle or oversized groups are told to
change the group (capacity, instance type), never to stop an instance the group would relaunch."""

from __future__ import annotations

from typing import Any

from tools.aws.clients import ClientFactory
from tools.aws.inventory_common import tag_dict
from tools.aws.paginate import paginate
from tools.models import Resource
from tools.pricing.book import PriceBook
from tools.settings import Settings


class AutoScalingCollector:
    def __init__(self, factory: ClientFactory, prices: PriceBook, settings: Settings) -> None:
        self.factory = factory
        self.settings = settings

    def collect(self, region: str) -> list[Resource]:
        client = self.factory.client("autoscaling", region)
        return [_group(region, item) for item in paginate(client, "describe_auto_scaling_groups",
                                                          "AutoScalingGroups", MaxRecords=100)]


def _template(item: dict[str, Any]) -> dict[str, Any]:
    template = item.get("LaunchTemplate") or (item.get("MixedInstancesPolicy") or {}).get(
        "LaunchTemplate", {}).get("LaunchTemplateSpecification") or {}
    overrides = (item.get("MixedInstancesPolicy") or {}).get("LaunchTemplate", {}).get("Overrides") or []
    return {"launch_template": template.get("LaunchTemplateName") or template.get("LaunchTemplateId") or
            item.get("LaunchConfigurationName") or "",
            "override_types": [o["InstanceType"] for o in overrides if o.get("InstanceType")]}


def _group(region: str, item: dict[str, Any]) -> Resource:
    tags = tag_dict(item.get("Tags"))
    members = [i["InstanceId"] for i in item.get("Instances") or []]
    types = sorted({i.get("InstanceType", "") for i in item.get("Instances") or [] if i.get("InstanceType")})
    return Resource(
        resource_id=item.get("AutoScalingGroupARN") or item["AutoScalingGroupName"], kind="autoscaling_group",
        service="EC2", region=region, resource_type=",".join(types), name=item["AutoScalingGroupName"], tags=tags,
        created=item.get("CreatedTime"), state="active",
        attributes={"min_size": item.get("MinSize"), "desired_capacity": item.get("DesiredCapacity"),
                    "max_size": item.get("MaxSize"), "instance_ids": members, **_template(item)})
