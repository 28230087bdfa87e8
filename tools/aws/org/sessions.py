"""A session per account: the caller's own credentials for its own account, the member role elsewhere.

Member credentials come from sts:AssumeRole of arn:<partition>:iam::<id>:role/<AWS_ORG_ROLE_NAME> (with
AWS_ORG_EXTERNAL_ID when set, for AWS_ORG_SESSION_SECONDS), asked once per account and process and refreshed by
botocore before they expire. The first AssumeRole is made at once, so a member that refuses the role is known
before any of its requests (`AccountUnavailable`), never as a failure of each of its services.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import boto3
import botocore.session
from botocore.credentials import Credentials, RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from botocore.loaders import create_loader

from tools.aws.clients import ClientFactory
from tools.aws.ledger import CallLedger
from tools.aws.org.limits import CallLimits, LimitedClientFactory
from tools.aws.session import ROLE_SESSION_NAME, make_session
from tools.settings import Settings

# Service models are read once per process, not once per account session (about 0.2 s each otherwise).
_LOADER = create_loader()


class AccountUnavailable(Exception):
    """The account cannot be read: its role could not be assumed (or, for the caller, no credentials)."""

    def __init__(self, account_id: str, cause: BaseException) -> None:
        super().__init__(f"account {account_id}: {type(cause).__name__}: {cause}")
        self.account_id = account_id
        self.cause = cause


class AccountSessions:
    """Credentials per account, cached for the process; `session(id)` is a new boto3 Session each time (boto3
    sessions are not thread-safe), sharing those credentials and the service models."""

    def __init__(self, settings: Settings, base: boto3.Session | None = None,
                 ledger: CallLedger | None = None) -> None:
        self.settings = settings
        self.base = base or make_session(settings)
        self.factory = ClientFactory(settings, session=self.base, ledger=ledger)
        """The caller's clients (STS, Organizations): counted in its own ledger."""
        self._credentials: dict[str, Credentials] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def caller_account_id(self) -> str:
        """The account of the caller's own credentials (STS GetCallerIdentity, once)."""
        return self.factory.account_id()

    def role_arn(self, account_id: str) -> str:
        partition = self.base.get_partition_for_region(self.settings.aws_default_region)
        return f"arn:{partition}:iam::{account_id}:role/{self.settings.aws_org_role_name}"

    def credentials(self, account_id: str) -> Credentials:
        """The caller's credentials for its own account, the member role's elsewhere; raises AccountUnavailable."""
        with self._lock:
            lock = self._locks.setdefault(account_id, threading.Lock())
        with lock:  # one AssumeRole per account, however many of its shards start at once
            if account_id not in self._credentials:
                self._credentials[account_id] = self._resolve(account_id)
            return self._credentials[account_id]

    def forget(self, account_id: str) -> None:
        """Drop an account's cached credentials (the next shard assumes its role again)."""
        with self._lock:
            self._credentials.pop(account_id, None)

    def _resolve(self, account_id: str) -> Credentials:
        try:
            if account_id == self.caller_account_id():
                own = self.base.get_credentials()
                if own is None:
                    raise NoCredentialsError()
                return own
            return self._assume(account_id)
        except (ClientError, BotoCoreError) as exc:
            raise AccountUnavailable(account_id, exc) from exc

    def _assume(self, account_id: str) -> RefreshableCredentials:
        seconds = self.settings.aws_org_session_seconds
        params: dict[str, Any] = {"RoleArn": self.role_arn(account_id), "RoleSessionName": ROLE_SESSION_NAME,
                                  "DurationSeconds": seconds}
        if self.settings.aws_org_external_id is not None:
            params["ExternalId"] = self.settings.aws_org_external_id.get_secret_value()
        sts = self.factory.client("sts")

        def fetch() -> dict[str, Any]:
            answer = sts.assume_role(**params)["Credentials"]
            return {"access_key": answer["AccessKeyId"], "secret_key": answer["SecretAccessKey"],
                    "token": answer["SessionToken"], "expiry_time": answer["Expiration"].isoformat(),
                    "account_id": account_id}

        # botocore refreshes 15 min (advisory) and 10 min (mandatory) before expiry; a 15-minute session would
        # then refresh on every request, so the margins shrink with short sessions.
        return RefreshableCredentials.create_from_metadata(
            metadata=fetch(), refresh_using=fetch, method="assume-role",
            advisory_timeout=min(15 * 60, seconds // 4), mandatory_timeout=min(10 * 60, seconds // 6))

    def session(self, account_id: str) -> boto3.Session:
        credentials = self.credentials(account_id)
        core = botocore.session.Session(profile=self.settings.aws_profile)
        core.register_component("data_loader", _LOADER)
        core._credentials = credentials  # as tools/aws/session.py: botocore has no public setter for this
        return boto3.Session(botocore_session=core, region_name=self.settings.aws_default_region)

    def factory_for(self, account_id: str, limits: CallLimits) -> LimitedClientFactory:
        """A client factory in that account (its own ledger), its requests bounded by `limits`."""
        return LimitedClientFactory(self.settings, self.session(account_id), account_id, limits)


_SHARED: dict[tuple[Any, ...], AccountSessions] = {}
_SHARED_LOCK = threading.Lock()


def _identity(settings: Settings) -> tuple[Any, ...]:
    """What makes two settings need different sessions (secrets compared, never kept in the clear)."""
    def secret(value: Any) -> int:
        return hash(value.get_secret_value()) if value is not None else 0

    # The endpoints too: credentials one STS endpoint issued mean nothing to another (boto3 reads them from the
    # environment, AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>, not from the settings).
    endpoints = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_ENDPOINT_URL")))
    return (settings.aws_profile, settings.aws_role_arn, secret(settings.aws_access_key_id),
            secret(settings.aws_external_id), settings.aws_org_role_name, secret(settings.aws_org_external_id),
            settings.aws_org_session_seconds, settings.aws_default_region, endpoints)


def shared_sessions(settings: Settings) -> AccountSessions:
    """The process's sessions for these settings: a worker reuses each account's credentials across shards."""
    key = _identity(settings)
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = AccountSessions(settings)
        return _SHARED[key]
