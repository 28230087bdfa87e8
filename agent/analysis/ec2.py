"""EC2 instance rules: idle (running and stopped), spot, savings plan, and their precedence (docs/rules.md)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from agent.analysis.common import (
    HOURS,
    MB,
    Context,
    Hit,
    Outcome,
    as_datetime,
    dec,
    hours_text,
    instance_hours,
    insufficient,
    is_non_production,
    make_hit,
    marginal_factor,
    metric,
    num,
    price_evidence,
    running_share,
    state_of,
    unpriced_evidence,
    usd,
    utc,
)
from agent.analysis.corroborate import corroborate
from agent.analysis.ebs import volume_monthly
from agent.analysis.ec2_sizing import hourly_quote, previous_generation, rightsizing
from agent.analysis.groups import Member, group_hits, managed_by
from agent.analysis.prices import unit
from tools.models import PriceQuote, Resource
from tools.pricing.billed import instance_operation


def _idle_running(resource: Resource, quote: PriceQuote | None, ctx: Context) -> Hit | None:
    s = ctx.settings
    cpu, cpu_max = metric(resource, "cpu"), metric(resource, "cpu_max")
    net_in, net_out = metric(resource, "network_in"), metric(resource, "network_out")
    if cpu is None or cpu_max is None or net_in is None or net_out is None:
        return None
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
    if quote is None:
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


def _attached_volumes(resource: Resource, ctx: Context) -> list[Resource]:
    ids = set(resource.attributes.get("volume_ids") or [])
    ids |= {v.resource_id for v in ctx.volumes.values() if v.attributes.get("attached_to") == resource.resource_id}
    return [ctx.volumes[i] for i in sorted(ids) if i in ctx.volumes]


def stopped_for(resource: Resource, ctx: Context) -> timedelta | None:
    """How long the instance has been stopped: EC2's state-transition time, else the end of its last CPU data."""
    at = as_datetime(resource.attributes.get("stopped_at"))
    if at is not None:
        return utc(ctx.now) - at
    cpu = resource.utilization.get("cpu")
    if cpu is None:
        return None
    if not cpu.daily:  # measured, and not a single datapoint in the whole lookback
        return timedelta(days=ctx.settings.metrics_lookback_days)
    return utc(ctx.now) - datetime.combine(max(cpu.daily) + timedelta(days=1), time(), tzinfo=UTC)


def _idle_stopped(resource: Resource, ctx: Context) -> Hit | None:
    """A stopped instance still pays for its volumes, once it has stayed stopped past the grace period."""
    stopped = stopped_for(resource, ctx)
    if stopped is not None and stopped < timedelta(days=ctx.settings.stopped_grace_days):
        return None
    attached = _attached_volumes(resource, ctx)
    priced = [(v, p) for v in attached if (p := volume_monthly(v, ctx)) is not None]
    if attached and not priced:
        text = "Snapshot and delete the volumes, or terminate: stopped, still paying for its EBS volumes"
        evidence = {"state": "stopped", "covered_resources": [v.resource_id for v in attached],
                    **unpriced_evidence("no billed usage or price for its volume types")}
        return make_hit("idle_resource", resource, monthly=None, savings=None, recommendation=text,
                        evidence=evidence, base=0.85, days=None, settings=ctx.settings,
                        covered=tuple(v.resource_id for v in attached))
    if not priced:
        return None
    monthly = sum((p[0] for _, p in priced), Decimal(0))
    parts = " + ".join(f"{v.resource_id} {usd(p[0])}" for v, p in priced)
    evidence = {
        "state": "stopped", "stopped_days": stopped.days if stopped is not None else "unknown",
        "covered_resources": [v.resource_id for v, _ in priced],
        "volume_gb": sum(int(v.attributes.get("size_gb") or 0) for v, _ in priced),
        "price_source": priced[0][1][1], "arithmetic": f"{parts} = {usd(monthly)}",
    }
    text = f"Snapshot and delete the volumes, or terminate: stopped, still paying {usd(monthly)} a month for EBS"
    return make_hit("idle_resource", resource, monthly=monthly, savings=monthly, recommendation=text,
                    evidence=evidence, base=0.85, days=None, settings=ctx.settings,
                    covered=tuple(v.resource_id for v, _ in priced))


def _spot(resource: Resource, quote: PriceQuote, days: int, ctx: Context) -> Hit | None:
    if str(resource.attributes.get("lifecycle") or "on-demand") == "spot":
        return None
    asg = resource.tags.get("aws:autoscaling:groupName") or resource.attributes.get("asg_name")
    stateless = resource.tags.get("stateless", "").lower() == "true"
    non_production = is_non_production(resource, ctx.settings)
    if not (asg or non_production or stateless):
        return None
    pct = dec(ctx.settings.aws_spot_savings_target)
    hours, _ = instance_hours(resource, ctx)
    monthly = unit(quote) * hours
    saving = monthly * pct / 100 * marginal_factor(quote)
    reason = f"Auto Scaling group {asg}" if asg else ("non-production" if non_production else
                                                       "tagged stateless=true")
    evidence = {
        "reason": reason, "days": days, "spot_savings_pct": float(pct), "hourly_price": quote.unit_price,
        **price_evidence(quote),
        "arithmetic": f"{hours_text(hours)} x {usd(unit(quote), 4)}/h x {num(pct)} % = {usd(saving)}",
    }
    text = f"Run on Spot ({reason}): about {num(pct)} % cheaper than on-demand"
    return make_hit("spot_migration", resource, monthly=monthly, savings=saving, recommendation=text,
                    evidence=evidence, base=0.7, days=days, settings=ctx.settings, basis=quote.basis)


def _savings_plan(resource: Resource, quote: PriceQuote, days: int, ctx: Context) -> Hit | None:
    s = ctx.settings
    advice = ctx.savings_plan()
    if str(resource.attributes.get("lifecycle") or "on-demand") == "spot" or quote.covered_share or advice is None:
        return None  # spot, already (partly) covered, or AWS offers no Savings Plan for this account
    fraction = min(Decimal(1), Decimal(days) / Decimal(s.metrics_lookback_days))
    share = running_share(resource, ctx)
    if fraction < dec(s.steady_running_fraction) or (share and share[0] < dec(s.steady_running_fraction)):
        return None
    monthly = unit(quote) * HOURS
    pct = dec(advice.savings_percentage or 0)
    saving = monthly * pct / 100
    evidence = {
        "running_fraction": float(round(fraction, 3)), "days": days, "discount_pct": float(pct),
        "aws_purchase_recommendation": {
            "type": advice.service, "term": advice.term, "payment_option": advice.payment_option,
            "estimated_savings_pct": advice.savings_percentage, "hourly_commitment": advice.hourly_commitment,
            "account_monthly_savings": advice.estimated_monthly_savings,
            "source": "Cost Explorer GetSavingsPlansPurchaseRecommendation"},
        "hourly_price": quote.unit_price, **price_evidence(quote),
        "arithmetic": f"730 h x {usd(unit(quote), 4)}/h x {num(pct)} % (AWS's estimate for this account) = "
                      f"{usd(saving)}",
    }
    text = (f"Cover with a Compute Savings Plan: running {float(fraction) * 100:.0f} % of {s.metrics_lookback_days} "
            f"days at on-demand rates; AWS estimates {num(pct)} % off for this account")
    return make_hit("savings_plan", resource, monthly=monthly, savings=saving, recommendation=text,
                    evidence=evidence, base=0.75, days=days, settings=s, basis=quote.basis)


def _running(resource: Resource, ctx: Context, out: Outcome, member: Member | None = None) -> None:
    """The instance rules. For a member of a managed group the instance-level actions (stop, resize, move) are
    recorded on `member` for the group's finding; only purchase levers (spot, savings plan) stay per instance."""
    quote = hourly_quote(resource, resource.resource_type, ctx)
    cpu = metric(resource, "cpu")
    days = cpu.days if cpu else 0
    enough = days >= ctx.settings.min_data_days
    if not enough:
        out.insufficient.append(insufficient(resource, days, ctx.settings.min_data_days, "cpu"))
    idle = _idle_running(resource, quote, ctx) if enough else None
    if idle is not None:
        if member is not None:
            member.idle = idle
        else:
            out.hits.append(corroborate(idle, ctx.aws_rightsizing))
        return
    if quote is None:
        out.missing.append(f"{resource.resource_id}: no price for {resource.resource_type} "
                           f"({instance_operation(resource)}) in {resource.region}")
        return
    sized, older = rightsizing(resource, quote, ctx), previous_generation(resource, quote, ctx)
    if member is not None:
        member.rightsizing, member.previous_generation = sized, older
        sized = older = None
    found = [sized, older, _spot(resource, quote, days, ctx) if enough else None]
    hits = [h for h in found if h is not None]
    if not hits and enough:
        hits = [h for h in [_savings_plan(resource, quote, days, ctx)] if h is not None]
    out.hits.extend(corroborate(h, ctx.aws_rightsizing) for h in hits)


def analyze(resources: list[Resource], ctx: Context) -> Outcome:
    """Every EC2 rule over the (not ignored) instances."""
    out = Outcome()
    groups: dict[tuple[str, str, str], list[Member]] = defaultdict(list)
    for resource in resources:
        if resource.kind != "ec2_instance":
            continue
        state = state_of(resource)
        manager = managed_by(resource)
        if state == "running" and manager is not None:
            member = Member(resource)
            groups[(resource.region, *manager)].append(member)
            _running(resource, ctx, out, member)
        elif state == "running":
            _running(resource, ctx, out)
        elif state == "stopped":
            hit = _idle_stopped(resource, ctx)
            if hit is not None:
                out.hits.append(corroborate(hit, ctx.aws_rightsizing))
    out.hits.extend(group_hits(groups, ctx))
    return out
