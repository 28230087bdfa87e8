"""docs/iam-policy.json grants every AWS operation the code calls (found by reading the source with ast and
mapped to IAM actions through botocore's service models), and nothing that writes.

Many accounts (docs/many-accounts.md): docs/iam/caller-policy.json adds what the caller needs to list the
organization and assume the member role; the member role (the StackSet template and the Terraform module) grants
exactly what a shard asks of a member account, the same actions docs/iam-policy.json grants for those services."""

from __future__ import annotations

import ast
import json
import re
from functools import cache
from pathlib import Path

import boto3
import botocore.session
import pytest
import yaml
from botocore import xform_name
from moto import mock_aws

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "docs" / "iam-policy.json"
CALLER_POLICY = ROOT / "docs" / "iam" / "caller-policy.json"
STACKSET = ROOT / "docs" / "iam" / "member-role-stackset.yaml"
TERRAFORM = ROOT / "docs" / "iam" / "terraform" / "main.tf"
MEMBER_SERVICES = {"ec2", "autoscaling", "rds", "lambda", "s3", "cloudwatch"}
"""What a shard reads in a member account: its inventory and CloudWatch (Cost Explorer is asked at the payer)."""
CALLER_SERVICES = {"organizations", "sts"}
# The simulated account seeds moto with write calls; it never runs against a real account.
EXCLUDED = ("tools/sandbox/",)
IAM_PREFIX = {"bedrock-runtime": "bedrock"}
# Operations whose IAM action has another name (S3's legacy names, Bedrock's Converse) or that need none.
ACTION_NAMES = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketLifecycleConfiguration"): "s3:GetLifecycleConfiguration",
    ("s3", "ListMultipartUploads"): "s3:ListBucketMultipartUploads",
    ("s3", "HeadBucket"): "s3:ListBucket",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "ListObjects"): "s3:ListBucket",
    ("s3", "ListParts"): "s3:ListMultipartUploadParts",
    ("bedrock-runtime", "Converse"): "bedrock:InvokeModel",
    ("bedrock-runtime", "ConverseStream"): "bedrock:InvokeModelWithResponseStream",
    ("sts", "GetCallerIdentity"): None,  # allowed for every principal, no permission needed
}
# Method names that are not AWS calls in this code base: LangChain's `Runnable.invoke` (no Lambda is invoked).
NOT_AWS = {"invoke"}
# Calls made for us by a library: ChatBedrockConverse calls bedrock-runtime Converse.
LIBRARY_CALLS = {("bedrock-runtime", "Converse")}


@cache
def operations(service: str) -> dict[str, str]:
    """snake_case method name -> API operation name, from botocore's own service model."""
    model = botocore.session.get_session().get_service_model(service)
    return {xform_name(op): op for op in model.operation_names}


def sources() -> list[Path]:
    files = sorted([*ROOT.glob("tools/**/*.py"), *ROOT.glob("agent/**/*.py")])
    return [f for f in files if not any(part in f.relative_to(ROOT).as_posix() for part in EXCLUDED)]


def _client_services(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "client"
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.add(node.args[0].value)
    return found


def _names_called(tree: ast.AST) -> set[str]:
    """Method names called on anything, and string arguments (paginator and `paginate(client, "op")` names)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute):
                names.add(node.func.attr)
            names.update(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return names


@cache
def called_operations() -> frozenset[tuple[str, str]]:
    """(service, Operation) pairs the code calls: a method name or string argument is attributed to every
    service the code creates a client for whose botocore model has that operation."""
    trees = [ast.parse(f.read_text(), str(f)) for f in sources()]
    services: set[str] = set()
    for tree in trees:
        services |= _client_services(tree)
    names: set[str] = set()
    for tree in trees:
        names |= _names_called(tree)
    names -= NOT_AWS
    out = set(LIBRARY_CALLS)
    for service in services:
        ops = operations(service)
        for name in names:
            op = ops.get(name) or (name if name in ops.values() else None)
            if op:
                out.add((service, op))
    return frozenset(out)


def iam_action(service: str, operation: str) -> str | None:
    if (service, operation) in ACTION_NAMES:
        return ACTION_NAMES[(service, operation)]
    return f"{IAM_PREFIX.get(service, service)}:{operation}"

WRITE_VERBS = re.compile(r"^(Create|Delete|Modify|Put|Terminate|Stop|Start|Update|Attach|Detach|Run|Reboot|"
                         r"Release|Associate|Disassociate|Tag|Untag|Invoke(?!Model)|Restore|Copy|Purchase|Set)")


def _statement_actions(policy: dict) -> list[str]:
    assert policy["Version"] == "2012-10-17"
    actions: list[str] = []
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        actions += [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
    return actions


def _actions(path: Path = POLICY) -> list[str]:
    return _statement_actions(json.loads(path.read_text()))


def _stackset() -> dict:
    return yaml.safe_load(STACKSET.read_text())  # long-form intrinsics (Fn::Sub ...), so plain YAML reads it


def _stackset_member_actions() -> list[str]:
    (policy,) = _stackset()["Resources"]["Role"]["Properties"]["Policies"]
    return _statement_actions(policy["PolicyDocument"])


def _terraform_list(name: str) -> list[str]:
    block = re.search(rf"\n\s*{name}\s*=\s*\[(.*?)\]", TERRAFORM.read_text(), flags=re.S)
    assert block is not None, name
    return re.findall(r'"([^"]+)"', block.group(1))


def _needed(services: set[str]) -> set[str]:
    return {a for s, o in called_operations() if s in services and (a := iam_action(s, o)) is not None}


def test_every_operation_the_code_calls_is_granted() -> None:
    granted = set(_actions()) | set(_actions(CALLER_POLICY))
    called = called_operations()
    # The scan must see the core of the product, or it is not scanning anything.
    assert {("ce", "GetCostAndUsage"), ("cloudwatch", "GetMetricData"), ("ec2", "DescribeInstances"),
            ("rds", "DescribeDBInstances"), ("lambda", "ListFunctions")} <= called
    needed = {iam_action(s, o) for s, o in called} - {None}
    assert sorted(needed - granted) == []


@pytest.mark.parametrize("actions", [
    _actions(), _actions(CALLER_POLICY), _stackset_member_actions(), _terraform_list("member_read_actions"),
    _terraform_list("caller_org_actions")], ids=["policy", "caller", "stackset", "terraform", "terraform-caller"])
def test_policy_is_read_only_and_without_wildcards(actions: list[str]) -> None:
    assert len(actions) == len(set(actions))
    for action in actions:
        service, _, name = action.partition(":")
        assert re.fullmatch(r"[a-z0-9-]+", service) and re.fullmatch(r"[A-Za-z0-9]+", name), action
        assert not WRITE_VERBS.match(name), f"{action} is not read-only"


def test_policy_grants_nothing_the_code_does_not_call() -> None:
    needed = {iam_action(s, o) for s, o in called_operations()} - {None}
    # GetCredentials is what ExecuteStatement on a Redshift Serverless workgroup needs under the hood.
    assert sorted(set(_actions()) - needed) == ["redshift-serverless:GetCredentials"]
    assert sorted(set(_actions(CALLER_POLICY)) - needed) == []


def test_the_member_role_grants_exactly_what_a_shard_asks_of_a_member() -> None:
    member = _needed(MEMBER_SERVICES)
    assert "cloudwatch:GetMetricData" in member and "ec2:DescribeInstances" in member and len(member) == 17
    assert sorted(_stackset_member_actions()) == sorted(member)
    assert sorted(_terraform_list("member_read_actions")) == sorted(member)
    assert sorted(a for a in _actions() if a.split(":")[0] in MEMBER_SERVICES) == sorted(member)


def test_the_caller_lists_the_organization_and_assumes_only_the_member_role() -> None:
    assert sorted(_actions(CALLER_POLICY)) == sorted(_needed(CALLER_SERVICES)) == [
        "organizations:DescribeOrganization", "organizations:ListAccounts", "sts:AssumeRole"]
    assert sorted([*_terraform_list("caller_org_actions"), "sts:AssumeRole"]) == sorted(_actions(CALLER_POLICY))
    statements = {st["Sid"]: st for st in json.loads(CALLER_POLICY.read_text())["Statement"]}
    assert statements["AssumeTheMemberRole"]["Resource"] == "arn:aws:iam::*:role/OptiInfraCostReadOnly"
    assert 'resources = ["arn:${data.aws_partition.current.partition}:iam::*:role/${var.role_name}"]' in (
        TERRAFORM.read_text())


def test_the_stackset_template_creates_the_member_role() -> None:
    """Created by moto's CloudFormation: the trust is the agent's account with its external id, the policy the
    member actions, the session as long as the agent asks."""
    parameters = {"TrustedAccountId": "111122223333", "ExternalId": "ext-7f3a9c", "MaxSessionDuration": "7200"}
    with mock_aws():
        cloudformation = boto3.client("cloudformation", "us-east-1")
        cloudformation.create_stack(StackName="optiinfra-member", TemplateBody=STACKSET.read_text(),
                                    Capabilities=["CAPABILITY_NAMED_IAM"],
                                    Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()])
        iam = boto3.client("iam", "us-east-1")
        role = iam.get_role(RoleName="OptiInfraCostReadOnly")["Role"]
        policy = iam.get_role_policy(RoleName="OptiInfraCostReadOnly", PolicyName="OptiInfraCostRead")
    assert role["AssumeRolePolicyDocument"]["Statement"] == [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "ext-7f3a9c"}}}]
    assert role["MaxSessionDuration"] == 7200
    document = policy["PolicyDocument"]
    # moto keeps a CloudFormation-made inline policy as the Python repr of its dict, not JSON
    document = ast.literal_eval(document) if isinstance(document, str) else document
    assert sorted(_statement_actions(document)) == sorted(_needed(MEMBER_SERVICES))


def test_the_documentation_embeds_the_same_policy() -> None:
    doc = (ROOT / "docs" / "aws-collector.md").read_text()
    block = re.search(r"```json\n(\{\n  \"Version\": \"2012-10-17\".*?)\n```", doc, flags=re.S)
    assert block is not None
    assert json.loads(block.group(1)) == json.loads(Path(POLICY).read_text())
