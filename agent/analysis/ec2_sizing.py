"""EC2 rules that change the instance type: rightsizing and previous generation (docs/rules.md)."""

from __future__ import annotations

from decimal import Decimal

from agent.analysis.common import (
    Context,
    Hit,
    hours_text,
    instance_hours,
    make_hit,
    marginal_factor,
    metric,
    num,
    price_evidence,
    usd,
)
from agent.analysis.ec2_targets import choose, memory_needed, peak_cpu, same_size_alternatives
from agent.analysis.prices import PRICE_ERRORS, unit
from tools.models import PriceQuote, Resource


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


def _vcpus(instance_type: str, ctx: Context) -> int | None:
    try:
        return int(ctx.prices.instance_specs(instance_type).vcpus)
    except PRICE_ERRORS:
        return None


def rightsizing(resource: Resource, current: PriceQuote, ctx: Context) -> Hit | None:
    """Daily average CPU under the threshold on every day of a full lookback -> a smaller size."""
    cpu = metric(resource, "cpu")
    lookback = ctx.settings.metrics_lookback_days
    if cpu is None or cpu.days < lookback or cpu.maximum is None:
        return None
    limit = ctx.settings.aws_underutilized_cpu_threshold
    # every day below the threshold == the largest daily average below it
    if not (cpu.maximum < limit and all(value < limit for value in cpu.daily.values())):
        return None
    peak = peak_cpu(resource)
    if peak is None:
        return None
    target = choose(resource, peak[0], current, ctx)
    if target is None:
        return None
    new_type, new_quote = target.instance_type, target.quote
    hours, _ = instance_hours(resource, ctx)
    saving = (unit(current) - unit(new_quote)) * hours * marginal_factor(current)
    if saving <= 0:
        return None
    monthly = unit(current) * hours
    memory = memory_needed(resource, ctx)
    evidence = {
        "cpu_avg": round(cpu.average or 0.0, 2), "cpu_peak": float(peak[0]), "cpu_peak_statistic": peak[1],
        "days": cpu.days, "threshold_pct": limit, "target_cpu_pct": ctx.settings.rightsizing_target_cpu,
        "memory_needed_gib": float(round(memory, 2)) if memory is not None else None,
        "memory": "measured by the CloudWatch agent" if memory is not None else
                  "not measured (no CloudWatch agent memory metric): sized on CPU only",
        "current_type": resource.resource_type, "target_type": new_type, "target_reason": target.reason,
        "current_vcpus": _vcpus(resource.resource_type, ctx), "target_vcpus": _vcpus(new_type, ctx),
        "hourly_price": current.unit_price, "target_hourly_price": new_quote.unit_price,
        **price_evidence(current), "target_price_source": new_quote.source,
        "arithmetic": _change_arithmetic(current, new_quote, saving, hours),
    }
    graviton = same_size_alternatives(resource, current, ctx, graviton=True)
    if graviton and unit(graviton[0].quote) < unit(new_quote):
        option = graviton[0]
        evidence["graviton_option"] = {
            "target_type": option.instance_type, "hourly_price": option.quote.unit_price,
            "monthly_saving": float(round((unit(current) - unit(option.quote)) * hours * marginal_factor(current),
                                          2)),
            "note": "needs an arm64 build of the software"}
    text = (f"Resize {resource.resource_type} -> {new_type} ({target.reason}): CPU peak {float(peak[0]):.1f} % "
            f"over {cpu.days} days")
    return make_hit("rightsizing", resource, monthly=monthly, savings=saving, recommendation=text,
                    evidence=evidence, base=0.8, days=cpu.days, settings=ctx.settings, basis=current.basis)


def previous_generation(resource: Resource, current: PriceQuote, ctx: Context) -> Hit | None:
    """A previous-generation family with the same size in the current family at a lower price."""
    try:
        new_type = ctx.prices.current_generation(resource.resource_type)
    except PRICE_ERRORS:
        return None
    if not new_type or new_type == resource.resource_type:
        return None
    new_quote = hourly_quote(resource, new_type, ctx, current)
    if new_quote is None:
        return None
    hours, _ = instance_hours(resource, ctx)
    saving = (unit(current) - unit(new_quote)) * hours * marginal_factor(current)
    if saving <= 0:
        return None
    evidence = {
        "current_type": resource.resource_type, "target_type": new_type,
        "hourly_price": current.unit_price, "target_hourly_price": new_quote.unit_price,
        **price_evidence(current), "target_price_source": new_quote.source,
        "arithmetic": _change_arithmetic(current, new_quote, saving, hours),
    }
    text = (f"Move {resource.resource_type} (previous generation) -> {new_type}: same size, "
            f"{usd(saving)} a month cheaper")
    return make_hit("previous_generation", resource, monthly=unit(current) * hours, savings=saving,
                    recommendation=text, evidence=evidence, base=0.85, days=None, settings=ctx.settings,
                    basis=current.basis)


def _change_arithmetic(current: PriceQuote, target: PriceQuote, saving: Decimal, hours: Decimal) -> str:
    text = f"{hours_text(hours)} x ({usd(unit(current), 4)}/h - {usd(unit(target), 4)}/h)"
    factor = marginal_factor(current)
    if factor != 1:
        text += f" x {num(round(factor, 4))} (on-demand share the bill drops by)"
    return f"{text} = {usd(saving)}"
