"""The deterministic chat: a small intent router over the same read-only queries, used without an LLM
(or when Bedrock fails). It answers spend by service, region or period, the biggest opportunities, idle
resources and anomalies (on a given day too), each figure with its source; a compound question ("what did we
spend on EC2 last month and why did Lambda jump on the 15th?") is split into parts answered in turn; anything
else gets a plain "cannot answer"."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from agent.analysis.summary import money
from agent.graphs.chat.dates import day_of
from agent.graphs.chat.tools import CE_SERVICES, run_query, today
from agent.llm.prompts import DETERMINISTIC_CHAT_CANNOT
from tools.regions import KNOWN_REGIONS

IDLE_TYPES = ("idle_resource", "idle_database", "idle_nat_gateway", "unused_elastic_ip", "unattached_volume")
_ISO = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_LAST_DAYS = re.compile(r"\blast (\d{1,3}) days\b")
_INTENTS = (("anomalies", re.compile(r"anomal|spike|jump|unusual|surge")),
            ("idle", re.compile(r"\bidle\b|\bunused\b|unattached|doing nothing")),
            ("opportunities", re.compile(r"opportunit|sav(e|ing)|waste|recommend|optimi[sz]")),
            ("spend", re.compile(r"spen[dt]|\bcost|\bbill|how much")))
_CLAUSE = re.compile(r"(\band\b|[?;])")
BASELINE_WEEKS = 4
_WORD = {alias: re.compile(rf"\b{re.escape(alias)}\b", re.IGNORECASE) for alias in CE_SERVICES if " " not in alias}


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
        ids = ", ".join(r.get("name") or r["resource_id"] for r in o["largest"][:3])
        lines.append(f"- {o['type']} ({o['service']}): {o['resources']} resource(s), "
                     f"{money(o['monthly_savings_usd'])} a month, priority {o['priority']}; e.g. {ids}")
    return "\n".join(lines), sources[:1]


def _anomalies(question: str) -> tuple[str, list[str]]:
    day = day_of(question, today())
    if day is not None:
        return _anomalies_on(question, day)
    result = run_query("anomalies", {"service": service_of(question)})
    if "error" in result:
        return f"I could not read the anomalies: {result['error']}", []
    source = result["source"]
    if not result["anomalies"]:
        return f"No cost anomalies in the latest report {_cite(source)}.", [source]
    return "\n".join([f"Cost anomalies {_cite(source)}:", *_anomaly_lines(result["anomalies"])]), [source]


def _anomalies_on(question: str, day: date) -> tuple[str, list[str]]:
    """Anomalies on or around `day` (one day either side) with their drivers; else that day's cost vs baseline."""
    service = service_of(question)
    subject = CE_SERVICES[service] if service else "any service"
    around = (day - timedelta(days=1), day + timedelta(days=1))
    result = run_query("anomalies", {"service": service, "start": around[0].isoformat(), "end": around[1].isoformat()})
    if "error" in result:
        return f"I could not read the anomalies: {result['error']}", []
    source = result["source"]
    if result["anomalies"]:
        lines = _anomaly_lines(result["anomalies"])
        return "\n".join([f"Cost anomalies of {subject} on or around {day} {_cite(source)}:", *lines]), [source]
    text = f"No cost anomaly was recorded for {subject} on or around {day} ({around[0]}..{around[1]}) {_cite(source)}."
    baseline, sources = _day_against_baseline(service, day)
    return (f"{text}\n{baseline}" if baseline else text), [source, *sources]


def _day_against_baseline(service: str | None, day: date) -> tuple[str, list[str]]:
    """That day's stored cost against the mean of the same weekday over the previous 4 weeks (docs/rules.md)."""
    start = day - timedelta(days=7 * BASELINE_WEEKS)
    result = run_query("spend_trend", {"start": start.isoformat(), "end": day.isoformat(), "service": service})
    if "error" in result:
        return "", []
    costs = {p["period"]: p["cost_usd"] for p in result["series"]}
    source = result["source"]
    subject = CE_SERVICES[service] if service else "All services"
    if day.isoformat() not in costs:
        return f"No stored spend for {subject} on {day} {_cite(source)}.", [source]
    actual = costs[day.isoformat()]
    same_weekdays = [(day - timedelta(days=7 * k)).isoformat() for k in range(1, BASELINE_WEEKS + 1)]
    weeks = [costs[d] for d in same_weekdays if d in costs]
    if len(weeks) < 2:
        return f"{subject} cost {money(actual)} on {day}; too little history for a baseline {_cite(source)}.", [source]
    mean = sum(weeks) / len(weeks)
    change = f" ({100 * (actual - mean) / mean:+.1f} %)" if mean else ""
    return (f"{subject} cost {money(actual)} on {day} against a baseline of {money(mean)}{change} "
            f"(mean of the same weekday over the previous {len(weeks)} weeks) {_cite(source)}."), [source]


def _anomaly_lines(anomalies: list[dict[str, Any]]) -> list[str]:
    lines = []
    for a in anomalies[:5]:
        text = (f"- {a['date']} {a['service']} {a['region']}".rstrip() + f": {money(a['actual_usd'])} against "
                f"{money(a['expected_usd'])} expected ({a['change_percentage']:+.1f} %)")
        if any(d["change_usd"] for d in a["drivers"]):
            drivers = [d for d in a["drivers"] if d["change_usd"]][:3]
            text += "; driven by " + ", ".join(f"{d['usage_type']} ({money(d['change_usd'])})" for d in drivers)
        lines.append(text)
    return lines


def intent_of(text: str) -> str | None:
    """The kind of question ('anomalies', 'idle', 'opportunities', 'spend'), first match wins; None if unknown."""
    q = text.lower()
    return next((name for name, pattern in _INTENTS if pattern.search(q)), None)


def parts_of(question: str) -> list[tuple[str, str]]:
    """(intent, text) parts of a compound question, split at 'and', '?' and ';'. A clause of no known kind
    ('... on EC2 and RDS') stays with the clause before it; neighbouring clauses of one kind are joined."""
    parts: list[list[str]] = []
    pieces = _CLAUSE.split(question)
    for i in range(0, len(pieces), 2):
        clause, sep = pieces[i], pieces[i + 1] if i + 1 < len(pieces) else ""
        kind = intent_of(clause) if clause.strip() else None
        if parts and (kind is None or kind == parts[-1][0]):
            parts[-1][1] += clause + sep
        else:
            parts.append([kind or "", clause + sep])
    if len(parts) > 1 and not parts[0][0]:
        first = parts.pop(0)
        parts[0][1] = first[1] + parts[0][1]
    return [(kind, text.strip(" ;?").removesuffix(" and").strip()) for kind, text in parts]


def _answer_one(kind: str | None, question: str) -> tuple[str, list[str]]:
    if kind == "anomalies":
        return _anomalies(question)
    if kind in ("idle", "opportunities"):
        return _opportunities(question, idle=kind == "idle")
    if kind == "spend":
        return _spend(question)
    return DETERMINISTIC_CHAT_CANNOT.format(question=question), []


def answer(question: str) -> tuple[str, list[str]]:
    """(answer, sources) for the common kinds of question, each part of a compound one in turn; says plainly
    what it cannot answer."""
    parts = parts_of(question)
    if len(parts) <= 1:
        return _answer_one(intent_of(question), question)
    return answer_parts(parts)


def answer_parts(parts: list[tuple[str, str]]) -> tuple[str, list[str]]:
    """(answer, sources) of (intent, text) parts, one paragraph each."""
    texts: list[str] = []
    sources: list[str] = []
    for kind, text in parts:
        part_text, part_sources = _answer_one(kind, text)
        texts.append(part_text)
        sources += [s for s in part_sources if s not in sources]
    return "\n\n".join(texts), sources
