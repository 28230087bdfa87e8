""""Do this first": the ranked single actions, the one savings total under them, what was merged, and waste
beside pricing levers."""

from __future__ import annotations

from html import escape

from agent.analysis.actions import CONFIDENCE
from agent.surfaces.report.charts import money
from agent.surfaces.report.prices_used import PriceList
from tools.models import Action, Report, SavingsTotals
from tools.resource_label import is_arn, short_id

CATEGORY = {"waste": "waste", "pricing_lever": "pricing lever"}


def effort_badge(effort: str) -> str:
    return f'<span class="badge e-{effort.replace(" ", "-")}">{escape(effort)}</span>'


def resource_cell(name: str, resource_id: str, region: str, service: str) -> str:
    """Name first (an ARN only in the tooltip), then the plain id, region and service."""
    shown = short_id(resource_id, name)
    head = f'<b title="{escape(resource_id)}">{escape(name or shown)}</b>'
    plain = "" if is_arn(resource_id) or not name or name == resource_id else f"{escape(resource_id)} &middot; "
    return f'{head}<br><span class="muted rid">{plain}{escape(region)} &middot; {escape(service)}</span>'


def _arithmetic(action: Action, prices: PriceList) -> str:
    source = (f'<div>Price: {escape(action.price_source)} {prices.cite(action.price_source)}</div>'
              if action.price_source else "")
    return (f'<details><summary>arithmetic</summary><div class="arith">{escape(action.arithmetic)}</div>'
            f"{source}</details>")


def _row(action: Action, prices: PriceList) -> str:
    merged = (f'<div class="muted">Also found, not added: {escape("; ".join(action.also_found))}.</div>'
              if action.also_found else "")
    # on a phone the row becomes a card: rank, resource and saving on top, the rest below (style.PHONE)
    return (f'<tr><td class=n>{action.rank}</td>'
            f'<td>{resource_cell(action.name, action.resource_id, action.region, action.service)}'
            f'</td><td>{escape(action.action)}{merged}{_arithmetic(action, prices)}</td>'
            f'<td>{effort_badge(action.effort)}<span class="risk">{escape(action.risk)}</span></td>'
            f'<td class=n><b>{money(action.monthly_saving)}</b><br>'
            f'<span class="muted">{CATEGORY[action.category]}</span></td>'
            f'<td data-label="confidence" class=n>{action.confidence:.2f}</td></tr>')


def actions_table(actions: list[Action], prices: PriceList) -> str:
    if not actions:
        return '<p class="muted">No action with a monthly saving was found.</p>'
    head = ('<tr class="head"><th>#</th><th>resource</th><th>action</th><th>effort and risk</th>'
            '<th>saving / month</th><th>confidence</th></tr>')
    rows = "".join(_row(a, prices) for a in actions)
    return f'<div class="scroll"><table class="do-first stack">{head}{rows}</table></div>'


def total_line(savings: SavingsTotals) -> str:
    return (f'<p class="total">Savings total <b>{money(savings.total)}</b> a month = waste '
            f'<b>{money(savings.waste)}</b> + pricing levers <b>{money(savings.pricing_levers)}</b>, '
            f'each resource counted once.</p><p class="muted rule">{escape(savings.rule)}</p>')


def merged_lines(savings: SavingsTotals) -> str:
    n = savings.merged_resources
    if not n:
        return ""
    said = "1 resource had" if n == 1 else f"{n} resources had"
    items = "".join(f"<li>{escape(line)}</li>" for line in savings.merged)
    more = f"<li>and {n - len(savings.merged)} more (all in report.json)</li>" if n > len(savings.merged) else ""
    return (f'<details class="merged"><summary>{said} overlapping findings, counted once</summary>'
            f'<ul>{items}{more}</ul></details>')


def _column(savings: SavingsTotals, category: str, title: str, what: str, total: float) -> str:
    shares = sorted((s for s in savings.by_opportunity if s.category == category and s.counted),
                    key=lambda s: -s.counted)
    items = "".join(f"<li><span>{escape(s.type)} ({escape(s.service)})</span><span>{money(s.counted)}</span></li>"
                    for s in shares) or '<li class="muted">none</li>'
    return (f'<section><h3>{title} {money(total)}</h3><p class="muted">{what}</p>'
            f"<ul>{items}</ul></section>")


def split(savings: SavingsTotals) -> str:
    """Waste and pricing levers beside each other, each with its own types: two numbers, never one silent sum."""
    return ('<div class="split">'
            + _column(savings, "waste", "Waste", "Idle, unused, oversized and misconfigured resources: fix first.",
                      savings.waste)
            + _column(savings, "pricing_lever", "Pricing levers",
                      "Paying less for what stays: Reserved Instances, Savings Plans, spot.", savings.pricing_levers)
            + "</div>")


def do_first_section(report: Report, prices: PriceList) -> str:
    return (f'<h2 id="do-first">Do this first</h2><p class="legend">{escape(CONFIDENCE)}</p>'
            f"{actions_table(report.do_first, prices)}{total_line(report.savings)}{merged_lines(report.savings)}"
            f"{split(report.savings)}")
