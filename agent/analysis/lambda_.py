"""Lambda rules: error rate and over-provisioned memory (docs/rules.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from agent.analysis.common import HOURS, Context, Hit, Outcome, dec, make_hit, metric, num, usd
from agent.analysis.prices import PRICE_ERRORS, unit
from tools.models import PriceBasis, Resource

ERROR_WINDOW_DAYS = 7
MIN_DAILY_INVOCATIONS = 10


@dataclass(frozen=True)
class FnCost:
    requests: Decimal
    compute: Decimal
    source: str
    arithmetic: str
    basis: PriceBasis = "book"

    @property
    def total(self) -> Decimal:
        return self.requests + self.compute


def fn_cost(fn: Resource, ctx: Context) -> FnCost | None:
    """Monthly cost: requests (daily mean x 730/24) plus GB-seconds at the architecture's price."""
    invocations, duration = metric(fn, "invocations"), metric(fn, "duration")
    if invocations is None or invocations.average is None:
        return None
    arch = str(fn.attributes.get("architecture") or "x86_64")
    memory = dec(fn.attributes.get("memory_mb") or 128)
    try:
        request, gb_second = ctx.prices.lambda_request(fn.region), ctx.prices.lambda_gb_second(fn.region, arch)
    except PRICE_ERRORS:
        return None
    monthly_calls = dec(invocations.average) * HOURS / 24
    seconds = dec(duration.average or 0) / 1000 if duration else Decimal(0)
    gb_seconds = monthly_calls * seconds * memory / 1024
    requests, compute = monthly_calls * unit(request), gb_seconds * unit(gb_second)
    text = (f"{monthly_calls:,.0f} calls x {usd(unit(request), 7)} + {monthly_calls:,.0f} x {num(seconds)} s x "
            f"{num(memory)}/1024 GB x {usd(unit(gb_second), 10)}/GB-s = {usd(requests)} + {usd(compute)}")
    return FnCost(requests, compute, gb_second.source, text, gb_second.basis)


def _recent_bad_day(fn: Resource, ctx: Context) -> tuple[str, float] | None:
    """The worst of the last 7 days (ending at the latest datapoint) with >= 10 calls over the error limit."""
    invocations, errors = metric(fn, "invocations"), metric(fn, "errors")
    if invocations is None or errors is None or not invocations.daily:
        return None
    last = max(invocations.daily)
    worst: tuple[str, float] | None = None
    for day, calls in invocations.daily.items():
        if day <= last - timedelta(days=ERROR_WINDOW_DAYS) or calls < MIN_DAILY_INVOCATIONS:
            continue
        rate = 100.0 * errors.daily.get(day, 0.0) / calls
        if rate > ctx.settings.lambda_error_rate_pct and (worst is None or rate > worst[1]):
            worst = (day.isoformat(), rate)
    return worst


def _errors(fn: Resource, cost: FnCost, ctx: Context) -> Hit | None:
    bad = _recent_bad_day(fn, ctx)
    invocations, errors = metric(fn, "invocations"), metric(fn, "errors")
    if bad is None or invocations is None or errors is None or not invocations.total:
        return None
    rate = dec(errors.total or 0) / dec(invocations.total)
    saving = cost.total * rate
    evidence = {"worst_day": bad[0], "worst_day_error_rate_pct": round(bad[1], 2),
                "lookback_error_rate_pct": float(round(rate * 100, 2)), "days": invocations.days,
                "invocations": invocations.total, "errors": errors.total, "price_source": cost.source,
                "monthly_cost_arithmetic": cost.arithmetic,
                "arithmetic": f"{usd(cost.total)} x {float(rate * 100):.2f} % failed = {usd(saving)}"}
    text = (f"Fix the failing invocations: {bad[1]:.1f} % errors on {bad[0]}, "
            f"{float(rate * 100):.1f} % over {invocations.days} days")
    return make_hit("lambda_errors", fn, monthly=cost.total, savings=saving, recommendation=text,
                    evidence=evidence, base=0.6, days=invocations.days, settings=ctx.settings, basis=cost.basis)


def _memory(fn: Resource, cost: FnCost, ctx: Context) -> Hit | None:
    used = metric(fn, "memory_used_max")
    if used is None or used.maximum is None or used.days < ctx.settings.min_data_days:
        return None
    configured = int(fn.attributes.get("memory_mb") or 0)
    recommended = max(128, math.ceil(used.maximum * 1.25 / 64) * 64)
    if configured <= 0 or Decimal(recommended) > Decimal(configured) * Decimal("0.75"):
        return None
    fraction = 1 - Decimal(recommended) / Decimal(configured)
    saving = cost.compute * fraction
    evidence = {"memory_used_max_mb": used.maximum, "days": used.days, "configured_mb": configured,
                "recommended_mb": recommended, "price_source": cost.source, "monthly_cost_arithmetic": cost.arithmetic,
                "arithmetic": f"GB-second cost {usd(cost.compute)} x (1 - {recommended}/{configured}) = {usd(saving)}"}
    text = (f"Lower memory {configured} MB -> {recommended} MB: peak used {num(used.maximum)} MB "
            f"over {used.days} days")
    return make_hit("lambda_memory", fn, monthly=cost.total, savings=saving, recommendation=text,
                    evidence=evidence, base=0.7, days=used.days, settings=ctx.settings, basis=cost.basis)


def analyze(resources: list[Resource], ctx: Context) -> Outcome:
    """Every Lambda rule over the (not ignored) functions."""
    out = Outcome()
    for fn in resources:
        if fn.kind != "lambda_function":
            continue
        cost = fn_cost(fn, ctx)
        if cost is None:
            continue
        for hit in (_errors(fn, cost, ctx), _memory(fn, cost, ctx)):
            if hit is not None:
                out.hits.append(hit)
    return out
