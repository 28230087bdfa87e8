"""The report as one self-contained HTML file: inline CSS and SVG, no script, no font, nothing fetched."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from html import escape
from pathlib import Path

from agent.surfaces.report.accounts import accounts_section
from agent.surfaces.report.charts import daily_series, horizontal_bars, money, stacked_daily_chart
from agent.surfaces.report.do_first import do_first_section
from agent.surfaces.report.opportunities import opportunities_table
from agent.surfaces.report.prices_used import PriceList
from agent.surfaces.report.style import CSS
from agent.surfaces.report.tags import tags_section
from tools.models import CostRow, Report
from tools.resource_label import display


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
    return ('<div class="scroll"><table><tr><th>date</th><th>service</th><th>region</th><th>expected</th>'
            "<th>actual</th><th>change</th><th>drivers</th></tr>" + "".join(rows) + "</table></div>")


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
    return (f'<div class="scroll"><table><tr><th>component</th><th>cost</th><th>what</th></tr>{body}'
            f"<tr><td><b>total</b></td><td class=n><b>${rc.total:,.4f}</b></td><td></td></tr></table></div>")


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
    prices = PriceList()  # cited in page order: the do-first table's sources get the first numbers
    do_first = do_first_section(report, prices)
    opportunities = opportunities_table(report, prices)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>AWS cost report {tp.start} to {tp.end}</title><style>{CSS}</style></head>
<body><main>
<h1>AWS cost report</h1>
<p class="muted">{account}{tp.start} to {tp.end} &middot; {regions} &middot; generated {escape(when)}</p>
{_cards(report)}
{_partial(report)}
{do_first}
{accounts_section(report)}
{tags_section(report)}
<h2>Executive summary</h2>
<div class="summary">{escape(report.executive_summary or "No summary was produced.")}</div>
<p class="muted">Summary: {escape(report.summary_source or "n/a")}</p>
<h2>Daily cost by service</h2>
{stacked_daily_chart(days, series)}
<h2>Monthly savings by type (each resource once)</h2>
{horizontal_bars(savings_by_type(report), "Savings by type")}
<h2>Opportunities, with evidence</h2>
{opportunities}
<h2>Anomalies</h2>
{_anomalies(report)}
<h2>What this run cost</h2>
{_run_cost(report)}
<h2>Coverage</h2>
{_notes(report) or '<p class="muted">Every resource had enough data.</p>'}
<h2 id="prices">Prices used</h2>
{prices.render()}
</main></body></html>
"""


def write_html(report: Report, path: Path, daily: list[CostRow] | None = None) -> Path:
    path.write_text(render_html(report, daily), encoding="utf-8")
    return path
