"""The simulated organization as a real subprocess: Organizations lists every account, the member role works in the
members that trust the management account and is denied, as AWS denies it, in the one that does not, each member
holds its own fleet and history, and Cost Explorer answers per linked account to the cent of the ground truth."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

ROOT = Path(__file__).resolve().parents[2]
PAYER = "123456789012"
ROLE = "OptiInfraCostReadOnly"
USAGE = {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Usage", "DiscountedUsage", "SavingsPlanCoveredUsage"]}}
"""docs/money.md's usage basis: what the ground truth's cost_totals sum."""
RUN = """
import json, sys
from pathlib import Path
from tools.sandbox.core import Sandbox
out = Path(sys.argv[1])
with Sandbox(scale={scale}, accounts={accounts}, refuse={refuse}, member_scale={member_scale}) as sandbox:
    truth = sandbox.write_ground_truth(out)
    ready = {{"env": sandbox.env, "ground_truth_path": str(truth), "timings": sandbox.timings}}
    (out / "ready.tmp").write_text(json.dumps(ready))
    (out / "ready.tmp").replace(out / "ready.json")
    if {serve}:
        sys.stdin.read()  # serve until the test closes stdin
"""


def _start(out: Path, serve: bool = True, **options: Any) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """The sandbox in a subprocess (never in the test process: moto's state is shared with mock_aws)."""
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")}
    with (out / "log").open("w") as log:  # the child keeps its own descriptor
        proc = subprocess.Popen([sys.executable, "-c", RUN.format(serve=serve, **options), str(out)], cwd=ROOT,
                                env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log, text=True)
    deadline = time.monotonic() + 90
    while not (out / "ready.json").is_file():
        if proc.poll() is not None:
            pytest.fail(f"sandbox exited with {proc.returncode}: {(out / 'log').read_text()[-3000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("organization sandbox not ready within 90 s")
        time.sleep(0.1)
    return proc, json.loads((out / "ready.json").read_text())


def _stop(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.close()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A management account of 8 instances and 3 members of 6, member 1 refusing the role."""
    proc, ready = _start(tmp_path_factory.mktemp("org"), scale=8, accounts=3, refuse=(1,), member_scale=6)
    try:
        yield ready | {"truth": json.loads(Path(ready["ground_truth_path"]).read_text())}
    finally:
        _stop(proc)


def _client(org: Any, service: str, credentials: dict[str, str] | None = None, region: str = "us-east-1") -> Any:
    keys = {"aws_access_key_id": "sandbox", "aws_secret_access_key": "sandbox"} if credentials is None else {
        "aws_access_key_id": credentials["AccessKeyId"], "aws_secret_access_key": credentials["SecretAccessKey"],
        "aws_session_token": credentials["SessionToken"]}
    endpoint = org["env"]["AWS_ENDPOINT_URL_COST_EXPLORER" if service == "ce" else "AWS_ENDPOINT_URL"]
    return boto3.client(service, region_name=region, endpoint_url=endpoint, **keys)


def _assume(org: Any, account_id: str, role: str = ROLE) -> dict[str, str]:
    return _client(org, "sts").assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{role}",
                                           RoleSessionName="cost-agent")["Credentials"]


def _instance_ids(truth_account: dict[str, Any]) -> set[str]:
    named = [w["resource_id"] for w in truth_account["waste"]] + truth_account["ignored"]
    return {r for r in named + truth_account["insufficient_data"] if r.startswith("i-")}


def test_organizations_lists_every_account_active(org: Any) -> None:
    truth = org["truth"]
    pages = _client(org, "organizations").get_paginator("list_accounts").paginate()
    listed = [a for page in pages for a in page["Accounts"]]
    assert sorted((a["Id"], a["Name"], a["Status"]) for a in listed) == sorted(
        (a["account_id"], a["name"], "ACTIVE") for a in truth["accounts"])
    assert len(listed) == 4 and truth["accounts"][0]["account_id"] == PAYER
    assert [a["refuses_role"] for a in truth["accounts"]] == [False, False, True, False]
    assert org["env"]["AWS_ACCOUNTS"] == "organization"


def test_member_role_reads_only_that_members_fleet_and_history(org: Any) -> None:
    accounts = org["truth"]["accounts"]
    for member in (accounts[1], accounts[3]):
        credentials = _assume(org, member["account_id"])
        who = _client(org, "sts", credentials).get_caller_identity()
        assert who["Arn"] == f"arn:aws:sts::{member['account_id']}:assumed-role/{ROLE}/cost-agent"
        found: set[str] = set()
        for region in member["regions"]:
            pages = _client(org, "ec2", credentials, region).get_paginator("describe_instances").paginate()
            found |= {i["InstanceId"] for page in pages for r in page["Reservations"] for i in r["Instances"]}
        others = set().union(*(_instance_ids(a) for a in accounts if a is not member))
        assert len(found) == member["counts"]["ec2_instance"] == 6
        assert _instance_ids(member) <= found and not found & others
        idle = next(w for w in member["waste"] if w["type"] == "idle_resource" and w["resource_id"].startswith("i-")
                    and "stopped" not in w["reason"])
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        answer = _client(org, "cloudwatch", credentials, idle["region"]).get_metric_data(
            StartTime=today - timedelta(days=14), EndTime=today, MetricDataQueries=[{"Id": "cpu", "MetricStat": {
                "Metric": {"Namespace": "AWS/EC2", "MetricName": "CPUUtilization",
                           "Dimensions": [{"Name": "InstanceId", "Value": idle["resource_id"]}]},
                "Period": 86400, "Stat": "Average"}}])
        values = answer["MetricDataResults"][0]["Values"]
        assert len(values) == 14 and all(1.0 <= v <= 2.0 for v in values)
    payer = _client(org, "ec2")
    mine = {i["InstanceId"] for r in payer.describe_instances()["Reservations"] for i in r["Instances"]}
    assert len(mine) == accounts[0]["counts"]["ec2_instance"] == 8 and _instance_ids(accounts[0]) <= mine


def test_refusing_member_denies_assume_role_as_aws_does(org: Any) -> None:
    refusing = org["truth"]["accounts"][2]
    caller = _client(org, "sts").get_caller_identity()["Arn"]
    with pytest.raises(ClientError) as denied:
        _assume(org, refusing["account_id"])
    error = denied.value.response["Error"]
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert (error["Code"], error["Message"]) == ("AccessDenied", (
        f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: "
        f"arn:aws:iam::{refusing['account_id']}:role/{ROLE}"))
    # the role is there: its trust policy trusts the member itself, not the management account
    admin = _assume(org, refusing["account_id"], "OrganizationAccountAccessRole")
    role = _client(org, "iam", admin).get_role(RoleName=ROLE)["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{refusing['account_id']}:root"}
    # a session in another member is refused too, under its own name
    session = _client(org, "sts", _assume(org, org["truth"]["accounts"][1]["account_id"]))
    with pytest.raises(ClientError) as again:
        session.assume_role(RoleArn=f"arn:aws:iam::{refusing['account_id']}:role/{ROLE}", RoleSessionName="hop")
    assert again.value.response["Error"]["Message"].startswith(
        f"User: arn:aws:sts::{org['truth']['accounts'][1]['account_id']}:assumed-role/{ROLE}/cost-agent is not")


def _period(truth: dict[str, Any]) -> dict[str, str]:
    end = date.fromisoformat(truth["period"]["end"]) + timedelta(days=1)
    return {"Start": truth["period"]["start"], "End": end.isoformat()}


def _grouped(org: Any, group_by: list[dict[str, str]], expr: dict[str, Any]) -> dict[tuple[str, ...], Decimal]:
    ce = _client(org, "ce")
    answer = ce.get_cost_and_usage(TimePeriod=_period(org["truth"]), Granularity="MONTHLY", Metrics=["AmortizedCost"],
                                   Filter=expr, GroupBy=group_by)
    assert "NextPageToken" not in answer
    Stubber(boto3.client("ce", region_name="us-east-1")).add_response(
        "get_cost_and_usage", {k: v for k, v in answer.items() if k != "ResponseMetadata"})
    sums: dict[tuple[str, ...], Decimal] = defaultdict(Decimal)
    for result in answer["ResultsByTime"]:
        for group in result["Groups"]:
            sums[tuple(group["Keys"])] += Decimal(group["Metrics"]["AmortizedCost"]["Amount"])
    return dict(sums)


def _cents(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_cost_explorer_groups_by_linked_account_to_the_cent(org: Any) -> None:
    truth = org["truth"]
    by_account = _grouped(org, [{"Type": "DIMENSION", "Key": "LINKED_ACCOUNT"}], USAGE)
    assert by_account == {(a["account_id"],): _cents(a["cost_totals"]["total"]) for a in truth["accounts"]}
    assert sum(by_account.values()) == _cents(truth["cost_totals"]["total"])
    by_service = _grouped(org, [{"Type": "DIMENSION", "Key": "LINKED_ACCOUNT"}, {"Type": "DIMENSION", "Key": "SERVICE"}],
                          USAGE)
    assert by_service == {(a["account_id"], s): _cents(v) for a in truth["accounts"]
                          for s, v in a["cost_totals"]["by_service"].items()}
    names = _client(org, "ce").get_cost_and_usage(
        TimePeriod=_period(truth), Granularity="MONTHLY", Metrics=["UnblendedCost"],
        GroupBy=[{"Type": "DIMENSION", "Key": "LINKED_ACCOUNT"}])["DimensionValueAttributes"]
    assert names == [{"Value": a["account_id"], "Attributes": {"description": a["name"]}}
                     for a in sorted(truth["accounts"], key=lambda a: a["account_id"])]


def test_cost_explorer_filters_on_linked_account(org: Any) -> None:
    truth = org["truth"]
    member = truth["accounts"][3]
    only = {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": [member["account_id"]]}}
    by_region = _grouped(org, [{"Type": "DIMENSION", "Key": "REGION"}], {"And": [USAGE, only]})
    assert by_region == {(r,): _cents(v) for r, v in member["cost_totals"]["by_region"].items()}
    assert sum(by_region.values()) == _cents(member["cost_totals"]["total"])
    rest = _grouped(org, [{"Type": "DIMENSION", "Key": "LINKED_ACCOUNT"}], {"And": [USAGE, {"Not": only}]})
    assert rest == {(a["account_id"],): _cents(a["cost_totals"]["total"]) for a in truth["accounts"] if a is not member}


def test_ground_truth_of_the_organization(org: Any) -> None:
    truth = org["truth"]
    accounts = truth["accounts"]
    assert truth["waste"] == [w for a in accounts for w in a["waste"]]
    assert all(w["account_id"] == a["account_id"] for a in accounts for w in a["waste"])
    assert truth["counts"] == dict(sum((Counter(a["counts"]) for a in accounts), Counter()))
    assert _cents(truth["cost_totals"]["total"]) == sum(_cents(a["cost_totals"]["total"]) for a in accounts)
    members = [a["cost_totals"]["total"] for a in accounts[1:]]
    assert len(set(members)) == 3, "each member's usage has its own jitter"
    assert [a["regions"] for a in accounts[1:]] == [["us-east-1", "eu-west-1"], ["eu-west-1", "us-east-1"],
                                                    ["us-east-1", "eu-west-1"]]


def test_member_ids_are_stable_for_a_seed(org: Any, tmp_path: Path) -> None:
    proc, ready = _start(tmp_path, serve=False, scale=1, accounts=3, refuse=(), member_scale=1)
    _stop(proc)
    again = json.loads(Path(ready["ground_truth_path"]).read_text())
    assert [a["account_id"] for a in again["accounts"]] == [a["account_id"] for a in org["truth"]["accounts"]]
