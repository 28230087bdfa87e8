"""Shared pieces of the rules: the run context, what a rule returns, and how a finding is built."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from agent.analysis.prices import unit
from tools.models import (
    AwsRightsizing,
    Finding,
    MetricSummary,
    OpportunityType,
    PriceBasis,
    PriceQuote,
    PurchaseRecommendation,
    Resource,
    cents,
)
from tools.pricing.billed import BilledPrices
from tools.pricing.book import HOURS_PER_MONTH
from tools.resource_label import is_arn, label, short_id
from tools.settings import Settings

HOURS = HOURS_PER_MONTH
"""Hours in a billing month (docs/rules.md)."""
MB = Decimal(1_048_576)
GIB = Decimal(1024**3)


@dataclass(frozen=True)
class Context:
    """Everything a rule may read besides the resource itself."""

    settings: Settings
    prices: BilledPrices
    """Billed rates first, then list quotes gathered at collection, then the book: never I/O."""
    now: datetime
    ri_coverage: float | None = None
    """Reserved Instance coverage % from Cost Explorer, None when not reported."""
    sp_coverage: float | None = None
    """Savings Plans coverage % from Cost Explorer, None when not reported."""
    volumes: dict[str, Resource] = field(default_factory=dict)
    """EBS volumes by id (not ignored), so a stopped instance can price what it still pays for."""
    aws_rightsizing: dict[str, AwsRightsizing] = field(default_factory=dict)
    """AWS's own rightsizing recommendations (Cost Explorer) by instance id: corroboration, never a finding."""
    purchases: tuple[PurchaseRecommendation, ...] = ()
    """AWS's RI and Savings Plans purchase recommendations for the account."""
    snapshot_spend: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    """(region, 'EBS'|'RDS') -> monthly snapshot spend from Cost Explorer: old snapshots never claim more."""
    account_id: str = ""
    autoscaling: dict[tuple[str, str], Resource] = field(default_factory=dict)
    """Auto Scaling groups by (region, name): group findings name their capacity and launch template."""

    def __post_init__(self) -> None:
        if not isinstance(self.prices, BilledPrices):  # a bare book (tests, no collection): list prices only
            object.__setattr__(self, "prices", BilledPrices(self.prices))

    def savings_plan(self) -> PurchaseRecommendation | None:
        return next((p for p in self.purchases if p.kind == "savings_plan" and p.savings_percentage), None)


@dataclass
class Hit:
    """One finding of one rule, with the opportunity it belongs to."""

    type: OpportunityType
    service: str
    finding: Finding
    covered: tuple[str, ...] = ()
    """Other resources whose cost this finding already includes (a stopped instance's volumes)."""


@dataclass
class Outcome:
    """What a rule family returns for a set of resources."""

    hits: list[Hit] = field(default_factory=list)
    insufficient: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def extend(self, other: Outcome) -> None:
        self.hits.extend(other.hits)
        self.insufficient.extend(other.insufficient)
        self.missing.extend(other.missing)


def usd(value: Decimal | float, places: int = 2) -> str:
    """Money as text: $1,234.56 (or more places for unit prices)."""
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    return f"${rounded:,.{places}f}"


def utc(value: datetime) -> datetime:
    """`value` with a timezone: naive times are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def as_datetime(raw: Any) -> datetime | None:
    """A datetime, or ISO text (a trailing Z allowed), as an aware datetime; None for anything else."""
    if isinstance(raw, str):
        raw = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return utc(raw) if isinstance(raw, datetime) else None


def all_month(quote: PriceQuote) -> tuple[Decimal, str]:
    """An hourly price running the whole month: the monthly cost and its arithmetic as evidence text."""
    monthly = unit(quote) * HOURS
    return monthly, f"730 h x {usd(unit(quote), 4)}/h = {usd(monthly)}"


def num(value: Decimal | float | int) -> str:
    """A number as text without trailing zeros: 35, 0.5, 1000."""
    return format(Decimal(str(value)).normalize(), "f")


def dec(value: Any) -> Decimal:
    return Decimal(str(value))


def metric(resource: Resource, key: str) -> MetricSummary | None:
    found = resource.utilization.get(key)
    return found if found is not None and found.days > 0 else None


def days_of(resource: Resource, key: str) -> int:
    found = metric(resource, key)
    return found.days if found else 0


def state_of(resource: Resource) -> str:
    return (resource.state or str(resource.attributes.get("state") or "")).lower()


def environment(resource: Resource, settings: Settings) -> tuple[str, str] | None:
    """(tag key, value in lower case) of the first environment tag the settings name, any key case."""
    tags = {key.strip().lower(): (key, value) for key, value in resource.tags.items()}
    for wanted in settings.production_tag_keys:
        found = tags.get(wanted.strip().lower())
        if found is not None and found[1].strip():
            return found[0], found[1].strip().lower()
    return None


def is_production(resource: Resource, settings: Settings) -> bool:
    env = environment(resource, settings)
    return env is not None and env[1] in {v.lower() for v in settings.production_tag_values}


def is_non_production(resource: Resource, settings: Settings) -> bool:
    """Explicitly tagged as an environment other than production (untagged is not non-production)."""
    env = environment(resource, settings)
    return env is not None and env[1] in {v.lower() for v in settings.non_production_tag_values}


def is_ignored(resource: Resource, settings: Settings) -> bool:
    key, value = settings.ignore_tag_pair
    tag = resource.tags.get(key)
    return tag is not None and tag.strip().lower() == value.strip().lower()


def coverage(days: int | None, settings: Settings) -> Decimal:
    """Data coverage factor of a metric rule; 1 for rules that need no metrics (days None)."""
    if days is None:
        return Decimal(1)
    return min(Decimal(1), Decimal(days) / Decimal(settings.metrics_lookback_days))


def insufficient(resource: Resource, days: int, needed: int, metric_key: str) -> dict[str, Any]:
    out = {"resource_id": resource.resource_id, "region": resource.region, "kind": resource.kind,
           "metric": metric_key, "days": days, "needed": needed}
    if is_arn(resource.resource_id):
        out["name"] = short_id(resource.resource_id, resource.name)
    return out


def shown_evidence(resource: Resource, evidence: dict[str, Any]) -> dict[str, Any]:
    """Evidence led by 'orders (eu-west-1)' when the id is an ARN, so people see which one without parsing it."""
    if not is_arn(resource.resource_id):
        return evidence
    return {"resource": label(resource.resource_id, resource.region, resource.name), **evidence}


def make_hit(
    kind: OpportunityType,
    resource: Resource,
    *,
    monthly: Decimal | None,
    savings: Decimal | None,
    recommendation: str,
    evidence: dict[str, Any],
    base: float,
    days: int | None,
    settings: Settings,
    service: str | None = None,
    covered: tuple[str, ...] = (),
    basis: PriceBasis = "book",
    account_id: str = "",
) -> Hit:
    """A finding whose savings never exceed its monthly cost, with confidence = base x data coverage.

    `monthly` None means nothing could price the resource: the finding is reported 'unpriced', dollars null."""
    if monthly is None or savings is None:
        monthly_out: float | None = None
        savings_out: float | None = None
        basis = "unpriced"
    else:
        monthly_out, savings_out = cents(monthly), cents(max(Decimal(0), min(savings, monthly)))
    confidence = (Decimal(str(base)) * coverage(days, settings)).quantize(Decimal("0.001"))
    finding = Finding(
        resource_id=resource.resource_id, region=resource.region, monthly_cost=monthly_out,
        estimated_savings=savings_out, recommendation=recommendation, price_basis=basis,
        account_id=account_id or str(resource.attributes.get("account_id") or ""),
        evidence=shown_evidence(resource, evidence), confidence=float(confidence),
        name=short_id(resource.resource_id, resource.name) if is_arn(resource.resource_id) else resource.name,
        resource_type=resource.resource_type,
    )
    return Hit(type=kind, service=service or resource.service, finding=finding, covered=covered)


def marginal_factor(quote: PriceQuote) -> Decimal:
    """Share of the rate the bill actually drops by (below 1 when commitments cover part of the usage type)."""
    if quote.marginal_unit_price is None or not quote.unit_price:
        return Decimal(1)
    return Decimal(str(quote.marginal_unit_price)) / Decimal(str(quote.unit_price))


def price_evidence(quote: PriceQuote) -> dict[str, Any]:
    """The rate, its basis and source, and how commitments bear on it."""
    out: dict[str, Any] = {"price_basis": quote.basis, "price_source": quote.source}
    if quote.note:
        out["price_note"] = quote.note
    if quote.covered_share:
        out["covered_share"] = quote.covered_share
    return out


def unpriced_evidence(reason: str) -> dict[str, Any]:
    return {"price_basis": "unpriced", "unpriced_reason": reason,
            "price_source": "none: no billed usage, list price or price-book entry"}


BASIC_SAMPLES_PER_DAY = 288
"""CloudWatch basic monitoring: one CPU sample per 5 minutes; more a day means detailed (1-minute) monitoring."""


def running_share(resource: Resource, ctx: Context) -> tuple[Decimal, str] | None:
    """Share (0..1) of the hours it could have run that the instance did run, from its CPU sample counts: an
    instance up a few hours a day costs a few hours a day. The window starts at launch when that is later.
    None when sample counts were not collected (then it is priced as running all month)."""
    samples = metric(resource, "cpu_samples")
    if samples is None or not samples.daily:
        return None
    minutes = 1 if max(samples.daily.values()) > BASIC_SAMPLES_PER_DAY else 5
    hours = dec(sum(samples.daily.values())) * minutes / 60
    window = Decimal(ctx.settings.metrics_lookback_days * 24)
    launched = as_datetime(resource.attributes.get("launch_time"))
    if launched is not None:
        since_launch = Decimal(str((utc(ctx.now) - launched).total_seconds() / 3600))
        window = max(Decimal(1), min(window, since_launch))
    share = min(Decimal(1), hours / window)
    return share, f"ran {hours:.0f} of {window:.0f} h ({share * 100:.0f} %) by its CPU sample count"


def instance_hours(resource: Resource, ctx: Context) -> tuple[Decimal, str]:
    """Hours a month the instance is billed for: 730 x its running share; (hours, how they were found)."""
    share = running_share(resource, ctx)
    if share is None:
        return HOURS, "running all month (no CPU sample counts to tell otherwise)"
    return (HOURS * share[0]).quantize(Decimal("0.1")), share[1]


def hours_text(hours: Decimal) -> str:
    return f"{num(hours)} h"


def coverage_note(kind: str, pct: float | None) -> str:
    if pct is None:
        return f"Cost Explorer reports no {kind} coverage; savings assume none"
    return f"net of {kind} coverage {num(pct)} % reported by Cost Explorer"
