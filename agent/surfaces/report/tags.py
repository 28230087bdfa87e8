"""Spend by cost allocation tag: one small table per tag key (Cost Explorer's tag grouping, one month)."""

from __future__ import annotations

from html import escape

from agent.surfaces.report.charts import money
from tools.models import Report

MAX_VALUES = 12


def tags_section(report: Report) -> str:
    """'' when no tag key was asked (settings: COST_ALLOCATION_TAGS)."""
    if not report.by_tag:
        return ""
    parts = ["<h2>Spend by tag</h2>"]
    for key, values in report.by_tag.items():
        ranked = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
        shown = ranked[:MAX_VALUES]
        rest = sum(v for _, v in ranked[MAX_VALUES:])
        rows = "".join(f"<tr><td>{escape(value) if value else '<i>untagged</i>'}</td><td class=n>{money(amount)}</td>"
                       f"<td class=n>{100 * amount / report.total_monthly_cost:.1f} %</td></tr>"
                       for value, amount in shown if report.total_monthly_cost)
        if rest:
            rows += (f"<tr><td class=muted>{len(ranked) - MAX_VALUES} more values</td><td class=n>{money(rest)}</td>"
                     "<td></td></tr>")
        parts.append(f'<div class="scroll"><table><tr><th>{escape(key)}</th><th>spend / month</th><th>share</th>'
                     f"</tr>{rows}</table></div>")
    parts.append('<p class="muted">Cost Explorer\'s spend by cost allocation tag, made one month like the total; '
                 "activate more keys in the Billing console and list them in COST_ALLOCATION_TAGS.</p>")
    return "".join(parts)
