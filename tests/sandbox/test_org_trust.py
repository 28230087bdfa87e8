"""The organization's pure parts: trust-policy evaluation (what AssumeRole into a member obeys), the members'
options and seeds, and the organization's ground truth from its accounts'."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tools.sandbox.assume_role import trusts
from tools.sandbox.cost_lines import Line
from tools.sandbox.org import Member, check_members, member_fleet, member_seed
from tools.sandbox.org_truth import organization_truth

PAYER = "123456789012"
CALLER = {"*", PAYER, f"arn:aws:iam::{PAYER}:root", f"arn:aws:sts::{PAYER}:assumed-role/Admin/me",
          f"arn:aws:iam::{PAYER}:role/Admin"}
"""The principals an Admin session of the management account matches."""


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(principal: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal, **extra}


@pytest.mark.parametrize(("statement", "trusted"), [
    (_allow({"AWS": f"arn:aws:iam::{PAYER}:root"}), True),
    (_allow({"AWS": PAYER}), True),
    (_allow({"AWS": ["arn:aws:iam::210987654321:root", f"arn:aws:iam::{PAYER}:role/Admin"]}), True),
    (_allow("*"), True),
    (_allow({"AWS": "arn:aws:iam::210987654321:root"}), False),
    (_allow({"Service": "ec2.amazonaws.com"}), False),
    ({"Effect": "Allow", "Action": ["sts:TagSession"], "Principal": {"AWS": PAYER}}, False),
    ({"Effect": "Allow", "Action": ["sts:TagSession", "sts:AssumeRole"], "Principal": {"AWS": PAYER}}, True),
    (_allow({"AWS": PAYER}, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}), False),
])
def test_trust_policy_principals_and_actions(statement: dict[str, Any], trusted: bool) -> None:
    assert trusts(_policy(statement), CALLER, None) is trusted


def test_external_id_condition_and_deny() -> None:
    policy = _policy(_allow({"AWS": PAYER}, Condition={"StringEquals": {"sts:ExternalId": "finops-42"}}))
    assert [trusts(policy, CALLER, e) for e in ("finops-42", "other", None)] == [True, False, False]
    denied = _policy(_allow("*"), {"Effect": "Deny", "Action": "sts:*", "Principal": {"AWS": f"arn:aws:iam::{PAYER}:root"}})
    assert trusts(denied, CALLER, None) is False
    assert trusts(_policy(), CALLER, None) is False


def test_member_options_and_seeds() -> None:
    assert check_members(4, [3, 1, 1]) == (1, 3)
    assert check_members(0, ()) == ()
    for accounts, refuse in ((2, (2,)), (3, (-1,)), (-1, ()), (0, (0,))):
        with pytest.raises(ValueError, match="accounts|refuse"):
            check_members(accounts, refuse)
    assert [member_seed(7, i) for i in range(3)] == [70001, 70002, 70003]
    fleet = member_fleet(Member(1, "210987654321", "m", False), 6, ("us-east-1", "eu-west-1"), 7)
    assert (fleet.account_id, fleet.seed, fleet.regions, fleet.jitter) == (
        "210987654321", 70002, ("eu-west-1", "us-east-1"), "210987654321")
    assert [b.region for b in fleet.blocks] == ["eu-west-1"] and fleet.ec2_count == 6


def _truth(account_id: str, total: float, waste: list[dict[str, Any]], counts: dict[str, int]) -> dict[str, Any]:
    return {"account_id": account_id, "seed": 7, "variant": "standard", "regions": ["us-east-1"],
            "period": {"start": "2026-01-01", "end": "2026-01-30"}, "purchase_advice": {}, "reservations": [],
            "cost_totals": {"total": total, "by_service": {}, "by_region": {}}, "adjustments": {}, "monthly_spend": total,
            "waste": waste, "insufficient_data": [], "ignored": [], "counts": counts,
            "anomalies": [{"service": "AWS Lambda", "region": "us-east-1", "date": "2026-01-20", "driver": "USE1-x"}]}


def test_organization_truth_sums_accounts() -> None:
    payer = _truth(PAYER, 10.5, [{"resource_id": "i-1", "type": "idle_resource"}], {"ec2_instance": 2})
    member = Member(0, "210987654321", "sandbox-member-00", True)
    mine = _truth(member.account_id, 2.25, [{"resource_id": "i-2", "type": "idle_resource"}],
                  {"ec2_instance": 1, "s3_bucket": 1})
    lines = [Line(date(2026, 1, 5), "AWS Lambda", "us-east-1", "USE1-x", "NoInstanceType", ("", "", ""),
                  Decimal("10.50")),
             Line(date(2026, 1, 5), "AWS Lambda", "us-east-1", "USE1-x", "NoInstanceType", ("", "", ""),
                  Decimal("2.25"), account_id=member.account_id)]
    org = organization_truth(payer, "master", [(member, mine)], lines)
    assert org["cost_totals"] == {"total": 12.75, "by_service": {"AWS Lambda": 12.75}, "by_region": {"us-east-1": 12.75}}
    assert org["waste"] == [{"resource_id": "i-1", "type": "idle_resource", "account_id": PAYER},
                            {"resource_id": "i-2", "type": "idle_resource", "account_id": member.account_id}]
    assert org["counts"] == {"ec2_instance": 3, "s3_bucket": 1} and len(org["anomalies"]) == 1
    assert [(a["account_id"], a["name"], a["refuses_role"], a["cost_totals"]["total"]) for a in org["accounts"]] == [
        (PAYER, "master", False, 10.5), (member.account_id, "sandbox-member-00", True, 2.25)]
    assert org["account_id"] == PAYER and org["seed"] == 7
