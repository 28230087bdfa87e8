"""What an EC2 instance costs: its billed hourly rate, the hours it runs, and a type change's arithmetic."""

from __future__ import annotations

from decimal import Decimal

from agent.analysis.context import Context
from agent.analysis.money import HOURS, dec, hours_text, marginal_factor, num, usd
from agent.analysis.prices import PRICE_ERRORS, unit
from agent.analysis.readings import as_datetime, metric, utc
from tools.models import PriceQuote, Resource
from tools.pricing.billed import instance_operation

BASIC_SAMPLES_PER_DAY = 288
"""CloudWatch basic monitoring: one CPU sample per 5 minutes; more a day means detailed (1-minute) monitoring."""


def hourly_quote(resource: Resource, instance_type: str, ctx: Context,
                 current: PriceQuote | None = None) -> PriceQuote | None:
    """The instance's own billed rate (its usage type and operation), or what a target type would cost it;
    None when nothing can price it."""
    try:
        if instance_type == resource.resource_type:
            return ctx.prices.instance_hourly(resource)
        if current is not None:
            return ctx.prices.target_hourly(resource, instance_type, current)
        return ctx.prices.ec2_hourly(resource.region, instance_type)
    except PRICE_ERRORS:
        return None


def own_quote(resource: Resource, ctx: Context) -> PriceQuote | None:
    """The instance's billed hourly rate for its own type, None when nothing can price it."""
    return hourly_quote(resource, resource.resource_type, ctx)


def no_price(resource: Resource) -> str:
    """The `missing` line of an instance nothing can price."""
    return (f"{resource.resource_id}: no price for {resource.resource_type} "
            f"({instance_operation(resource)}) in {resource.region}")


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


def vcpus(instance_type: str, ctx: Context) -> int | None:
    try:
        return int(ctx.prices.instance_specs(instance_type).vcpus)
    except PRICE_ERRORS:
        return None


def change_arithmetic(current: PriceQuote, target: PriceQuote, saving: Decimal, hours: Decimal) -> str:
    """Evidence text of a type change: hours x (current - target rate) [x on-demand share] = saving."""
    text = f"{hours_text(hours)} x ({usd(unit(current), 4)}/h - {usd(unit(target), 4)}/h)"
    factor = marginal_factor(current)
    if factor != 1:
        text += f" x {num(round(factor, 4))} (on-demand share the bill drops by)"
    return f"{text} = {usd(saving)}"
