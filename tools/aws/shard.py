"""One shard of a run: one account's inventory and CloudWatch utilization in one region.

`collect_shard` is a plain function of (shard, settings, run id) whose result is JSON, so the same shard runs in a
thread of this process or on a Celery worker (tools/executors) with the same answer. Cost Explorer is not part of a
shard: it is asked once, at the payer, grouped by linked account. A member whose role cannot be assumed gives one
error of scope `account/<id>`; every other error keeps its collector's scope under `account/<id>/`.
"""

from __future__ import annotations

import os
import socket
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from pydantic import Field, field_validator

from tools.aws.collect import collect_inventory, collect_utilization, error_of
from tools.aws.org.limits import CallLimits, shared_limits
from tools.aws.org.sessions import AccountSessions, AccountUnavailable, shared_sessions
from tools.models import ApiCallCount, CollectionError, CollectionResult, MetricSpec, Model, Resource
from tools.pricing.book import PriceBook
from tools.regions import known_region
from tools.settings import Settings


class Shard(Model):
    """One account in one region."""

    account_id: str = Field(pattern=r"^\d{12}$")
    region: str
    bucket_regions: list[str] | None = None
    """The regions whose S3 buckets this shard reads: None its own; the plan gives each account's first shard all
    of the run's regions and the others none (ListBuckets lists the whole account at once)."""

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        return known_region(value)

    @property
    def key(self) -> str:
        return f"{self.account_id}/{self.region}"


class ShardResult(Model):
    """What one shard saw. `worker` and `seconds` say where and how long it ran; the rest is the same on any
    executor."""

    shard: Shard
    run_id: str
    collected_at: datetime
    resources: list[Resource] = Field(default_factory=list)
    """Each with `attributes['account_id']`."""
    errors: list[CollectionError] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    api_calls: list[ApiCallCount] = Field(default_factory=list)
    """The requests this shard made in its account (the caller's AssumeRole calls are not among them)."""
    worker: str = ""
    seconds: float = 0.0

    @property
    def partial(self) -> bool:
        return bool(self.errors)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def collect_shard(shard: Shard, settings: Settings, run_id: str, *, today: date | None = None,
                  specs: Mapping[str, Sequence[MetricSpec]] | None = None, prices: PriceBook | None = None,
                  sessions: AccountSessions | None = None, limits: CallLimits | None = None) -> ShardResult:
    """Inventory and utilization of one account in one region; never raises for AWS's answers.

    `specs`: the metrics to fetch per resource kind (default: docs/rules.md's table); `prices`: the price book
    (default: the packaged one; list and billed rates are the run's, gathered once, not per shard);
    `sessions`/`limits`: the process's own by default."""
    started = time.monotonic()
    sessions = sessions or shared_sessions(settings)
    limits = limits or shared_limits(settings.aws_calls_in_flight)
    result = ShardResult(shard=shard, run_id=run_id, collected_at=datetime.now(UTC), worker=worker_name())
    try:
        factory = sessions.factory_for(shard.account_id, limits)
    except AccountUnavailable as exc:
        return _done(result.model_copy(update={"errors": [error_of(f"account/{shard.account_id}", exc.cause)]}),
                     started)
    book = prices or PriceBook.load()
    try:
        inventory = collect_inventory(factory, settings, book, regions=[shard.region], today=today,
                                      cost_explorer=False, bucket_regions=shard.bucket_regions)
        measured = collect_utilization(factory, settings, inventory, prices=book, today=today, specs=specs)
    except Exception as exc:  # isolation: a shard that breaks is one error, the run goes on
        return _done(result.model_copy(update={
            "errors": [error_of(f"account/{shard.account_id}/{shard.region}", exc)],
            "api_calls": factory.ledger.snapshot()}), started)
    for resource in measured.resources:
        resource.attributes["account_id"] = shard.account_id
    prefix = f"account/{shard.account_id}/"
    errors = [e.model_copy(update={"scope": prefix + e.scope}) for e in measured.errors]
    return _done(result.model_copy(update={
        "resources": measured.resources, "errors": errors, "missing": measured.missing,
        "api_calls": factory.ledger.snapshot()}), started)


def _done(result: ShardResult, started: float) -> ShardResult:
    return result.model_copy(update={"seconds": round(time.monotonic() - started, 3)})


def merge_shards(results: Sequence[ShardResult], *, account_id: str = "",
                 regions: Sequence[str] = ()) -> CollectionResult:
    """The shards of a run as one collection (no Cost Explorer parts: the payer's are added by the caller).

    Resources in shard order; an error of one scope once (a member refusing its role fails each of its shards);
    calls summed per service, operation, region and outcome."""
    errors: dict[str, CollectionError] = {}
    for r in results:
        for e in r.errors:
            errors.setdefault(e.scope, e)
    counts: dict[tuple[str, str, str, str], int] = defaultdict(int)
    paid: dict[tuple[str, str, str, str], Decimal] = defaultdict(Decimal)
    for r in results:
        for c in r.api_calls:
            key = (c.service, c.operation, c.region, c.outcome)
            counts[key] += c.calls
            paid[key] += Decimal(str(c.paid_usd))
    shard_regions = list(dict.fromkeys(r.shard.region for r in results))
    return CollectionResult(
        account_id=account_id,
        collected_at=min((r.collected_at for r in results), default=datetime.now(UTC)),
        regions=list(regions) or shard_regions,
        resources=[res for r in results for res in r.resources],
        missing=list(dict.fromkeys(m for r in results for m in r.missing)),
        errors=sorted(errors.values(), key=lambda e: e.scope),
        api_calls=[ApiCallCount(service=s, operation=o, region=g, outcome=out, calls=n,
                                paid_usd=float(paid[(s, o, g, out)]))
                   for (s, o, g, out), n in sorted(counts.items())],
    )
