"""The report as one self-contained HTML file: inline CSS and SVG, no script, no font, nothing fetched."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from agent.surfaces.report.charts import daily_series, horizontal_bars, money, stacked_daily_chart
from tools.models import CostRow, Opportunity, Report
from tools.resource_label import display, short_id

TOP_OPPORTUNITIES = 15
RESOURCES_SHOWN = 5

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:0;background:#f8fafc;
color:#0f172a}
main{max-width:1160px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:19px;margin:28px 0 10px;border-bottom:2px solid #e2e8f0;padding-bottom:4px}
.muted{color:#64748b}.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:10px 14px;min-width:130px}
.card b{display:block;font-size:22px}.card span{color:#64748b;font-size:13px}
.summary{background:#fff;border-left:4px solid #2563eb;padding:12px 16px;white-space:pre-wrap;line-height:1.5;
max-height:420px;overflow:auto}
table{border-collapse:collapse;width:100%;background:#fff;font-size:14px}
th,td{border-bottom:1px solid #e2e8f0;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f1f5f9}td.n{text-align:right;font-variant-numeric:tabular-nums}
.ev{font-size:12px;color:#334155}.ev code{background:#f1f5f9;padding:0 3px;border-radius:3px}
.p-high{color:#b91c1c;font-weight:600}.p-medium{color:#b45309}.p-low{color:#475569}
.warn{background:#fef3c7;border:1px solid #f59e0b;padding:8px 12px;border-radius:6px}
svg.chart{background:#fff;border:1px solid #e2e8f0;border-radius:8px;max-width:100%;height:auto}
svg .grid{stroke:#e2e8f0}svg .ax{font-size:11px;fill:#64748b}svg .lg,svg .lb{font-size:13px;fill:#0f172a}
"""


def _cards(report: Report) -> str:
    rc = report.run_cost
    cards = [
        (money(report.total_monthly_cost), "spend in the period"),
        (money(report.savings.total), "monthly savings, each resource once"),
        (money(report.savings.waste), f"waste ({report.waste_percentage:.1f} % of spend)"),
        (money(report.savings.pricing_levers), "pricing levers (RI, SP, spot)"),
        (str(sum(o.resource_count for o in report.opportunities)), f"findings in {len(report.opportunities)} kinds"),
        (str(len(report.anomalies)), "cost anomalies"),
        (f"${rc.total:,.4f}", "what this run cost"),
    ]
    return '<div class="cards">' + "".join(f"<div class=card><b>{escape(v)}</b><span>{escape(t)}</span></div>"
                                          for v, t in cards) + "</div>"


def _evidence(evidence: dict[str, Any]) -> str:
    parts = []
    for key, value in evidence.items():
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        parts.append(f"<code>{escape(str(key))}</code> {escape(text[:300])}")
    return "; ".join(parts)


def _dollars(value: float | None) -> str:
    return "unpriced" if value is None else money(value)


def _opportunity_rows(opp: Opportunity) -> str:
    head = (f"<tr><td><b>{escape(opp.type)}</b><br><span class=muted>{escape(opp.description)}</span></td>"
            f"<td>{escape(opp.service)}</td><td class=n>{opp.resource_count}</td>"
            f"<td class=n><b>{money(opp.estimated_savings)}</b></td><td class=p-{opp.priority}>{opp.priority}</td>"
            f"<td class=n>{opp.confidence:.2f}</td></tr>")
    resources = sorted(opp.resources, key=lambda f: -f.savings)
    rows = [head]
    for f in resources[:RESOURCES_SHOWN]:
        rows.append(f"<tr class=ev><td colspan=6>&#8627; <b title=\"{escape(f.resource_id)}\">"
                    f"{escape(short_id(f.resource_id, f.name))}</b> ({escape(f.region)}"
                    f"{', ' + escape(f.resource_type) if f.resource_type else ''}) "
                    f"costs {_dollars(f.monthly_cost)}/mo, saves {_dollars(f.estimated_savings)}: "
                    f"{escape(f.recommendation)}<br>{_evidence(f.evidence)}"
                    f"</td></tr>")
    if len(resources) > RESOURCES_SHOWN:
        rows.append(f"<tr class=ev><td colspan=6 class=muted>and {len(resources) - RESOURCES_SHOWN} more "
                    "(all in report.json)</td></tr>")
    return "".join(rows)


def _opportunities(report: Report) -> str:
    if not report.opportunities:
        return '<p class="muted">No opportunities found.</p>'
    top = sorted(report.opportunities, key=lambda o: -o.estimated_savings)[:TOP_OPPORTUNITIES]
    return ("<table><tr><th>type</th><th>service</th><th>resources</th><th>savings / month</th><th>priority</th>"
            "<th>confidence</th></tr>" + "".join(_opportunity_rows(o) for o in top) + "</table>")


def _anomalies(report: Report) -> str:
    if not report.anomalies:
        return '<p class="muted">No cost anomalies in the period.</p>'
    rows = []
    for a in sorted(report.anomalies, key=lambda a: a.date):
        drivers = ", ".join(f"{escape(d.usage_type)} {money(d.expected_cost)} &#8594; {money(d.actual_cost)}"
                            for d in a.drivers[:3])
        rows.append(f"<tr><td>{a.date}</td><td>{escape(a.service)}</td><td>{escape(a.region)}</td>"
                    f"<td class=n>{money(a.expected_cost)}</td><td class=n>{money(a.actual_cost)}</td>"
                    f"<td class=n>{a.change_percentage:+.1f} %</td><td>{drivers}<br>"
                    f"<span class=muted>{escape(a.baseline)}</span></td></tr>")
    return ("<table><tr><th>date</th><th>service</th><th>region</th><th>expected</th><th>actual</th><th>change</th>"
            "<th>drivers</th></tr>" + "".join(rows) + "</table>")


def _run_cost(report: Report) -> str:
    rc = report.run_cost
    calls = sum(c.calls for c in report.api_calls)
    paid = [(c, c.paid_usd) for c in report.api_calls if c.paid_usd]
    rows = [("Bedrock (LLM)", rc.bedrock, f"{rc.input_tokens:,} input + {rc.output_tokens:,} output tokens"),
            ("Redshift Serverless", rc.redshift, "RPU time of CUR queries"),
            ("Lambda", rc.lambda_, "GB-seconds"),
            ("Paid AWS API requests", rc.aws_api, f"{calls:,} AWS calls in total; " +
             ", ".join(f"{escape(c.service)}:{escape(c.operation)} ${usd:.4f}" for c, usd in paid[:6]))]
    body = "".join(f"<tr><td>{name}</td><td class=n>${usd:,.4f}</td><td>{note}</td></tr>" for name, usd, note in rows)
    return (f"<table><tr><th>component</th><th>cost</th><th>what</th></tr>{body}"
            f"<tr><td><b>total</b></td><td class=n><b>${rc.total:,.4f}</b></td><td></td></tr></table>")


def _partial(report: Report) -> str:
    if not report.partial:
        return ""
    errs = "".join(f"<li><code>{escape(e.scope)}</code> {escape(e.error.splitlines()[0][:160] if e.error else '')}</li>"
                   for e in report.errors[:10])
    return f'<div class="warn"><b>Partial results:</b> some regions or services failed.<ul>{errs}</ul></div>'


def _notes(report: Report) -> str:
    parts = []
    if report.insufficient_data:
        ids = ", ".join(escape(display(str(x.get("resource_id", "")), str(x.get("region", "")), str(x.get("name", ""))))
                        for x in report.insufficient_data[:20])
        parts.append(f"<p>Too little data to judge {len(report.insufficient_data)} resource(s): {ids}.</p>")
    if report.skipped_ignored:
        parts.append(f"<p>Skipped by tag: {escape(', '.join(display(x) for x in report.skipped_ignored[:20]))}.</p>")
    if report.missing:
        missing = escape("; ".join(report.missing))
        parts.append(f"<p class=muted>Not offered by this account or endpoint: {missing}.</p>")
    return "".join(parts)


def savings_by_type(report: Report) -> dict[str, float]:
    """Each type's share of the savings total: the bars add up to the total tile."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    for share in report.savings.by_opportunity:
        if share.counted:
            out[share.type] += Decimal(str(share.counted))
    return {k: float(v) for k, v in out.items()}


def render_html(report: Report, daily: list[CostRow] | None = None) -> str:
    """The whole page. `daily` holds the stored daily cost rows (service x day) for the chart."""
    tp = report.time_period
    days, series = daily_series(daily or [], tp.start, tp.end)
    when = report.generated_at.strftime("%Y-%m-%d %H:%M UTC") if report.generated_at else ""
    account = f"account {escape(report.account_id)}, " if report.account_id else ""
    regions = escape(", ".join(report.regions)) if report.regions else "all enabled regions"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>AWS cost report {tp.start} to {tp.end}</title><style>{CSS}</style></head>
<body><main>
<h1>AWS cost report</h1>
<p class="muted">{account}{tp.start} to {tp.end} &middot; {regions} &middot; generated {escape(when)}</p>
{_cards(report)}
<h2>Executive summary</h2>
<div class="summary">{escape(report.executive_summary or "No summary was produced.")}</div>
<p class="muted">Summary: {escape(report.summary_source or "n/a")}</p>
{_partial(report)}
<h2>Daily cost by service</h2>
{stacked_daily_chart(days, series)}
<h2>Monthly savings by type (each resource once)</h2>
{horizontal_bars(savings_by_type(report), "Savings by type")}
<h2>Top opportunities, with evidence</h2>
{_opportunities(report)}
<h2>Anomalies</h2>
{_anomalies(report)}
<h2>What this run cost</h2>
{_run_cost(report)}
<h2>Coverage</h2>
{_notes(report) or '<p class="muted">Every resource had enough data.</p>'}
</main></body></html>
"""


def write_html(report: Report, path: Path, daily: list[CostRow] | None = None) -> Path:
    path.write_text(render_html(report, daily), encoding="utf-8")
    return path
