"""A function paying for failed invocations: a recent day over the error-rate limit (docs/rules.md, Lambda)."""

from __future__ import annotations

from datetime import timedelta

from agent.analysis.context import Context, Hit
from agent.analysis.evidence import make_hit
from agent.analysis.function_cost import fn_cost
from agent.analysis.money import dec, usd
from agent.analysis.readings import metric
from agent.analysis.rules.base import Rule
from agent.analysis.rules.metrics import DURATION, ERRORS, INVOCATIONS
from tools.models import Resource

ERROR_WINDOW_DAYS = 7
MIN_DAILY_INVOCATIONS = 10


def _recent_bad_day(fn: Resource, ctx: Context) -> tuple[str, float] | None:
    """The worst of the last 7 days (ending at the latest datapoint) with >= 10 calls over the error limit."""
    invocations, errors = metric(fn, INVOCATIONS.key), metric(fn, ERRORS.key)
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


def evaluate(fn: Resource, ctx: Context) -> Hit | None:
    cost = fn_cost(fn, ctx)
    bad = _recent_bad_day(fn, ctx)
    invocations, errors = metric(fn, INVOCATIONS.key), metric(fn, ERRORS.key)
    if cost is None or bad is None or invocations is None or errors is None or not invocations.total:
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


RULE = Rule(
    name="lambda_errors", type="lambda_errors", kinds=("lambda_function",), evaluate=evaluate,
    metrics=(INVOCATIONS, ERRORS, DURATION), prices=("lambda_request", "lambda_gb_second"),
    thresholds=("lambda_error_rate_pct", "metrics_lookback_days"),
    description="functions paying for failed invocations",
)
