"""STS AssumeRole into the organization's members as AWS answers it: the role's trust policy decides.

moto's AssumeRole hands out credentials for any role ARN, existing or not, whatever its trust policy says. In front
of moto's server, for a role in one of the `guarded` accounts (the organization's members), `enforce_trust` reads
the role's trust policy from moto's IAM backend and evaluates it for the caller as IAM does: an Allow statement for
`sts:AssumeRole` whose AWS principal is `*`, the caller's account (id or root ARN), the caller's ARN or, for an
assumed-role session, its role's ARN, and whose `StringEquals` `sts:ExternalId` condition (the only condition key
evaluated; a statement with another one grants nothing) matches the request's ExternalId; a matching Deny wins.
When nothing grants it, or the role does not exist, the answer is AWS's: HTTP 403, an STS XML ErrorResponse with
Code AccessDenied and "User: <caller ARN> is not authorized to perform: sts:AssumeRole on resource: <role ARN>".
Every other request reaches moto untouched.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Callable, Collection, Iterable
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from moto.iam.exceptions import NotFoundException
from moto.iam.models import get_account_id_from, iam_backends
from moto.sts.models import sts_backends

_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/sts/aws4_request")
_ROLE_ARN = re.compile(r"^arn:aws:iam::(\d{12}):role/(?:.*/)?([\w+=,.@-]+)$")
_SESSION_ARN = re.compile(r"^arn:aws:sts::(\d{12}):assumed-role/([\w+=,.@-]+)/")
WsgiApp = Callable[..., Iterable[bytes]]


def _form(environ: dict[str, Any]) -> dict[str, str]:
    """The query-protocol parameters (body and query string); the body is put back for moto."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    params = parse_qs(environ.get("QUERY_STRING", "")) | parse_qs(body.decode("utf-8", "replace"))
    return {k: v[0] for k, v in params.items()}


def caller_principals(access_key: str, region: str) -> tuple[str, set[str]]:
    """(the caller's ARN as STS GetCallerIdentity names it, every principal string that designates the caller)."""
    account = get_account_id_from(access_key)
    _, arn, _ = sts_backends[account]["aws"].get_caller_identity(access_key, region)
    names = {"*", account, f"arn:aws:iam::{account}:root", arn}
    session = _SESSION_ARN.match(arn)
    if session:
        names.add(f"arn:aws:iam::{session.group(1)}:role/{session.group(2)}")
    return arn, names


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _applies(statement: dict[str, Any], principals: set[str], external_id: str | None) -> bool:
    actions = {a.lower() for a in _listed(statement.get("Action", []))}
    if not actions & {"sts:assumerole", "sts:*", "*"}:
        return False
    principal = statement.get("Principal", {})
    named = {"*"} if principal == "*" else {str(p) for p in _listed(principal.get("AWS", []))}
    if not named & principals:
        return False
    condition = statement.get("Condition", {})
    if not condition:
        return True
    if set(condition) != {"StringEquals"} or set(condition["StringEquals"]) != {"sts:ExternalId"}:
        return False
    return external_id in {str(v) for v in _listed(condition["StringEquals"]["sts:ExternalId"])}


def trusts(policy: str, principals: set[str], external_id: str | None) -> bool:
    """Whether a trust policy lets one of `principals` call sts:AssumeRole (a matching Deny wins)."""
    statements = _listed(json.loads(policy).get("Statement", []))
    matching = [s for s in statements if _applies(s, principals, external_id)]
    return bool(matching) and all(s.get("Effect") == "Allow" for s in matching)


def _role_policy(account_id: str, role_arn: str) -> str | None:
    try:
        return iam_backends[account_id]["aws"].get_role_by_arn(role_arn).assume_role_policy_document
    except NotFoundException:
        return None


def _access_denied(caller_arn: str, role_arn: str, start_response: Callable[..., Any]) -> list[bytes]:
    message = f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
    body = ('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <Error>\n    <Type>Sender</Type>\n'
            f'    <Code>AccessDenied</Code>\n    <Message>{escape(message)}</Message>\n  </Error>\n'
            f'  <RequestId>{uuid.uuid4()}</RequestId>\n</ErrorResponse>\n').encode()
    start_response("403 Forbidden", [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
    return [body]


def enforce_trust(app: WsgiApp, guarded: Collection[str]) -> WsgiApp:
    """`app` (moto's server), but AssumeRole into a role of a `guarded` account obeys the role's trust policy.
    `guarded` is read at each request: the organization fills it in after the server has started."""
    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        scope = _SCOPE.search(str(environ.get("HTTP_AUTHORIZATION", "")))
        if scope and guarded:
            params = _form(environ)
            target = _ROLE_ARN.match(params.get("RoleArn", ""))
            if params.get("Action") == "AssumeRole" and target and target.group(1) in guarded:
                caller_arn, principals = caller_principals(scope.group(1), scope.group(2))
                policy = _role_policy(target.group(1), params["RoleArn"])
                if policy is None or not trusts(policy, principals, params.get("ExternalId")):
                    return _access_denied(caller_arn, params["RoleArn"], start_response)
        return app(environ, start_response)

    return wrapped
