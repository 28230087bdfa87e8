"""Answers about spend: a total, a breakdown (service, region, usage type, tag, day), the top N, a share of the
previous answer. Every figure is a field of a tool result, cited; a period with nothing stored says so."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from agent.analysis.summary import money
from agent.graphs.chat import vocabulary as vocab
from agent.graphs.chat.cur import PRODUCT_CODES
from agent.graphs.chat.entities import Known
from agent.graphs.chat.plan import Period, Plan
from agent.graphs.chat.reply import Reply, ce_name, no_data, region_not_collected, service_label, when
from agent.graphs.context import base_settings

_CUR = re.compile(r"\bcur\b|\bcost and usage report\b|\bredshift\b")
_GROUP_NAMES = {"service": "service", "region": "region", "usage_type": "usage type", "tag": "tag"}


def subject(service: str | None, region: str | None, tag: tuple[str | None, str | None] = (None, None)) -> str:
    """'Amazon Relational Database Service in eu-west-1', 'of team=data', 'in total'."""
    parts = [ce_name(service) or "", f"in {region}" if region else "",
             f"of {tag[0]}={tag[1]}" if tag[0] and tag[1] is not None else ""]
    return " ".join(p for p in parts if p) or "in total"


def _coverage(result: dict[str, Any], period: Period, key: str = "days_with_data") -> str:
    days = (period.end - period.start).days + 1
    have = int(result.get(key, days))
    return f" (stored data covers {have} of its {days} days)" if 0 < have < days else ""


def _listing(values: dict[str, float], limit: int | None = None) -> str:
    ordered = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return "; ".join(f"{k or 'untagged'} {money(v)}" for k, v in ordered)


def spend(plan: Plan, known: Known, reply: Reply, now: date) -> None:
    f = plan.filters
    period = f.period
    assert period is not None
    if plan.unknown_region:
        region_not_collected(reply, known, now, plan.unknown_region)
        return
    if f.tag_key and (plan.group_by == "tag" or f.tag_value is not None):
        spend_by_tag(plan, known, reply, now)
        return
    if plan.group_by in ("day", "month"):
        _trend(plan, reply, known, now)
        return
    if plan.shape == "share" and f.service:
        _share(plan, known, reply, now)
        return
    if _CUR.search(plan.text.lower()) and base_settings().redshift_workgroup:
        _cur(plan, reply)
        return
    for service in [f.service, *plan.extra_services]:
        _one_service(plan, service, known, reply, now)


def _one_service(plan: Plan, service: str | None, known: Known, reply: Reply, now: date) -> None:
    f, period = plan.filters, plan.filters.period
    assert period is not None
    found = vocab.SERVICE_BY_KEY.get(service or "")
    group = plan.group_by if plan.group_by in ("service", "region", "usage_type") else "service"
    result = reply.ask("spend", {"start": period.start.isoformat(), "end": period.end.isoformat(),
                                 "service": ce_name(service), "region": f.region, "group_by": group,
                                 "usage": found.usage if found and found.usage else None})
    if reply.failed(result, "the spend"):
        return
    if not result["days_with_data"]:
        no_data(reply, known, now, period)
        return
    total = f"{money(result['total_usd'])} {reply.cite(result)}"
    if found and found.usage:
        everywhere = " (all regions: usage types are not split by region)" if f.region else ""
        reply.say(f"Spend on {found.noun} ({found.usage} usage types) {when(period)}: {money(result['usage_usd'])} "
                  f"{reply.cite(result)}{everywhere}{_coverage(result, period)}.",
                  f"They are billed under {found.ce}: {subject(service, f.region)} {when(period)} {total}.")
    else:
        reply.say(f"Spend {subject(service, f.region)} {when(period)}: {total}{_coverage(result, period)}.")
    breakdown: dict[str, float] = result[f"by_{group}"]
    if plan.shape == "top" and breakdown:
        _top(plan, _GROUP_NAMES[group], breakdown, period, reply, result)
    elif len(breakdown) > 1 and (plan.group_by or not service):
        reply.say(f"By {_GROUP_NAMES[group]}: {_listing(breakdown)}.")


def _top(plan: Plan, name: str, values: dict[str, float], period: Period, reply: Reply,
         result: dict[str, Any], basis: str = "") -> None:
    ordered = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
    n = plan.top_n or 1
    if n == 1:
        best, value = ordered[0]
        reply.say(f"The {name} that spent the most {when(period)}{basis}: {best or 'untagged'} with {money(value)} "
                  f"{reply.cite(result)}.")
    else:
        reply.say(f"Top {min(n, len(ordered))} by {name} {when(period)}{basis} {reply.cite(result)}: "
                  + "; ".join(f"{i}. {k or 'untagged'} {money(v)}" for i, (k, v) in enumerate(ordered[:n], 1)) + ".")
    if n == 1 and len(ordered) > 1:
        reply.say(f"All by {name}: {_listing(values)}.")


def _share(plan: Plan, known: Known, reply: Reply, now: date) -> None:
    f, period = plan.filters, plan.filters.period
    assert period is not None
    base = {"start": period.start.isoformat(), "end": period.end.isoformat(), "region": f.region}
    part = reply.ask("spend", {**base, "service": ce_name(f.service)})
    whole = reply.ask("spend", {**base, "service": ce_name(plan.share_of)})
    if reply.failed(part, "the spend") or reply.failed(whole, "the spend"):
        return
    if not whole["days_with_data"]:
        no_data(reply, known, now, period)
        return
    share = f" ({100 * part['total_usd'] / whole['total_usd']:.1f} % of {money(whole['total_usd'])}, spend " \
            f"{subject(plan.share_of, f.region)})" if whole["total_usd"] else ""
    reply.say(f"Of that, {ce_name(f.service)} {when(period)}: {money(part['total_usd'])}{share} "
              f"{reply.cite(part)} {reply.cite(whole)}.")


def _cur(plan: Plan, reply: Reply) -> None:
    """Spend from the Cost and Usage Report (a billed Redshift statement), asked for by name."""
    f, period = plan.filters, plan.filters.period
    assert period is not None
    group = plan.group_by if plan.group_by in ("service", "region", "usage_type") else "service"
    result = reply.ask("cur_spend", {"start": period.start.isoformat(), "end": period.end.isoformat(),
                                     "group_by": group, "service": f.service if f.service in PRODUCT_CODES else None})
    if reply.failed(result, "the Cost and Usage Report"):
        return
    reply.say(f"Spend {subject(f.service, None)} {when(period)} in the Cost and Usage Report: "
              f"{money(result['total_usd'])} {reply.cite(result)}.")
    breakdown = result[f"by_{group}"]
    if len(breakdown) > 1:
        reply.say(f"By {_GROUP_NAMES[group]}: {_listing(breakdown)}.")


def _trend(plan: Plan, reply: Reply, known: Known, now: date) -> None:
    f, period = plan.filters, plan.filters.period
    assert period is not None
    granularity = "month" if plan.group_by == "month" else "day"
    result = reply.ask("spend_trend", {"start": period.start.isoformat(), "end": period.end.isoformat(),
                                       "service": ce_name(f.service), "region": f.region,
                                       "granularity": granularity})
    if reply.failed(result, "the spend"):
        return
    if not result["series"]:
        no_data(reply, known, now, period)
        return
    reply.say(f"Spend {subject(f.service, f.region)} per {granularity} {when(period)} {reply.cite(result)}:")
    reply.say(*(f"- {p['period']}: {money(p['cost_usd'])}" for p in result["series"]))


def _tag_basis(result: dict[str, Any], period: Period) -> str:
    """' (Cost Explorer, by cost allocation tag)' or ' (per-resource costs ...)', with the days it covers."""
    if result["tag_basis"] == "cost_explorer":
        stored = result["tag_period"]
        other = "" if stored == f"{period.start}..{period.end}" else \
            f"; Cost Explorer's spend by tag is stored for {stored} only, so these figures cover {stored}"
        return f" (Cost Explorer, by cost allocation tag{other})"
    return " (per-resource costs of the tagged resources)" + _coverage(result, period, "tag_days_with_data")


def spend_by_tag(plan: Plan, known: Known, reply: Reply, now: date) -> None:
    """Spend per value of one tag, or one value's: Cost Explorer's by tag, else per-resource costs; with neither
    for the period, the latest inventory's monthly cost per value, said as such."""
    f, period = plan.filters, plan.filters.period
    assert period is not None and f.tag_key
    result = reply.ask("spend", {"start": period.start.isoformat(), "end": period.end.isoformat(),
                                 "service": ce_name(f.service), "region": f.region, "group_by": "tag",
                                 "tag_key": f.tag_key})
    if reply.failed(result, "the spend by tag"):
        return
    if result["tag_basis"] == "none":
        _tag_run_rate(plan, reply, period)
        return
    values: dict[str, float] = result["by_tag"]
    basis = _tag_basis(result, period)
    tagged = subject(f.service, f.region, (f.tag_key, f.tag_value))
    if f.tag_value is not None and f.tag_value not in values:
        reply.say(f"No stored costs {tagged} {when(period)}{basis} {reply.cite(result)}.")
    elif f.tag_value is not None:
        reply.say(f"Spend {tagged} {when(period)}: {money(values[f.tag_value])}{basis} {reply.cite(result)}.")
    elif plan.shape == "top" and values:
        _top(plan, f.tag_key, values, period, reply, result, basis)
    else:
        what = f"{subject(f.service, f.region)} by {f.tag_key}" if f.service or f.region else f"by {f.tag_key}"
        reply.say(f"Spend {what} {when(period)}{basis} {reply.cite(result)}: {_listing(values)}.")


def _tag_run_rate(plan: Plan, reply: Reply, period: Period) -> None:
    f = plan.filters
    result = reply.ask("resources", {"group_by": "tag", "tag_key": f.tag_key, "tag_value": f.tag_value,
                                     "service": service_label(f.service), "region": f.region, "limit": 1})
    if reply.failed(result, "the inventory"):
        return
    groups = result.get("by_tag", {})
    listing = "; ".join(f"{k or 'untagged'} {money(v['monthly_cost_usd'])} ({v['count']} resources)"
                        for k, v in groups.items())
    reply.say(f"No per-resource costs are stored {when(period)}, so here is the monthly cost of the latest "
              f"inventory's resources by {f.tag_key} at price-book rates {reply.cite(result)}: {listing or 'none'}.")
