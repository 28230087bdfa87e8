"""Many accounts (tools/aws/org): AWS_ACCOUNTS in its three forms, Organizations paged, the member role assumed
once per account with its external id and duration, and a member that refuses it (moto in-process)."""

from __future__ import annotations

import logging
from urllib.parse import unquote

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from tools.aws.org import Account, AccountDiscoveryError, AccountSessions, AccountUnavailable, discover_accounts
from tools.settings import ConfigError, load_settings

CALLER = "123456789012"  # moto's default account: the management account once it creates the organization


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: object):
        yield self._body


def access_denied(account_id: str, role: str = "OptiInfraCostReadOnly") -> bytes:
    """STS's own error body (query protocol), parsed by botocore as it would parse AWS's."""
    return (f'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
            f"<Code>AccessDenied</Code><Message>User: arn:aws:iam::{CALLER}:user/agent is not authorized to perform: "
            f"sts:AssumeRole on resource: arn:aws:iam::{account_id}:role/{role}</Message></Error>"
            f"<RequestId>r-1</RequestId></ErrorResponse>").encode()


def refuse_role_of(sessions: AccountSessions, account_id: str) -> list[str]:
    """Make that member's AssumeRole answer 403 AccessDenied (before it leaves the caller's STS client)."""
    refused: list[str] = []

    def handler(request, **_):
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
        if f":iam::{account_id}:role/" in unquote(body):
            refused.append(account_id)
            return AWSResponse(request.url, 403, {}, _Raw(access_denied(account_id)))
        return None

    sessions.factory.client("sts").meta.events.register_first("before-send.sts.AssumeRole", handler)
    return refused


@pytest.fixture
def organization():
    """An organization whose management account is the caller's: yields (organizations client, member ids)."""
    with mock_aws():
        org = boto3.client("organizations", "us-east-1")
        org.create_organization(FeatureSet="ALL")
        ids = [org.create_account(AccountName=f"member-{i:02d}", Email=f"m{i}@example.com")
               ["CreateAccountStatus"]["AccountId"] for i in range(3)]
        yield org, ids


def ledger(sessions: AccountSessions) -> dict[str, int]:
    return sessions.factory.ledger.by_operation()


# ---------------------------------------------------------------- settings
@pytest.mark.parametrize(("value", "parsed"), [
    ("organization", "organization"), ("Organization", "organization"), ("", None),
    (" 111122223333, 444455556666 ,111122223333", ["111122223333", "444455556666"]),
])
def test_accounts_setting_forms(monkeypatch, value, parsed):
    monkeypatch.setenv("AWS_ACCOUNTS", value)
    assert load_settings().aws_accounts == parsed


@pytest.mark.parametrize(("variable", "value", "line"), [
    ("AWS_ACCOUNTS", "111122223333,prod", "AWS_ACCOUNTS: expected 'organization', or a comma-separated list of "
                                         "12-digit AWS account ids such as 111122223333,444455556666, got "
                                         "'111122223333,prod'"),
    ("AWS_ACCOUNTS", "11112222333", "AWS_ACCOUNTS: expected 'organization', or a comma-separated list of 12-digit "
                                    "AWS account ids such as 111122223333,444455556666, got '11112222333'"),
    ("AWS_ORG_SESSION_SECONDS", "600", "AWS_ORG_SESSION_SECONDS: expected a whole number of seconds between 900 "
                                       "and 43200, got '600'"),
    ("AWS_ORG_ROLE_NAME", "role/with/slashes", "AWS_ORG_ROLE_NAME: expected an IAM role name (letters, digits and "
                                               "+=,.@_-, at most 64 characters), got 'role/with/slashes'"),
    ("AWS_ORG_INCLUDE_MANAGEMENT", "perhaps", "AWS_ORG_INCLUDE_MANAGEMENT: expected true or false, got 'perhaps'"),
    ("EXECUTOR", "dask", "EXECUTOR: expected one of inprocess, celery, got 'dask'"),
    ("AWS_ORG_EXTERNAL_ID", "has spaces in it", "AWS_ORG_EXTERNAL_ID: expected 2 to 1224 characters of letters, "
                                                "digits and +=,.@:/-_"),
    ("CELERY_BROKER_URL", "http://user:pw@host/", "CELERY_BROKER_URL: expected redis://host:port/db or "
                                                  "amqp://user:password@host:port/vhost"),
])
def test_bad_many_accounts_settings_say_what_to_fix(monkeypatch, variable, value, line):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value) == line


def test_many_accounts_defaults():
    s = load_settings()
    assert (s.aws_accounts, s.aws_org_role_name, s.aws_org_external_id, s.aws_org_session_seconds,
            s.aws_org_include_management, s.executor) == (None, "OptiInfraCostReadOnly", None, 3600, True, "inprocess")


# ---------------------------------------------------------------- discovery
def test_unset_reads_the_callers_account_only():
    with mock_aws():
        sessions = AccountSessions(load_settings())
        assert discover_accounts(sessions) == [Account(account_id=CALLER, caller=True)]
        assert ledger(sessions) == {"sts:GetCallerIdentity": 1}


def test_an_explicit_list_is_taken_as_given_and_the_callers_account_is_marked(organization):
    _, ids = organization
    sessions = AccountSessions(load_settings(aws_accounts=f"{ids[1]},{CALLER}"))
    assert discover_accounts(sessions) == [Account(account_id=CALLER, caller=True), Account(account_id=ids[1])]
    assert ledger(sessions) == {"sts:GetCallerIdentity": 1}  # no Organizations call


def test_organization_lists_every_active_account_over_pages(organization):
    org, ids = organization
    ids += [org.create_account(AccountName=f"member-{i:02d}", Email=f"m{i}@example.com")
            ["CreateAccountStatus"]["AccountId"] for i in range(3, 24)]
    org.close_account(AccountId=ids[5])  # SUSPENDED: listed, not read
    sessions = AccountSessions(load_settings(aws_accounts="organization"))
    accounts = discover_accounts(sessions)
    expected_members = sorted(set(ids) - {ids[5]})
    assert [a.account_id for a in accounts] == [CALLER, *expected_members]
    assert len(accounts) == 24 and accounts[0] == Account(account_id=CALLER, name="master", caller=True)
    assert {a.name for a in accounts if a.account_id == ids[7]} == {"member-07"}
    assert ledger(sessions) == {"organizations:ListAccounts": 2, "sts:GetCallerIdentity": 1}  # 25 = 20 + 5


def test_the_management_account_can_be_left_out(organization):
    _, ids = organization
    sessions = AccountSessions(load_settings(aws_accounts="organization", aws_org_include_management=False))
    assert [a.account_id for a in discover_accounts(sessions)] == sorted(ids)
    assert ledger(sessions) == {"organizations:DescribeOrganization": 1, "organizations:ListAccounts": 1,
                                "sts:GetCallerIdentity": 1}


def test_a_member_account_may_not_list_the_organization_and_is_told_what_to_do(organization):
    sessions = AccountSessions(load_settings(aws_accounts="organization"))
    denied = (b'{"__type": "AccessDeniedException", "Message": "You don\'t have permissions to access this '
              b'resource."}')
    sessions.factory.client("organizations").meta.events.register_first(
        "before-send.organizations.ListAccounts",
        lambda request, **_: AWSResponse(request.url, 400, {"x-amzn-ErrorType": "AccessDeniedException"},
                                         _Raw(denied)))
    with pytest.raises(AccountDiscoveryError) as error:
        discover_accounts(sessions)
    assert str(error.value) == (
        "AWS_ACCOUNTS=organization: Organizations refused to list the accounts (AccessDeniedException); "
        "run from the management account or a delegated administrator, or set AWS_ACCOUNTS to a list of account ids")
    assert ledger(sessions) == {"organizations:ListAccounts": 1, "sts:GetCallerIdentity": 1}


def test_an_organization_without_an_active_account_is_an_error(organization):
    org, ids = organization
    sessions = AccountSessions(load_settings(aws_accounts="organization", aws_org_include_management=False))
    for account_id in ids:
        org.close_account(AccountId=account_id)
    with pytest.raises(AccountDiscoveryError) as error:
        discover_accounts(sessions)
    assert str(error.value) == ("AWS_ACCOUNTS=organization: Organizations listed 4 accounts and none is ACTIVE "
                                "(and to be read): nothing to collect")


# ---------------------------------------------------------------- sessions
def test_the_member_role_is_assumed_once_with_its_external_id_and_duration(organization, caplog):
    caplog.set_level(logging.DEBUG, logger="tools")
    _, ids = organization
    settings = load_settings(aws_accounts="organization", aws_org_role_name="FinOpsRead",
                             aws_org_external_id="ext-7f3a9c", aws_org_session_seconds=900)
    sessions = AccountSessions(settings)
    sent: list[dict] = []
    sessions.factory.client("sts").meta.events.register(
        "before-parameter-build.sts.AssumeRole", lambda params, **_: sent.append(dict(params)))
    member = sessions.session(ids[0])
    assert member.client("sts").get_caller_identity()["Account"] == ids[0]
    credentials = sessions.credentials(ids[0])
    for _ in range(3):  # a 15-minute session does not refresh on every use (botocore's margin is 15 minutes)
        credentials.get_frozen_credentials()
        sessions.session(ids[0])
    assert sent == [{"RoleArn": f"arn:aws:iam::{ids[0]}:role/FinOpsRead", "RoleSessionName": "optiinfra-cost-agent",
                     "DurationSeconds": 900, "ExternalId": "ext-7f3a9c"}]
    assert ledger(sessions) == {"sts:AssumeRole": 1, "sts:GetCallerIdentity": 1}
    assert sessions.credentials(CALLER) is sessions.base.get_credentials()  # the caller's own, no role
    assert "ext-7f3a9c" not in caplog.text


def test_a_member_refusing_the_role_is_account_unavailable(organization):
    _, ids = organization
    sessions = AccountSessions(load_settings())
    refused = refuse_role_of(sessions, ids[1])
    with pytest.raises(AccountUnavailable) as error:
        sessions.session(ids[1])
    assert error.value.account_id == ids[1]
    assert str(error.value.cause) == (
        f"An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:iam::{CALLER}:user/"
        f"agent is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{ids[1]}:role/"
        "OptiInfraCostReadOnly")
    assert sessions.session(ids[2]).client("sts").get_caller_identity()["Account"] == ids[2]
    assert refused == [ids[1]]  # AccessDenied is not retried


def test_sessions_are_not_shared_across_endpoints(monkeypatch) -> None:
    # Credentials one STS endpoint issued mean nothing to another: a process that moves to other endpoints (a
    # second simulated organization, a test after a test) gets new sessions.
    from tools.aws.org import shared_sessions
    from tools.settings import load_settings

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
    first = shared_sessions(load_settings())
    assert shared_sessions(load_settings()) is first
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:2")
    assert shared_sessions(load_settings()) is not first
