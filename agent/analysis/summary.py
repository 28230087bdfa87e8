"""The deterministic executive summary: plain text built only from the report's own numbers.

It is the labelled fallback when no LLM narrates the report, so every dollar figure in it is a figure
of the report, formatted as $1,234.56.
"""

from __future__ import annotations

from tools.models import Report
from tools.resource_label import label

DETERMINISTIC_SOURCE = "deterministic (no LLM configured)"
TOP_OPPORTUNITIES = 5
TOP_ACTIONS = 3
TOP_ANOMALIES = 5


def money(value: float) -> str:
    return f"${value:,.2f}"


def _headline(report: Report) -> list[str]:
    period = f"{report.time_period.start.isoformat()} to {report.time_period.end.isoformat()}"
    lines = [f"Spend {period}: {money(report.total_monthly_cost)}."]
    if report.by_service:
        top = sorted(report.by_service.items(), key=lambda kv: -kv[1])[:3]
        lines.append("Largest services: " + ", ".join(f"{name} {money(v)}" for name, v in top) + ".")
    savings = report.savings
    lines.append(f"Savings found: {money(savings.total)} a month, counted once per resource across "
                 f"{len(report.opportunities)} opportunities: waste {money(savings.waste)} "
                 f"({report.waste_percentage:.2f} % of spend) and pricing levers (Reserved Instances, Savings Plans, "
                 f"spot) {money(savings.pricing_levers)}.")
    return lines


def _do_first(report: Report) -> list[str]:
    if not report.do_first:
        return []
    lines = ["Do this first:"]
    for action in report.do_first[:TOP_ACTIONS]:
        lines.append(f"{action.rank}. {label(action.resource_id, action.region, action.name)}: {action.action} "
                     f"({action.effort}), {money(action.monthly_saving)} a month, confidence "
                     f"{action.confidence:.2f}.")
    return lines


def _opportunities(report: Report) -> list[str]:
    if not report.opportunities:
        return ["No savings opportunities found."]
    lines = ["Top opportunities:"]
    for i, o in enumerate(report.opportunities[:TOP_OPPORTUNITIES], 1):
        lines.append(f"{i}. [{o.priority}] {o.type} ({o.service}): {o.resource_count} resource(s), "
                     f"{money(o.estimated_savings)} a month, confidence {o.confidence:.2f}.")
        first = o.resources[0]
        lines.append(f"   e.g. {first.resource_id} ({first.region}): {first.recommendation}")
    return lines


def _anomalies(report: Report) -> list[str]:
    if not report.anomalies:
        return ["No cost anomalies in the period."]
    lines = [f"Cost anomalies ({len(report.anomalies)}):"]
    for a in report.anomalies[:TOP_ANOMALIES]:
        where = f"{a.service} {a.region}".strip()
        text = (f"- {a.date.isoformat()} {where}: {money(a.actual_cost)} against {money(a.expected_cost)} "
                f"expected (+{a.change_percentage:.1f} %)")
        if a.drivers:
            text += "; driven by " + ", ".join(f"{d.usage_type} (+{money(d.change)})" for d in a.drivers[:3])
        lines.append(text + ".")
    return lines


def _gaps(report: Report) -> list[str]:
    lines = []
    if report.partial:
        scopes = ", ".join(e.scope for e in report.errors)
        lines.append(f"Partial results: {len(report.errors)} part(s) of the collection failed ({scopes}).")
    if report.insufficient_data:
        ids = ", ".join(str(x.get("resource_id")) for x in report.insufficient_data[:10])
        lines.append(f"Not enough data to judge {len(report.insufficient_data)} resource(s): {ids}.")
    if report.skipped_ignored:
        lines.append(f"Skipped by ignore tag: {len(report.skipped_ignored)} resource(s).")
    if report.missing:
        lines.append("Could not be measured: " + "; ".join(report.missing[:10]) + ".")
    return lines


def deterministic_summary(report: Report) -> str:
    """Executive summary from the numbers: spend, waste, top opportunities, anomalies, and the gaps."""
    sections = [_headline(report), _do_first(report), _opportunities(report), _anomalies(report), _gaps(report)]
    return "\n".join(line for section in sections for line in section if line)
