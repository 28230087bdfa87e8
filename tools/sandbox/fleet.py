"""The simulated fleet as data: one block of resource templates per region, repeated to reach the scale.

Each template says what it is (type, tags, utilization behaviour) and which findings of docs/rules.md it
must produce (`expect`). Everything else (seeding, CloudWatch history, costs, ground truth) is derived
from the expanded `Fleet`, so the planted waste and the seeded data cannot drift apart.

A template that expects `rightsizing` declares the type the rules must pick (`target`), and its CPU history is
planted so that docs/rules.md picks exactly that type: the sandbox states its targets, it does not re-derive them.

Variants: "standard" (the default account, `fleet_standard` repeated) and "extended", which adds one extra block
in the first region (`fleet_extended`) with what real accounts have and the standard account lacks. The template
types are in `fleet_templates`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from tools.sandbox.fleet_extended import (
    EXTENDED_ASG,
    EXTENDED_BUCKETS,
    EXTENDED_EC2,
    EXTENDED_RDS,
    EXTENDED_SNAP,
    EXTENDED_VOL,
)
from tools.sandbox.fleet_standard import (
    BUCKET_BLOCK,
    EC2_BLOCK,
    EIP_BLOCK,
    LAMBDA_BLOCK,
    NAT_BLOCK,
    RDS_BLOCK,
    RDS_SNAP_BLOCK,
    SNAP_BLOCK,
    VOL_BLOCK,
)
from tools.sandbox.fleet_templates import (
    ASG_TAG,
    AsgT,
    BucketT,
    Ec2T,
    EipT,
    LambdaT,
    NatT,
    RdsSnapT,
    RdsT,
    SnapT,
    VolT,
)

ACCOUNT_ID = "123456789012"
"""The caller's account: the only one by default, the organization's management (payer) account with members."""
Variant = Literal["standard", "extended"]
VARIANTS: tuple[Variant, ...] = ("standard", "extended")
BLOCK_EC2 = 20
"""EC2 instances per block; other resources come with each block, so they scale in proportion."""


@dataclass(frozen=True)
class Block:
    """One copy of the templates in one region; `ec2` may be trimmed in the last block."""

    region: str
    index: int
    ec2: tuple[Ec2T, ...]
    ordinal: int = 0
    """Position among the blocks of its region: RDS and Lambda names repeat across regions, like a real account."""
    kind: Variant = "standard"
    """The extended variant's extra block is "extended" (EXTENDED_* templates only)."""

    def has(self, ec2_key: str) -> bool:
        return any(t.key == ec2_key for t in self.ec2)

    @property
    def standard(self) -> bool:
        return self.kind == "standard"

    @property
    def volumes(self) -> tuple[VolT, ...]:
        planted = VOL_BLOCK if self.standard else EXTENDED_VOL
        return tuple(v for v in planted if not v.attach_to or self.has(v.attach_to))

    @property
    def eips(self) -> tuple[EipT, ...]:
        if not self.standard:
            return ()
        return tuple(e for e in EIP_BLOCK if not e.associate_with or self.has(e.associate_with))

    @property
    def snapshots(self) -> tuple[SnapT, ...]:
        return SNAP_BLOCK if self.standard else EXTENDED_SNAP

    @property
    def nats(self) -> tuple[NatT, ...]:
        return NAT_BLOCK if self.standard else ()

    @property
    def rds(self) -> tuple[RdsT, ...]:
        return RDS_BLOCK if self.standard else EXTENDED_RDS

    @property
    def rds_snapshots(self) -> tuple[RdsSnapT, ...]:
        return RDS_SNAP_BLOCK if self.standard else ()

    @property
    def lambdas(self) -> tuple[LambdaT, ...]:
        return LAMBDA_BLOCK if self.standard else ()

    @property
    def buckets(self) -> tuple[BucketT, ...]:
        return BUCKET_BLOCK if self.standard else EXTENDED_BUCKETS

    @property
    def asgs(self) -> tuple[AsgT, ...]:
        return () if self.standard else tuple(g for g in EXTENDED_ASG if self.has(g.member))

    @property
    def new_service(self) -> bool:
        """The extended block's account has a brand-new service's spend (anomalies.NEW_SERVICE_DAYS_AGO)."""
        return not self.standard

    def name(self, key: str) -> str:
        """Unique within the region only (the same name exists in every region with as many blocks)."""
        return f"{key}-{self.ordinal:04d}"


@dataclass(frozen=True)
class Fleet:
    seed: int
    regions: tuple[str, ...]
    blocks: tuple[Block, ...]
    variant: Variant = "standard"
    account_id: str = ACCOUNT_ID
    """The account the fleet lives in (a member account's id in an organization)."""

    def in_region(self, region: str) -> list[Block]:
        return [b for b in self.blocks if b.region == region]

    @property
    def jitter(self) -> str:
        """Salt of the deterministic jitter (CloudWatch values, usage-driven costs): a member's account id, so
        members of the same scale are not copies of one another; none for the caller's account, whose numbers
        stay what they were before organizations."""
        return "" if self.account_id == ACCOUNT_ID else self.account_id

    @property
    def ec2_count(self) -> int:
        return sum(sum(t.count for t in b.ec2) for b in self.blocks)


def _expanded(templates: tuple[Ec2T, ...], limit: int) -> tuple[Ec2T, ...]:
    """The first templates whose instance counts fit `limit` (a template with count 2 may be cut to 1)."""
    kept: list[Ec2T] = []
    left = limit
    for template in templates:
        if left <= 0:
            break
        take = min(template.count, left)
        kept.append(template if take == template.count else replace(template, count=take))
        left -= take
    return tuple(kept)


def build_fleet(scale: int, regions: list[str] | tuple[str, ...], seed: int = 7,
                variant: Variant = "standard", account_id: str = ACCOUNT_ID) -> Fleet:
    """Blocks of BLOCK_EC2 instances, round-robin over regions, until `scale` instances exist; the extended
    variant adds its block (in the first region) after them."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)}")
    per_block = sum(t.count for t in EC2_BLOCK)
    blocks: list[Block] = []
    left, index = scale, 0
    while left > 0:
        region = regions[index % len(regions)]
        ec2 = _expanded(EC2_BLOCK, min(per_block, left))
        blocks.append(Block(region, index, ec2, index // len(regions)))
        left -= sum(t.count for t in ec2)
        index += 1
    if variant == "extended":
        blocks.append(Block(regions[0], index, EXTENDED_EC2, 0, "extended"))
    return Fleet(seed, tuple(regions), tuple(blocks), variant, account_id)


def _check_templates() -> None:
    """Every template expecting rightsizing declares its target; every group's members carry its name."""
    for t in EC2_BLOCK + EXTENDED_EC2:
        if ("rightsizing" in t.expect) != bool(t.target):
            raise ValueError(f"{t.key}: a rightsizing template needs a target, and only it")
    for g in EXTENDED_ASG:
        member = next(t for t in EXTENDED_EC2 if t.key == g.member)
        if member.tags.get(ASG_TAG) != g.key or member.expect or not g.min_size <= member.count <= g.max_size:
            raise ValueError(f"{g.key}: its members must be tagged {ASG_TAG}={g.key}, expect nothing themselves "
                             "and fit its size")


_check_templates()
