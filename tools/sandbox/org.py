"""The simulated organization: the caller's account as management (payer) account, with member accounts in moto.

`create_organization` runs inside the seeding mock, with the management account's clients: Organizations
CreateOrganization, then CreateAccount once per member (moto draws the member ids from its random, seeded here from
the sandbox's seed: the same seed gives the same ids). moto's CreateAccount makes the member's
OrganizationAccountAccessRole, which trusts the management account, as AWS does; the sandbox assumes it
(`member_clients`) to work inside the member, as an administrator would: it creates the role the product reads
through, OptiInfraCostReadOnly (`read_only_role`), and seeds the member's fleet there.

The role trusts the management account, except in a member that refuses: there it trusts only the member's own
account, so AssumeRole from the management account is denied (assume_role.py evaluates trust policies; moto does
not). A member's fleet (`member_fleet`) is the standard fleet at the members' scale, with its own seed
(`member_seed`), its blocks starting in the region at its index (round-robin), and its own jitter (fleet.Fleet.jitter).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from moto.moto_api._internal import mock_random

from tools.sandbox.fleet import ACCOUNT_ID, Fleet, build_fleet

ROLE_NAME = "OptiInfraCostReadOnly"
"""The member role of docs/architecture.md's many accounts (AWS_ORG_ROLE_NAME's default)."""
ACCESS_ROLE = "OrganizationAccountAccessRole"
"""The administrator role CreateAccount makes in every member, trusted by the management account."""
READ_ONLY_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
    "autoscaling:Describe*", "cloudwatch:GetMetricData", "ec2:Describe*", "lambda:Get*", "lambda:List*",
    "rds:Describe*", "rds:ListTagsForResource", "s3:GetBucket*", "s3:GetLifecycleConfiguration",
    "s3:ListAllMyBuckets", "s3:ListBucketMultipartUploads"]}]}
"""What the role may do (moto does not enforce it; it is there as a member's role would have it)."""
Clients = Callable[[str, str], Any]


@dataclass(frozen=True)
class Member:
    """One member account of the organization."""

    index: int
    account_id: str
    name: str
    refuses_role: bool
    """Its OptiInfraCostReadOnly role does not trust the management account."""

    @property
    def role_arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:role/{ROLE_NAME}"


@dataclass(frozen=True)
class Organization:
    management_name: str
    """The management account's name, as ListAccounts gives it."""
    members: tuple[Member, ...]


def member_seed(seed: int, index: int) -> int:
    """A member's fleet seed: distinct from the management account's and every other member's (bucket names)."""
    return seed * 10_000 + index + 1


def check_members(accounts: int, refuse: Iterable[int]) -> tuple[int, ...]:
    """The refusing members' indexes, sorted; ValueError for a count or an index the organization cannot have."""
    if not 0 <= accounts < 10_000:
        raise ValueError(f"accounts: expected 0 to 9999 member accounts, got {accounts}")
    indexes = tuple(sorted(set(refuse)))
    if any(not 0 <= i < accounts for i in indexes):
        raise ValueError(f"refuse: member indexes run from 0 to {accounts - 1}, got {list(indexes)}")
    return indexes


def create_organization(clients: Clients, accounts: int, seed: int, refuse: Iterable[int],
                        region: str) -> Organization:
    """The organization and its `accounts` members in moto (management-account clients, inside the mock)."""
    refusing = set(check_members(accounts, refuse))
    org = clients("organizations", region)
    mock_random.seed(f"{seed}|organization")
    org.create_organization(FeatureSet="ALL")
    members = []
    for index in range(accounts):
        name = f"sandbox-member-{index:02d}"
        status = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
        members.append(Member(index, status["AccountId"], name, index in refusing))
    ids = [ACCOUNT_ID, *(m.account_id for m in members)]
    if len(set(ids)) != len(ids):
        raise RuntimeError(f"seed {seed} drew an account id twice; use another seed")
    listed = org.list_accounts()["Accounts"]  # the management account's entry; its name is moto's
    management = next(a["Name"] for a in listed if a["Id"] == ACCOUNT_ID)
    return Organization(management, tuple(members))


def member_clients(clients: Clients, member: Member, region: str,
                   factory: Callable[[dict[str, str]], Clients]) -> Clients:
    """Clients inside the member, through its OrganizationAccountAccessRole (`factory` makes clients from
    AssumeRole's credentials)."""
    role = f"arn:aws:iam::{member.account_id}:role/{ACCESS_ROLE}"
    credentials = clients("sts", region).assume_role(RoleArn=role, RoleSessionName="sandbox-seed")["Credentials"]
    return factory(credentials)


def read_only_role(clients: Clients, member: Member, region: str) -> None:
    """OptiInfraCostReadOnly in the member: trusting the management account, or, if it refuses, only itself."""
    trusted = member.account_id if member.refuses_role else ACCOUNT_ID
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"AWS": f"arn:aws:iam::{trusted}:root"}}]}
    iam = clients("iam", region)
    iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust),
                    Description="OptiInfra cost agent: read-only access for the management account")
    iam.put_role_policy(RoleName=ROLE_NAME, PolicyName="read-only", PolicyDocument=json.dumps(READ_ONLY_POLICY))


def member_fleet(member: Member, scale: int, regions: tuple[str, ...], seed: int) -> Fleet:
    """The member's standard fleet: `scale` instances, blocks from the region at its index onwards."""
    start = member.index % len(regions)
    rotated = regions[start:] + regions[:start]
    return build_fleet(scale, rotated, member_seed(seed, member.index), "standard", member.account_id)
