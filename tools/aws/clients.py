"""One client factory: every AWS client is configured, cached, counted, rate-limited and priced here."""

from __future__ import annotations

import logging
import threading
from decimal import Decimal
from typing import Any

import boto3
from botocore.config import Config

from tools import __version__
from tools.aws.ledger import CE_SERVICE_ID, CallLedger, CallRecord, price_of
from tools.aws.ratelimit import TokenBucket
from tools.aws.session import make_session
from tools.settings import Settings

log = logging.getLogger(__name__)
USER_AGENT = f"optiinfra-cost-agent/{__version__}"
GLOBAL_SERVICES = {"ce": "us-east-1", "pricing": "us-east-1", "sts": None, "s3": None}
_PRICE_KEY = "optiinfra_price"
SINGLE_ATTEMPT = {"pricing"}
"""Optional services: one failed attempt means 'not available this run' (the caller falls back), so no retries."""


_SHARED_BUCKETS: dict[int, TokenBucket] = {}
_BUCKETS_LOCK = threading.Lock()


def shared_ce_bucket(rate_per_hour: int) -> TokenBucket:
    """One Cost Explorer bucket per process (and rate): every factory, graph node and API job draws from it."""
    with _BUCKETS_LOCK:
        if rate_per_hour not in _SHARED_BUCKETS:
            _SHARED_BUCKETS[rate_per_hour] = TokenBucket(rate_per_hour)
        return _SHARED_BUCKETS[rate_per_hour]


def client_config(settings: Settings) -> Config:
    return Config(
        retries={"mode": settings.aws_retry_mode, "total_max_attempts": settings.aws_max_attempts},
        connect_timeout=settings.aws_connect_timeout,
        read_timeout=settings.aws_read_timeout,
        max_pool_connections=max(10, settings.collection_concurrency * 2),
        user_agent_extra=USER_AGENT,
    )


class ClientFactory:
    """Clients cached per (service, region), safe to share across threads."""

    def __init__(self, settings: Settings, session: boto3.Session | None = None,
                 ledger: CallLedger | None = None, ce_bucket: TokenBucket | None = None) -> None:
        self.settings = settings
        self.session = session or make_session(settings)
        self.ledger = ledger or CallLedger()
        self.ce_bucket = ce_bucket or shared_ce_bucket(settings.ce_requests_per_hour)
        self.config = client_config(settings)
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._account_id: str | None = None

    def client(self, service: str, region: str | None = None) -> Any:
        region = region or GLOBAL_SERVICES.get(service) or self.settings.aws_default_region
        key = (service, region)
        with self._lock:  # boto3 sessions are not thread-safe; clients are.
            if key not in self._clients:
                config = self.config
                if service in SINGLE_ATTEMPT:
                    config = config.merge(Config(retries={"mode": self.settings.aws_retry_mode,
                                                          "total_max_attempts": 1}))
                client = self.session.client(service, region_name=region, config=config)
                self._instrument(client, service, region)
                self._clients[key] = client
            return self._clients[key]

    def _instrument(self, client: Any, service: str, region: str) -> None:
        events = client.meta.events

        def before_parameter_build(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
            if service == CE_SERVICE_ID:
                self.ce_bucket.acquire()
            context[_PRICE_KEY] = price_of(service, model.name, params)

        def after_call(http_response: Any, parsed: dict[str, Any], model: Any, context: dict[str, Any],
                       **_: Any) -> None:
            code = (parsed or {}).get("Error", {}).get("Code")
            status = getattr(http_response, "status_code", 200)
            outcome = code or ("ok" if status < 300 else str(status))
            self._record(service, model.name, region, outcome, context)

        def after_call_error(exception: Exception, context: dict[str, Any], event_name: str = "", **_: Any) -> None:
            # botocore sends no model with this event; the operation is the event name's last part.
            operation = event_name.rsplit(".", 1)[-1] or "unknown"
            self._record(service, operation, region, type(exception).__name__, context)

        events.register("before-parameter-build", before_parameter_build)
        events.register("after-call", after_call)
        events.register("after-call-error", after_call_error)

    def _record(self, service: str, operation: str, region: str, outcome: str, context: dict[str, Any]) -> None:
        price, metrics = context.get(_PRICE_KEY, (Decimal(0), 0))
        paid = price if outcome == "ok" else Decimal(0)  # AWS bills requests it answered
        self.ledger.record(CallRecord(service, operation, region, outcome, paid, metrics if outcome == "ok" else 0))

    def account_id(self) -> str:
        if self._account_id is None:
            self._account_id = self.client("sts").get_caller_identity()["Account"]
        return self._account_id

    def regions(self) -> list[str]:
        """`AWS_REGIONS` when set, else the account's enabled regions."""
        if self.settings.aws_regions:
            return list(self.settings.aws_regions)
        answer = self.client("ec2").describe_regions(
            Filters=[{"Name": "opt-in-status", "Values": ["opt-in-not-required", "opted-in"]}]
        )
        return sorted(r["RegionName"] for r in answer["Regions"])
