"""Elastic IPs and NAT gateways of one region (service label VPC), priced from the price book.

Collection and pricing only: the seed's analysis methods are in agent/surfaces/collectors.py (docs/rules.md).
"""

from __future__ import annotations

from typing import Any

from tools.aws.clients import ClientFactory
from tools.aws.inventory_common import monthly_of, quote, set_cost, tag_dict
from tools.aws.paginate import paginate
from tools.models import Resource
from tools.pricing.book import PriceBook
from tools.settings import Settings


class NetworkCostCollector:
    def __init__(self, factory: ClientFactory, prices: PriceBook, settings: Settings) -> None:
        self.factory = factory
        self.prices = prices
        self.settings = settings

    def collect(self, region: str) -> list[Resource]:
        return self.collect_elastic_ips(region) + self.collect_nat_gateways(region)

    def collect_elastic_ips(self, region: str) -> list[Resource]:
        """Every allocated address (DescribeAddresses returns them all in one answer, unpaginated)."""
        ec2 = self.factory.client("ec2", region)
        return [self._eip(region, a) for a in ec2.describe_addresses().get("Addresses", [])]

    def _eip(self, region: str, item: dict[str, Any]) -> Resource:
        tags = tag_dict(item.get("Tags"))
        association = item.get("AssociationId")
        resource = Resource(
            resource_id=item.get("AllocationId") or item["PublicIp"], kind="elastic_ip", service="VPC",
            region=region, resource_type="public_ipv4", state="associated" if association else "unassociated",
            name=tags.get("Name", ""), tags=tags,
            attributes={"allocation_id": item.get("AllocationId"), "public_ip": item.get("PublicIp"),
                        "association_id": association},
        )
        q, note = quote(self.prices.eip_hourly, region)
        return set_cost(resource, monthly_of(q), q, note)

    def collect_nat_gateways(self, region: str) -> list[Resource]:
        ec2 = self.factory.client("ec2", region)
        out = []
        for nat in paginate(ec2, "describe_nat_gateways", "NatGateways", MaxResults=1000,
                            Filter=[{"Name": "state", "Values": ["pending", "available"]}]):
            tags = tag_dict(nat.get("Tags"))
            resource = Resource(
                resource_id=nat["NatGatewayId"], kind="nat_gateway", service="VPC", region=region,
                resource_type="nat_gateway", state=nat.get("State", ""), name=tags.get("Name", ""), tags=tags,
                created=nat.get("CreateTime"),
                attributes={"subnet_id": nat.get("SubnetId"), "vpc_id": nat.get("VpcId"), "state": nat.get("State")},
            )
            q, note = quote(self.prices.nat_hourly, region)
            out.append(set_cost(resource, monthly_of(q), q, note))
        return out
