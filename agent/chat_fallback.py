"""The deterministic chat: a small intent router over the same read-only queries, used without an LLM
(or when Bedrock fails). It answers spend by service, region or period, the biggest opportunities, idle
resources and anomalies, each figure with its source; anything else gets a plain "cannot answer"."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from agent.chat_tools import CE_SERVICES, run_query, today
from agent.prompts import DETERMINISTIC_CHAT_CANNOT
from tools.aws.regions import KNOWN_REGIONS

IDLE_TYPES = ("idle_resource", "idle_database", "idle_nat_gateway", "unused_elastic_ip", "unattached_volume")
_ISO = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_LAST_DAYS = re.compile(r"\blast (\d{1,3}) days\b")
_WORD = {alias: re.compile(rf"\b{re.escape(alias)}\b", re.IGNORECASE) for alias in CE_SERVICES if " " not in alias}


def money(value: float) -> str:
    return f"${value:,.2f}"


def period_of(question: str, now: date) -> tuple[date, date, str]:
    """(start, end, words) of the period a question names; the last 30 days by default."""
    q = question.lower()
    yesterday = now - timedelta(days=1)
    dates = _ISO.findall(q)
    if len(dates) >= 2:
        first, last = sorted(date.fromisoformat(d) for d in dates[:2])
        return first, last, f"{first}..{last}"
    if "last month" in q or "previous month" in q:
        end = now.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end, "last month"
    if "this month" in q or "month to date" in q:
        start = now.replace(day=1)
        return start, max(start, yesterday), "this month"
    if "yesterday" in q:
        return yesterday, yesterday, "yesterday"
    if "last week" in q:
        return now - timedelta(days=7), yesterday, "the last 7 days"
    match = _LAST_DAYS.search(q)
    days = int(match.group(1)) if match else 30
    return now - timedelta(days=days), yesterday, f"the last {days} days"


def service_of(question: str) -> str | None:
    for alias, pattern in _WORD.items():
        if pattern.search(question):
            return alias
    return None


def region_of(question: str) -> str | None:
    for token in re.findall(r"\b[a-z]{2}(?:-[a-z]+)+-\d\b", question.lower()):
        if token in KNOWN_REGIONS:
            return token
    return None


def _cite(source: str) -> str:
    # Capitalised: terminals that read '[lowercase ...]' as markup (rich) would swallow the citation.
    return f"[Source: {source}]"


def _spend(question: str) -> tuple[str, list[str]]:
    start, end, words = period_of(question, today())
    service, region = service_of(question), region_of(question)
    group = "region" if re.search(r"\b(by|per|each) region\b|\bregions\b", question.lower()) else "service"
    result = run_query("spend", {"start": start.isoformat(), "end": end.isoformat(), "service": service,
                                 "region": region, "group_by": group})
    if "error" in result:
        return f"I could not read the spend: {result['error']}", []
    source = result["source"]
    subject = " ".join(x for x in (service and CE_SERVICES[service], region and f"in {region}") if x) or "in total"
    lines = [f"Spend {subject} for {words} ({start}..{end}): {money(result['total_usd'])} {_cite(source)}."]
    breakdown = sorted(result[f"by_{group}"].items(), key=lambda kv: -kv[1])[:8]
    if len(breakdown) > 1:
        lines.append(f"By {group}: " + "; ".join(f"{k} {money(v)}" for k, v in breakdown) + ".")
    return "\n".join(lines), [source]


def _opportunities(question: str, idle: bool) -> tuple[str, list[str]]:
    service = service_of(question)
    found: list[dict[str, Any]] = []
    sources: list[str] = []
    for kind in (IDLE_TYPES if idle else (None,)):
        result = run_query("top_opportunities", {"limit": 5, "service": service, "type": kind})
        if "error" in result:
            return f"I could not read the opportunities: {result['error']}", []
        found += result["opportunities"]
        sources.append(result["source"])
    if not found:
        return f"No {'idle resources' if idle else 'savings opportunities'} in the latest report " \
               f"{_cite(sources[0])}.", sources[:1]
    found.sort(key=lambda o: -o["monthly_savings_usd"])
    title = "Idle resources" if idle else "Biggest savings opportunities"
    lines = [f"{title} {_cite(sources[0])}:"]
    for o in found[:5]:
        ids = ", ".join(r["resource_id"] for r in o["largest"][:3])
        lines.append(f"- {o['type']} ({o['service']}): {o['resources']} resource(s), "
                     f"{money(o['monthly_savings_usd'])} a month, priority {o['priority']}; e.g. {ids}")
    return "\n".join(lines), sources[:1]


def _anomalies(question: str) -> tuple[str, list[str]]:
    result = run_query("anomalies", {"service": service_of(question)})
    if "error" in result:
        return f"I could not read the anomalies: {result['error']}", []
    source = result["source"]
    if not result["anomalies"]:
        return f"No cost anomalies in the latest report {_cite(source)}.", [source]
    lines = [f"Cost anomalies {_cite(source)}:"]
    for a in result["anomalies"][:5]:
        text = (f"- {a['date']} {a['service']} {a['region']}".rstrip() + f": {money(a['actual_usd'])} against "
                f"{money(a['expected_usd'])} expected ({a['change_percentage']:+.1f} %)")
        if any(d["change_usd"] for d in a["drivers"]):
            drivers = [d for d in a["drivers"] if d["change_usd"]][:3]
            text += "; driven by " + ", ".join(f"{d['usage_type']} ({money(d['change_usd'])})" for d in drivers)
        lines.append(text)
    return "\n".join(lines), [source]


def answer(question: str) -> tuple[str, list[str]]:
    """(answer, sources) for the common kinds of question; says plainly what it cannot answer."""
    q = question.lower()
    if re.search(r"anomal|spike|jump|unusual|surge", q):
        return _anomalies(question)
    if re.search(r"\bidle\b|\bunused\b|unattached|doing nothing", q):
        return _opportunities(question, idle=True)
    if re.search(r"opportunit|sav(e|ing)|waste|recommend|optimi[sz]", q):
        return _opportunities(question, idle=False)
    if re.search(r"spen[dt]|\bcost|\bbill|how much", q):
        return _spend(question)
    return DETERMINISTIC_CHAT_CANNOT.format(question=question), []
