"""A running instance doing no work: low average and peak CPU and almost no network (docs/rules.md, EC2)."""

from __future__ import annotations

from typing import Any

from agent.analysis.context import Context, Hit
from agent.analysis.evidence import make_hit
from agent.analysis.instance_cost import instance_hours, own_quote
from agent.analysis.money import MB, dec, hours_text, marginal_factor, num, price_evidence, unpriced_evidence, usd
from agent.analysis.prices import unit
from agent.analysis.readings import metric
from agent.analysis.rules.base import EVERY_OTHER_RULE, Rule
from agent.analysis.rules.metrics import CPU, CPU_MAX, CPU_SAMPLES, NETWORK_IN, NETWORK_OUT
from agent.analysis.rules.needs import CPU_DAYS
from tools.models import Resource
from tools.pricing.billed import instance_operation


def evaluate(resource: Resource, ctx: Context) -> Hit | None:
    s = ctx.settings
    cpu, cpu_max = metric(resource, CPU.key), metric(resource, CPU_MAX.key)
    net_in, net_out = metric(resource, NETWORK_IN.key), metric(resource, NETWORK_OUT.key)
    if cpu is None or cpu_max is None or net_in is None or net_out is None:
        return None  # all four are needed: a missing one means not idle
    if cpu.average is None or cpu_max.maximum is None or net_in.average is None or net_out.average is None:
        return None
    network = dec(net_in.average) + dec(net_out.average)
    if not (cpu.average < s.aws_idle_cpu_threshold and cpu_max.maximum < s.idle_cpu_max_threshold
            and network < dec(s.idle_network_mb_per_day) * MB):
        return None
    evidence: dict[str, Any] = {
        "cpu_avg": round(cpu.average, 2), "cpu_max": round(cpu_max.maximum, 2),
        "network_mb_day": float(round(network / MB, 3)), "days": cpu.days,
        "thresholds": {"cpu_avg_pct": s.aws_idle_cpu_threshold, "cpu_max_pct": s.idle_cpu_max_threshold,
                       "network_mb_day": s.idle_network_mb_per_day},
    }
    text = (f"Stop or terminate (snapshot first if the data matters): average CPU {cpu.average:.1f} %, "
            f"peak {cpu_max.maximum:.1f} %, network {float(network / MB):.2f} MB/day over {cpu.days} days")
    quote = own_quote(resource, ctx)
    if quote is None:  # idle is reported even when nothing can price it
        evidence |= unpriced_evidence(f"no billed usage or price for {resource.resource_type} "
                                      f"({instance_operation(resource)}) in {resource.region}")
        return make_hit("idle_resource", resource, monthly=None, savings=None, recommendation=text,
                        evidence=evidence, base=0.95, days=cpu.days, settings=s)
    hours, how = instance_hours(resource, ctx)
    monthly = unit(quote) * hours
    arithmetic = f"{hours_text(hours)} x {usd(unit(quote), 4)}/h = {usd(monthly)}"
    evidence["hours_per_month"] = float(hours)
    evidence["running"] = how
    factor = marginal_factor(quote)
    saving = monthly * factor
    if factor != 1:
        arithmetic += f"; x {num(round(factor, 4))} on-demand share the bill drops by = {usd(saving)}"
    evidence |= {"hourly_price": quote.unit_price, **price_evidence(quote), "arithmetic": arithmetic}
    return make_hit("idle_resource", resource, monthly=monthly, savings=saving, recommendation=text,
                    evidence=evidence, base=0.95, days=cpu.days, settings=s, basis=quote.basis)


RULE = Rule(
    name="idle_instance", type="idle_resource", kinds=("ec2_instance",), states=("running",), evaluate=evaluate,
    metrics=(CPU, CPU_MAX, NETWORK_IN, NETWORK_OUT, CPU_SAMPLES),
    prices=("instance_hourly",),
    thresholds=("min_data_days", "aws_idle_cpu_threshold", "idle_cpu_max_threshold", "idle_network_mb_per_day",
                "metrics_lookback_days"),
    needs=(CPU_DAYS,),
    excludes=EVERY_OTHER_RULE, managed="group", corroborated=True,
    description="instances doing no work (or stopped but still paying for volumes)",
)
