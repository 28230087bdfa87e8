"""How people see a resource id.

RDS instances and snapshots and Lambda functions are named uniquely only within a region, so their
`resource_id` is the ARN. People know them by name and region: `orders (eu-west-1)`. Globally unique ids
(i-..., vol-..., bucket names) are shown as they are.
"""

from __future__ import annotations


def is_arn(resource_id: str) -> bool:
    return resource_id.startswith("arn:")


def arn_name(arn: str) -> str:
    """The resource's own name in an ARN: 'arn:aws:rds:r:acct:db:orders' -> 'orders' (a Lambda qualifier
    after the name is dropped)."""
    parts = arn.split(":")
    if len(parts) >= 7:
        return parts[6]
    return parts[-1].rsplit("/", 1)[-1]


def short_id(resource_id: str, name: str = "") -> str:
    """The name for an ARN id (from `name`, else parsed from the ARN); other ids unchanged."""
    if not is_arn(resource_id):
        return resource_id
    return name or arn_name(resource_id)


def label(resource_id: str, region: str = "", name: str = "") -> str:
    """'orders (eu-west-1)' for an ARN id, 'i-0abc (us-east-1)' otherwise; an ARN's own region when none
    is given; the id alone when there is no region at all."""
    if not region and is_arn(resource_id):
        parts = resource_id.split(":")
        region = parts[3] if len(parts) > 3 else ""
    shown = short_id(resource_id, name)
    return f"{shown} ({region})" if region else shown


def display(resource_id: str, region: str = "", name: str = "") -> str:
    """`label` for an ARN id, the id itself otherwise (where the region is shown elsewhere or not at all)."""
    return label(resource_id, region, name) if is_arn(resource_id) else resource_id
