"""Many accounts: which accounts to read (Organizations or a list), a session in each, and per-API limits.

docs/many-accounts.md: the settings, the member role, what the fan-out does and does not do."""

from tools.aws.org.accounts import Account, AccountDiscoveryError, discover_accounts
from tools.aws.org.limits import CallLimits, LimitedClientFactory, shared_limits
from tools.aws.org.sessions import AccountSessions, AccountUnavailable, shared_sessions

__all__ = [
    "Account", "AccountDiscoveryError", "AccountSessions", "AccountUnavailable", "CallLimits",
    "LimitedClientFactory", "discover_accounts", "shared_limits", "shared_sessions",
]
