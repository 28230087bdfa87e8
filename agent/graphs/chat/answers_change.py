"""Answers about change: spend against the baseline the question states (the mean of the N days before, the
previous period), the anomalies the report found (with the detector's baseline, named), the forecast, and what
the agent itself cost."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from agent.analysis.summary import money
from agent.graphs.chat.answers_spend import subject
from agent.graphs.chat.entities import Known
from agent.graphs.chat.plan import Baseline, Period, Plan
from agent.graphs.chat.reply import Reply, ce_name, no_data, small_money, when

_RUN = re.compile(r"\b(?:analysis|run|runs|report|collection|collect)\b")
_NEXT_DAYS = re.compile(r"\bnext (\d{1,3}) days\b")


def _latest_anomaly(plan: Plan, reply: Reply) -> tuple[dict[str, Any] | None, str]:
    """The latest anomaly of the plan's service (and region), and its citation."""
    result = reply.ask("anomalies", {"service": ce_name(plan.filters.service)})
    if "error" in result:
        return None, ""
    found = [a for a in result["anomalies"] if plan.filters.region in (None, a["region"])]
    return (found[-1], reply.cite(result)) if found else (None, "")


def change(plan: Plan, known: Known, reply: Reply, now: date) -> None:
    baseline = plan.baseline or Baseline(kind="previous_period")
    f, period, region = plan.filters, plan.filters.period, plan.filters.region
    assert period is not None
    lead = ""
    if baseline.kind == "days_before" and not period.stated:
        spike, cited = _latest_anomaly(plan, reply)
        day = date.fromisoformat(spike["date"]) if spike else now - timedelta(days=1)
        if spike:
            region = region or spike["region"] or None
            lead = f"The latest anomaly of {spike['service']} was in {spike['region']} on {day} {cited}. "
        period = Period(start=day, end=day, words=f"on {day}")
    result = reply.ask("compare_spend", {"start": period.start.isoformat(), "end": period.end.isoformat(),
                                         "service": ce_name(f.service), "region": region,
                                         "baseline": baseline.kind, "baseline_days": baseline.days})
    if reply.failed(result, "the spend"):
        return
    if not result["actual_days_with_data"]:
        no_data(reply, known, now, period)
        return
    way = "up" if result["change_usd"] > 0 else "down" if result["change_usd"] < 0 else "unchanged,"
    pct = f" ({result['change_percentage']:+.1f} %)" if result["change_percentage"] is not None else ""
    delta = f"{way} {money(result['difference_usd'])}{pct}"
    who = subject(f.service, region).replace("in total", "Total spend")
    if baseline.kind == "previous_period":
        reply.say(f"{who} {when(period)}: {money(result['actual_usd'])} against {money(result['baseline_usd'])} "
                  f"for {result['baseline_period']} (the period before): {delta} {reply.cite(result)}.")
    elif period.start == period.end:
        reply.say(f"{lead}{who} cost {money(result['actual_usd'])} on {period.start} against a mean of "
                  f"{money(result['baseline_daily_mean_usd'])} a day over the {baseline.days} days before "
                  f"({result['baseline_period']}): {delta} {reply.cite(result)}.")
    else:
        reply.say(f"{who} averaged {money(result['actual_daily_mean_usd'])} a day {when(period)} against "
                  f"{money(result['baseline_daily_mean_usd'])} a day over the {baseline.days} days before "
                  f"({result['baseline_period']}): {delta} {reply.cite(result)}.")


def anomalies(plan: Plan, known: Known, reply: Reply, now: date) -> None:
    f, period = plan.filters, plan.filters.period
    if period is not None and period.stated and period.start == period.end:
        _anomalies_on(plan, period.start, reply)
        return
    window = {"start": period.start.isoformat(), "end": period.end.isoformat()} if period and period.stated else {}
    result = reply.ask("anomalies", {"service": ce_name(f.service), **window})
    if reply.failed(result, "the anomalies"):
        return
    found = [a for a in result["anomalies"] if f.region in (None, a["region"])]
    if not found:
        reply.say(f"No cost anomalies in the latest report {reply.cite(result)}.")
        return
    reply.say(f"Cost anomalies {reply.cite(result)}:", *_anomaly_lines(found))


def _anomalies_on(plan: Plan, day: date, reply: Reply) -> None:
    """Anomalies on or around `day` (one day either side) with their drivers; else that day's cost against the
    detector's baseline."""
    service = ce_name(plan.filters.service)
    what = service or "any service"
    around = (day - timedelta(days=1), day + timedelta(days=1))
    result = reply.ask("anomalies", {"service": service, "start": around[0].isoformat(),
                                     "end": around[1].isoformat()})
    if reply.failed(result, "the anomalies"):
        return
    if result["anomalies"]:
        reply.say(f"Cost anomalies of {what} on or around {day} {reply.cite(result)}:",
                  *_anomaly_lines(result["anomalies"]))
        return
    reply.say(f"No cost anomaly was recorded for {what} on or around {day} ({around[0]}..{around[1]}) "
              f"{reply.cite(result)}.")
    _day_against_baseline(service, day, reply)


def _day_against_baseline(service: str | None, day: date, reply: Reply) -> None:
    """That day's stored cost against the mean of the same weekday over the previous 4 weeks (docs/rules.md)."""
    result = reply.ask("compare_spend", {"start": day.isoformat(), "end": day.isoformat(), "service": service,
                                         "baseline": "same_weekday"})
    if "error" in result:
        return
    name = service or "All services"
    if not result["actual_days_with_data"]:
        reply.say(f"No stored spend for {name} on {day} {reply.cite(result)}.")
        return
    weeks = result["baseline_days_with_data"]
    if weeks < 2:
        reply.say(f"{name} cost {money(result['actual_usd'])} on {day}; too little history for a baseline "
                  f"{reply.cite(result)}.")
        return
    pct = f" ({result['change_percentage']:+.1f} %)" if result["change_percentage"] is not None else ""
    reply.say(f"{name} cost {money(result['actual_usd'])} on {day} against a baseline of "
              f"{money(result['baseline_daily_mean_usd'])}{pct} (mean of the same weekday over the previous "
              f"{weeks} weeks) {reply.cite(result)}.")


def _anomaly_lines(found: list[dict[str, Any]]) -> list[str]:
    lines = []
    for a in found[:20]:
        text = (f"- {a['date']} {a['service']} {a['region']}".rstrip() + f": {money(a['actual_usd'])} against "
                f"{money(a['expected_usd'])} expected ({a['change_percentage']:+.1f} %)")
        drivers = [d for d in a["drivers"] if d["change_usd"]][:3]
        if drivers:
            text += "; driven by " + ", ".join(f"{d['usage_type']} ({money(d['change_usd'])})" for d in drivers)
        if a.get("baseline"):
            text += f"; expected = {a['baseline']}"
        lines.append(text)
    return lines


def forecast(plan: Plan, known: Known, reply: Reply, now: date) -> None:
    match = _NEXT_DAYS.search(plan.text.lower())
    result = reply.ask("forecast", {"days": int(match.group(1)) if match else 30})
    if reply.failed(result, "the forecast"):
        return
    scope = " (the forecast covers the whole account; none is stored per service or region)" \
        if plan.filters.service or plan.filters.region else ""
    if "mean_usd" in result:
        bounds = f" (between {money(result['lower_usd'])} and {money(result['upper_usd'])})" \
            if result.get("lower_usd") is not None and result.get("upper_usd") is not None else ""
        reply.say(f"Forecast spend for {result['period']}: {money(result['mean_usd'])}{bounds} "
                  f"{reply.cite(result)}{scope}.")
    else:
        reply.say(f"Forecast spend for the next {result['days']} days: {money(result['forecast_usd'])} "
                  f"({money(result['mean_daily_usd'])} a day, the mean of the last 14 stored days) "
                  f"{reply.cite(result)}{scope}.")


def run_cost(plan: Plan, known: Known, reply: Reply, now: date) -> None:
    """The latest run's own bill when the question is about the analysis; else the agent's stored spend."""
    period = plan.filters.period
    if _RUN.search(plan.text.lower()) and not (period and period.stated):
        result = reply.ask("report_summary", {})
        if reply.failed(result, "the latest report"):
            return
        cost = result["run_cost_usd"]
        reply.say(f"The latest analysis run ({result['period']}) cost {small_money(cost['total'])}: Bedrock "
                  f"{small_money(cost['bedrock'])}, AWS API requests {small_money(cost['aws_api'])}, Redshift "
                  f"{small_money(cost['redshift'])}, Lambda {small_money(cost['lambda'])} ({cost['input_tokens']:,} "
                  f"input and {cost['output_tokens']:,} output tokens) {reply.cite(result)}.")
        return
    window = {"start": period.start.isoformat(), "end": period.end.isoformat()} if period and period.stated else {}
    result = reply.ask("agent_costs", window)
    if reply.failed(result, "the agent's own costs"):
        return
    reply.say(f"What the agent itself spent ({result['period']}): {small_money(result['total_usd'])}: Bedrock "
              f"{small_money(result['bedrock_usd'])}, AWS API requests {small_money(result['aws_api_usd'])}, "
              f"Redshift {small_money(result['redshift_usd'])}, Lambda {small_money(result['lambda_usd'])} "
              f"({result['input_tokens']:,} input and {result['output_tokens']:,} output tokens, "
              f"{result['records']} records) {reply.cite(result)}.")
