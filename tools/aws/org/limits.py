"""Requests in flight, bounded per account, region and API: AWS's request limits apply per account and region,
so 100 accounts read at once never put more than `AWS_CALLS_IN_FLIGHT` requests on any one of those limits.

The bound holds in one process (threads); Celery workers each hold their own (docs/many-accounts.md)."""

from __future__ import annotations

import threading
from typing import Any

import boto3

from tools.aws.clients import ClientFactory
from tools.aws.ledger import CallLedger
from tools.settings import Settings

_SLOT = "optiinfra_call_slot"


class CallLimits:
    """One semaphore per (account, region, service), made on first use, `in_flight` slots each."""

    def __init__(self, in_flight: int) -> None:
        if in_flight < 1:
            raise ValueError("in_flight must be at least 1")
        self.in_flight = in_flight
        self._slots: dict[tuple[str, str, str], threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    def slot(self, account_id: str, region: str, service: str) -> threading.BoundedSemaphore:
        key = (account_id, region, service)
        with self._lock:
            if key not in self._slots:
                self._slots[key] = threading.BoundedSemaphore(self.in_flight)
            return self._slots[key]

    def keys(self) -> list[tuple[str, str, str]]:
        with self._lock:
            return sorted(self._slots)


_SHARED: dict[int, CallLimits] = {}
_SHARED_LOCK = threading.Lock()


def shared_limits(in_flight: int) -> CallLimits:
    """The process's limits: every shard of every account running here draws from them."""
    with _SHARED_LOCK:
        if in_flight not in _SHARED:
            _SHARED[in_flight] = CallLimits(in_flight)
        return _SHARED[in_flight]


class LimitedClientFactory(ClientFactory):
    """The client factory of one account: its id is known (no GetCallerIdentity) and every request waits for a
    slot of its (account, region, service) before it is sent, holding it through botocore's retries."""

    def __init__(self, settings: Settings, session: boto3.Session, account_id: str, limits: CallLimits,
                 ledger: CallLedger | None = None) -> None:
        super().__init__(settings, session=session, ledger=ledger)
        self._account_id = account_id
        self.limits = limits

    def _instrument(self, client: Any, service: str, region: str) -> None:
        super()._instrument(client, service, region)
        slot = self.limits.slot(self._account_id or "", region, service)

        def before_call(context: dict[str, Any], **_: Any) -> None:
            slot.acquire()
            context[_SLOT] = slot

        def release(context: dict[str, Any], **_: Any) -> None:
            held = context.pop(_SLOT, None)  # after-call follows before-call even when a handler answered instead
            if held is not None:
                held.release()

        client.meta.events.register("before-call", before_call)
        client.meta.events.register("after-call", release)
        client.meta.events.register("after-call-error", release)
