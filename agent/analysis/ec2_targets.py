"""Which instance type an underused instance should become (docs/rules.md, rightsizing).

First the smallest size of its own family whose vCPUs carry the real CPU peak at the target utilization (and
whose memory holds the measured peak memory, when the CloudWatch agent reports it). When the family has no
smaller size that fits, the cheapest current-generation x86 type with the same vCPUs and memory (AMD, a newer
generation ...); Graviton (arm64) of the same size is offered beside it, never chosen, as it needs an arm64 build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from agent.analysis.context import Context
from agent.analysis.money import dec
from agent.analysis.prices import PRICE_ERRORS, unit
from agent.analysis.readings import metric
from tools.models import PriceQuote, Resource

_GRAVITON = re.compile(r"^(a1|[a-z]+\d+g[a-z]*)$")
# Families whose price buys something other than general compute (GPUs, FPGAs, Macs, bare high memory,
# burstable credits): never proposed as a like-for-like alternative.
_SPECIAL = re.compile(r"^(p|g|inf|trn|dl|f|vt|mac|u-|hpc|t)\d*")


def is_graviton(family: str) -> bool:
    return bool(_GRAVITON.match(family))


@dataclass(frozen=True)
class Target:
    instance_type: str
    quote: PriceQuote
    reason: str
    """'smaller size of the family' or 'same vCPUs and memory, cheaper type'."""


def peak_cpu(resource: Resource) -> tuple[Decimal, str] | None:
    """The real peak: the highest Maximum-statistic CPU; the highest daily average only without it."""
    cpu_max = metric(resource, "cpu_max")
    if cpu_max is not None and cpu_max.maximum is not None:
        return dec(cpu_max.maximum), "CPUUtilization Maximum"
    cpu = metric(resource, "cpu")
    if cpu is not None and cpu.maximum is not None:
        return dec(cpu.maximum), "highest daily average (no Maximum statistic)"
    return None


def memory_needed(resource: Resource, ctx: Context) -> Decimal | None:
    """GiB a target must have so the measured peak memory stays under the memory target; None if not measured."""
    used = metric(resource, "mem_max")
    memory = resource.attributes.get("memory_gib")
    if used is None or used.maximum is None or not memory:
        return None
    return dec(memory) * dec(used.maximum) / dec(ctx.settings.rightsizing_memory_target_pct)


def _fits(instance_type: str, vcpus: Decimal, memory: Decimal | None, ctx: Context) -> bool:
    try:
        spec = ctx.prices.instance_specs(instance_type)
    except PRICE_ERRORS:
        return False
    return Decimal(int(spec.vcpus)) >= vcpus and (memory is None or dec(spec.memory_gib) >= memory)


def _priced(resource: Resource, instance_type: str, current: PriceQuote, ctx: Context) -> PriceQuote | None:
    try:
        return ctx.prices.target_hourly(resource, instance_type, current)
    except PRICE_ERRORS:
        return None


def smaller_in_family(resource: Resource, vcpus: Decimal, memory: Decimal | None, current: PriceQuote,
                      ctx: Context) -> Target | None:
    try:
        family = ctx.prices.family_types(ctx.prices.instance_specs(resource.resource_type).family)
    except PRICE_ERRORS:
        return None
    if resource.resource_type not in family:
        return None
    for candidate in family[: family.index(resource.resource_type)]:
        if _fits(candidate, vcpus, memory, ctx):
            quote = _priced(resource, candidate, current, ctx)
            if quote is not None:
                return Target(candidate, quote, "smaller size of the family")
    return None


def same_size_alternatives(resource: Resource, current: PriceQuote, ctx: Context,
                           graviton: bool) -> list[Target]:
    """Current-generation types with the same vCPUs and memory, cheaper than today's, cheapest first."""
    try:
        spec = ctx.prices.instance_specs(resource.resource_type)
        names = ctx.prices.instance_types()
    except PRICE_ERRORS:
        return []
    out = []
    for name in names:
        try:
            other = ctx.prices.instance_specs(name)
        except PRICE_ERRORS:
            continue
        if (name == resource.resource_type or other.vcpus != spec.vcpus or other.memory_gib != spec.memory_gib
                or other.generation != "current" or _SPECIAL.match(other.family) or "flex" in other.family
                or is_graviton(other.family) != graviton):
            continue
        quote = _priced(resource, name, current, ctx)
        if quote is not None and unit(quote) < unit(current):
            out.append(Target(name, quote, "same vCPUs and memory, cheaper type"))
    return sorted(out, key=lambda t: (unit(t.quote), t.instance_type))


def choose(resource: Resource, peak: Decimal, current: PriceQuote, ctx: Context) -> Target | None:
    try:
        vcpus_now = Decimal(int(ctx.prices.instance_specs(resource.resource_type).vcpus))
    except PRICE_ERRORS:
        return None
    vcpus = vcpus_now * peak / dec(ctx.settings.rightsizing_target_cpu)
    memory = memory_needed(resource, ctx)
    found = smaller_in_family(resource, vcpus, memory, current, ctx)
    if found is not None:
        return found
    alternatives = same_size_alternatives(resource, current, ctx, graviton=False)
    return alternatives[0] if alternatives else None
