"""docs/iam-policy.json grants every AWS operation the code calls (found by reading the source with ast and
mapped to IAM actions through botocore's service models), and nothing that writes."""

from __future__ import annotations

import ast
import json
import re
from functools import cache
from pathlib import Path

import botocore.session
from botocore import xform_name

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "docs" / "iam-policy.json"
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


def called_operations() -> set[tuple[str, str]]:
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
    return out


def iam_action(service: str, operation: str) -> str | None:
    if (service, operation) in ACTION_NAMES:
        return ACTION_NAMES[(service, operation)]
    return f"{IAM_PREFIX.get(service, service)}:{operation}"

WRITE_VERBS = re.compile(r"^(Create|Delete|Modify|Put|Terminate|Stop|Start|Update|Attach|Detach|Run|Reboot|"
                         r"Release|Associate|Disassociate|Tag|Untag|Invoke(?!Model)|Restore|Copy|Purchase|Set)")


def _actions() -> list[str]:
    policy = json.loads(POLICY.read_text())
    assert policy["Version"] == "2012-10-17"
    actions: list[str] = []
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        actions += statement["Action"]
    return actions


def test_every_operation_the_code_calls_is_granted() -> None:
    granted = set(_actions())
    called = called_operations()
    # The scan must see the core of the product, or it is not scanning anything.
    assert {("ce", "GetCostAndUsage"), ("cloudwatch", "GetMetricData"), ("ec2", "DescribeInstances"),
            ("rds", "DescribeDBInstances"), ("lambda", "ListFunctions")} <= called
    needed = {iam_action(s, o) for s, o in called} - {None}
    assert sorted(needed - granted) == []


def test_policy_is_read_only_and_without_wildcards() -> None:
    actions = _actions()
    assert len(actions) == len(set(actions))
    for action in actions:
        service, _, name = action.partition(":")
        assert re.fullmatch(r"[a-z0-9-]+", service) and re.fullmatch(r"[A-Za-z0-9]+", name), action
        assert not WRITE_VERBS.match(name), f"{action} is not read-only"


def test_policy_grants_nothing_the_code_does_not_call() -> None:
    needed = {iam_action(s, o) for s, o in called_operations()} - {None}
    # GetCredentials is what ExecuteStatement on a Redshift Serverless workgroup needs under the hood.
    assert sorted(set(_actions()) - needed) == ["redshift-serverless:GetCredentials"]


def test_the_documentation_embeds_the_same_policy() -> None:
    doc = (ROOT / "docs" / "aws-collector.md").read_text()
    block = re.search(r"```json\n(\{\n  \"Version\": \"2012-10-17\".*?)\n```", doc, flags=re.S)
    assert block is not None
    assert json.loads(block.group(1)) == json.loads(Path(POLICY).read_text())
