"""The opportunity table: each kind's counted share of the total, and its largest findings with their evidence as
sentences, the prices cited from one list and the raw evidence one click away."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from agent.analysis.savings import counted_findings
from agent.surfaces.report.charts import money
from agent.surfaces.report.evidence_text import PRICE_SOURCES, sentences
from agent.surfaces.report.prices_used import PriceList
from tools.models import Finding, Opportunity, Report
from tools.resource_label import short_id

TOP_OPPORTUNITIES = 15
RESOURCES_SHOWN = 5
SOURCE_NAMES = {"price_source": "price", "target_price_source": "target price",
                "transition_fee_source": "transition fee"}

FindingKey = tuple[str, str, str, str, str]


def _key(opp: Opportunity, f: Finding) -> FindingKey:
    return opp.type, opp.service, f.account_id, f.region, f.resource_id


def merged_into(report: Report) -> dict[FindingKey, str]:
    """Each finding left out of the total -> which finding carries its resource ('rightsizing ($280.14)')."""
    out: dict[FindingKey, str] = {}
    for item in counted_findings(report.opportunities):
        carrier, f = item.opportunity, item.finding
        for opp, merged in item.merged:
            other = "" if merged.resource_id == f.resource_id else f" of {short_id(f.resource_id, f.name)}"
            out[_key(opp, merged)] = f"{carrier.type}{other} ({money(f.savings)})"
    return out


def _dollars(value: float | None) -> str:
    return "unpriced" if value is None else money(value)


def _prices_line(evidence: dict[str, Any], basis: str, prices: PriceList) -> str:
    parts = [f"{SOURCE_NAMES[k]} {prices.cite(str(evidence[k]))}" for k in PRICE_SOURCES if evidence.get(k)]
    arithmetic = f"<code>{escape(str(evidence['arithmetic']))}</code>" if evidence.get("arithmetic") else ""
    sources = f" &middot; {escape(basis)} " + ", ".join(parts) if parts else ""
    return f"<div>{arithmetic}{sources}</div>" if arithmetic or sources else ""


def finding_row(opp: Opportunity, f: Finding, merged: dict[FindingKey, str], prices: PriceList) -> str:
    note = merged.get(_key(opp, f), "another finding") if not f.counted else ""
    badge = f' <span class="badge merged-into">merged into {escape(note)}</span>' if note else ""
    said = "".join(f"<li>{escape(s)}</li>" for s in sentences(opp.type, f.evidence))
    raw = escape(json.dumps(f.evidence, indent=1, default=str), quote=False)
    return (f"<tr class=ev><td colspan=6 class=wide>&#8627; <b title=\"{escape(f.resource_id)}\">"
            f"{escape(short_id(f.resource_id, f.name))}</b> ({escape(f.region)}"
            f"{', ' + escape(f.resource_type) if f.resource_type else ''}) "
            f"costs {_dollars(f.monthly_cost)}/mo, saves {_dollars(f.estimated_savings)}{badge}: "
            f"{escape(f.recommendation)}<ul>{said}</ul>{_prices_line(f.evidence, f.price_basis, prices)}"
            f"<details><summary>raw evidence</summary><pre>{raw}</pre></details></td></tr>")


def _counted(report: Report, opp: Opportunity) -> float:
    for share in report.savings.by_opportunity:
        if (share.type, share.service) == (opp.type, opp.service):
            return share.counted
    return opp.estimated_savings  # a report made before savings were merged


def _head_row(opp: Opportunity, counted: float) -> str:
    found = (f'<br><span class="muted">found {money(opp.estimated_savings)}</span>'
             if round(counted, 2) != round(opp.estimated_savings, 2) else "")
    return (f'<tr><td class=wide><b>{escape(opp.type)}</b><br><span class=muted>{escape(opp.description)}'
            f'</span></td><td data-label="service">{escape(opp.service)}</td>'
            f'<td data-label="resources" class=n>{opp.resource_count}</td>'
            f'<td data-label="counted / month" class=n><b>{money(counted)}</b>{found}</td>'
            f'<td data-label="priority" class=p-{opp.priority}>{opp.priority}</td>'
            f'<td data-label="confidence" class=n>{opp.confidence:.2f}</td></tr>')


def opportunities_table(report: Report, prices: PriceList) -> str:
    if not report.opportunities:
        return '<p class="muted">No opportunities found.</p>'
    merged = merged_into(report)
    counted = {id(o): _counted(report, o) for o in report.opportunities}
    top = sorted(report.opportunities, key=lambda o: (-counted[id(o)], -o.estimated_savings))[:TOP_OPPORTUNITIES]
    rows = []
    for opp in top:
        rows.append(_head_row(opp, counted[id(opp)]))
        resources = sorted(opp.resources, key=lambda f: -f.savings)
        rows.extend(finding_row(opp, f, merged, prices) for f in resources[:RESOURCES_SHOWN])
        if len(resources) > RESOURCES_SHOWN:
            rows.append(f"<tr class=ev><td colspan=6 class='wide muted'>and {len(resources) - RESOURCES_SHOWN} more "
                        "(all in report.json)</td></tr>")
    head = ('<tr class="head"><th>type</th><th>service</th><th>resources</th><th>counted / month</th>'
            '<th>priority</th><th>confidence</th></tr>')
    return f'<div class="scroll"><table class="stack">{head}{"".join(rows)}</table></div>'
