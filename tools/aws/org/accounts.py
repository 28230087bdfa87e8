"""Which accounts a run reads (AWS_ACCOUNTS): the caller's own, every ACTIVE account of the organization, or a list."""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import Field

from tools.aws.org.sessions import AccountSessions
from tools.aws.paginate import paginate
from tools.models import Model

log = logging.getLogger(__name__)
PAGE_SIZE = 20  # ListAccounts' largest page


class Account(Model):
    """One account to read."""

    account_id: str = Field(pattern=r"^\d{12}$")
    name: str = ""
    caller: bool = False
    """Read with the caller's own credentials (it is the caller's account); else through the member role."""


class AccountDiscoveryError(Exception):
    """The accounts could not be listed; the message is one line that says what to fix."""


def discover_accounts(sessions: AccountSessions) -> list[Account]:
    """The accounts AWS_ACCOUNTS names, the caller's first when it is one of them, the rest by account id."""
    settings = sessions.settings
    try:
        caller = sessions.caller_account_id()
    except (ClientError, BotoCoreError) as exc:
        raise AccountDiscoveryError(f"cannot tell which account these credentials belong to "
                                    f"(STS GetCallerIdentity: {_code(exc)})") from exc
    wanted = settings.aws_accounts
    if wanted is None:
        return [Account(account_id=caller, caller=True)]
    if isinstance(wanted, list):
        accounts = [Account(account_id=i, caller=i == caller) for i in wanted]
    else:
        accounts = [Account(account_id=a["Id"], name=a.get("Name", ""), caller=a["Id"] == caller)
                    for a in _organization(sessions)]
    return sorted(accounts, key=lambda a: (not a.caller, a.account_id))


def _organization(sessions: AccountSessions) -> list[dict[str, Any]]:
    org = sessions.factory.client("organizations")
    try:
        listed = list(paginate(org, "list_accounts", "Accounts", PaginationConfig={"PageSize": PAGE_SIZE}))
        management = ""
        if not sessions.settings.aws_org_include_management:
            management = org.describe_organization()["Organization"]["MasterAccountId"]
    except (ClientError, BotoCoreError) as exc:
        raise AccountDiscoveryError(
            f"AWS_ACCOUNTS=organization: Organizations refused to list the accounts ({_code(exc)}); run from the "
            "management account or a delegated administrator, or set AWS_ACCOUNTS to a list of account ids"
        ) from exc
    # `State` replaces the deprecated `Status`; either says ACTIVE for an account that can be read.
    active = [a for a in listed if (a.get("State") or a.get("Status")) == "ACTIVE" and a["Id"] != management]
    if not active:
        raise AccountDiscoveryError(f"AWS_ACCOUNTS=organization: Organizations listed {len(listed)} accounts and "
                                    "none is ACTIVE (and to be read): nothing to collect")
    log.info("organization: %d accounts listed, %d active%s", len(listed), len(active),
             ", management account left out" if management else "")
    return active


def _code(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or type(exc).__name__)
    return type(exc).__name__
