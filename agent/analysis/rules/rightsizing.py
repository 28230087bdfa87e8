"""An instance whose daily average CPU stayed under the threshold every day: a smaller type (docs/rules.md, EC2)."""

from __future__ import annotations

from agent.analysis.context import Context, Hit
from agent.analysis.ec2_targets import choose, memory_needed, peak_cpu, same_size_alternatives
from agent.analysis.evidence import make_hit
from agent.analysis.instance_cost import change_arithmetic, instance_hours, own_quote, vcpus
from agent.analysis.money import marginal_factor, price_evidence
from agent.analysis.prices import unit
from agent.analysis.readings import metric
from agent.analysis.rules.base import DataNeed, Rule
from agent.analysis.rules.metrics import CPU, CPU_MAX, CPU_SAMPLES, MEM_MAX
from agent.analysis.rules.needs import INSTANCE_PRICE
from tools.models import Resource


def evaluate(resource: Resource, ctx: Context) -> Hit | None:
    current, cpu = own_quote(resource, ctx), metric(resource, CPU.key)
    if current is None or cpu is None or cpu.maximum is None:
        return None
    limit = ctx.settings.aws_underutilized_cpu_threshold
    # every day below the threshold == the largest daily average below it
    if not (cpu.maximum < limit and all(value < limit for value in cpu.daily.values())):
        return None
    peak = peak_cpu(resource)
    target = choose(resource, peak[0], current, ctx) if peak is not None else None
    if peak is None or target is None:
        return None
    new_type, new_quote = target.instance_type, target.quote
    hours, _ = instance_hours(resource, ctx)
    saving = (unit(current) - unit(new_quote)) * hours * marginal_factor(current)
    if saving <= 0:
        return None
    memory = memory_needed(resource, ctx)
    evidence = {
        "cpu_avg": round(cpu.average or 0.0, 2), "cpu_peak": float(peak[0]), "cpu_peak_statistic": peak[1],
        "days": cpu.days, "threshold_pct": limit, "target_cpu_pct": ctx.settings.rightsizing_target_cpu,
        "memory_needed_gib": float(round(memory, 2)) if memory is not None else None,
        "memory": "measured by the CloudWatch agent" if memory is not None else
                  "not measured (no CloudWatch agent memory metric): sized on CPU only",
        "current_type": resource.resource_type, "target_type": new_type, "target_reason": target.reason,
        "current_vcpus": vcpus(resource.resource_type, ctx), "target_vcpus": vcpus(new_type, ctx),
        "hourly_price": current.unit_price, "target_hourly_price": new_quote.unit_price,
        **price_evidence(current), "target_price_source": new_quote.source,
        "arithmetic": change_arithmetic(current, new_quote, saving, hours),
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
    return make_hit("rightsizing", resource, monthly=unit(current) * hours, savings=saving, recommendation=text,
                    evidence=evidence, base=0.8, days=cpu.days, settings=ctx.settings, basis=current.basis)


RULE = Rule(
    name="rightsizing", type="rightsizing", kinds=("ec2_instance",), states=("running",), evaluate=evaluate,
    metrics=(CPU, CPU_MAX, MEM_MAX, CPU_SAMPLES),
    prices=("instance_hourly", "instance_specs", "family_types", "instance_types", "target_hourly"),
    thresholds=("metrics_lookback_days", "aws_underutilized_cpu_threshold", "rightsizing_target_cpu",
                "rightsizing_memory_target_pct"),
    needs=(INSTANCE_PRICE, DataNeed(CPU, "metrics_lookback_days", listed=False)),
    managed="group", corroborated=True,
    description="instances that never use most of their CPU",
)
