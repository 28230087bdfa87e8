"""What the seeder planted: one `Planted` per resource (its id, template and block), and the ids AWS gives them.

The seeder (seed.py) makes them in moto; the CloudWatch history, the billed waste and the ground truth read them,
so they are plain data, with no moto import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tools.sandbox.fleet import ACCOUNT_ID, Block


@dataclass
class Planted:
    """One seeded resource: its id, the template it came from, and its block.

    RDS instances and snapshots and Lambda functions are named uniquely only within a region, so their
    `resource_id` is the ARN and `name` the short name (the CloudWatch dimension); for other kinds the
    two are the same.
    """

    kind: str
    resource_id: str
    region: str
    template: Any
    block: Block
    extra: dict[str, Any] = field(default_factory=dict)
    name: str = ""

    def __post_init__(self) -> None:
        self.name = self.name or self.resource_id


def regional_arn(kind: str, region: str, name: str, account_id: str = ACCOUNT_ID) -> str:
    """The ARN AWS gives a regionally named resource (the form DescribeDBInstances and ListFunctions return)."""
    path = {"rds_instance": ("rds", "db"), "rds_snapshot": ("rds", "snapshot"),
            "lambda_function": ("lambda", "function")}[kind]
    return f"arn:aws:{path[0]}:{region}:{account_id}:{path[1]}:{name}"


def planted_named(kind: str, name: str, region: str, template: Any, block: Block,
                  account_id: str = ACCOUNT_ID) -> Planted:
    """A Planted RDS instance, RDS snapshot or Lambda function: ARN as id, short name as name."""
    return Planted(kind, regional_arn(kind, region, name, account_id), region, template, block, name=name)


def asg_arn(region: str, name: str, group_id: str, account_id: str = ACCOUNT_ID) -> str:
    """The AutoScalingGroupARN AWS gives a group (group_id: the group's UUID)."""
    return f"arn:aws:autoscaling:{region}:{account_id}:autoScalingGroup:{group_id}:autoScalingGroupName/{name}"

