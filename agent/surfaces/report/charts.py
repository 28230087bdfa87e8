"""Inline SVG charts drawn in Python for the HTML report: no JavaScript, no network, no chart library."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date
from html import escape

from tools.models import CostRow

PALETTE = ("#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4", "#db2777", "#84cc16", "#64748b")
MAX_SERIES = 8


def money(value: float) -> str:
    """Dollars to the cent, as every other surface shows them (a total must read the same everywhere)."""
    return f"${value:,.2f}"


def axis_money(value: float) -> str:
    """An axis tick: whole dollars from $10,000 up (ticks are round numbers, not figures of the report)."""
    return f"${value:,.0f}" if abs(value) >= 10_000 else f"${value:,.2f}"


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 x 10^n at or above `value` (axis maximum)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def daily_series(rows: list[CostRow], start: date, end: date) -> tuple[list[date], dict[str, list[float]]]:
    """Days in [start, end] and each service's cost per day; services past the top MAX_SERIES become 'Other'."""
    per: dict[str, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    for row in rows:
        if start <= row.day <= end:
            per[row.service][row.day] += row.cost
    days = sorted({d for by_day in per.values() for d in by_day})
    ranked = sorted(per, key=lambda s: -sum(per[s].values()))
    keep, rest = ranked[:MAX_SERIES - 1], ranked[MAX_SERIES - 1:]
    series = {s: [per[s].get(d, 0.0) for d in days] for s in keep}
    if rest:
        series["Other"] = [sum(per[s].get(d, 0.0) for s in rest) for d in days]
    return days, series


def _legend(names: list[str], x: float, y: float) -> str:
    parts = []
    for i, name in enumerate(names):
        col, row = i % 3, i // 3
        lx, ly = x + col * 340, y + row * 20
        parts.append(f'<rect x="{lx:.0f}" y="{ly - 10:.0f}" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>'
                     f'<text x="{lx + 18:.0f}" y="{ly:.0f}" class="lg">{escape(name[:48])}</text>')
    return "".join(parts)


def stacked_daily_chart(days: list[date], series: dict[str, list[float]], width: int = 1100,
                        height: int = 340) -> str:
    """Stacked bars: one bar per day, one colour per service."""
    if not days:
        return '<p class="muted">No daily cost data was stored for this period.</p>'
    names = list(series)
    legend_rows = math.ceil(len(names) / 3)
    left, right, top, bottom = 70, 10, 10, 40 + legend_rows * 20
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(series[n][i] for n in names) for i in range(len(days))]
    y_max = nice_ceiling(max(totals))
    slot = plot_w / len(days)
    bar_w = max(1.0, slot * 0.8)
    out = [f'<svg class="chart" role="img" aria-label="Daily cost by service" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}">']
    for k in range(5):
        value = y_max * k / 4
        y = top + plot_h - plot_h * k / 4
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" class="ax" text-anchor="end">{axis_money(value)}</text>')
    for i, day in enumerate(days):
        x = left + i * slot + (slot - bar_w) / 2
        base = float(top + plot_h)
        for j, name in enumerate(names):
            h = plot_h * series[name][i] / y_max
            if h <= 0:
                continue
            base -= h
            out.append(f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                       f'fill="{PALETTE[j % len(PALETTE)]}"><title>{day} {escape(name)}: '
                       f'{money(series[name][i])}</title></rect>')
        if i % max(1, len(days) // 8) == 0:
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" class="ax" '
                       f'text-anchor="middle">{day:%b %d}</text>')
    out.append(_legend(names, left, top + plot_h + 40))
    out.append("</svg>")
    return "".join(out)


def horizontal_bars(values: dict[str, float], title: str, width: int = 1100, label_w: int = 230) -> str:
    """One bar per label, largest first, value printed at the end of the bar."""
    items = sorted(((k, v) for k, v in values.items() if v > 0), key=lambda kv: -kv[1])
    if not items:
        return '<p class="muted">No savings were identified.</p>'
    row_h, top = 30, 6
    height = top + row_h * len(items) + 6
    plot_w = width - label_w - 110
    v_max = max(v for _, v in items)
    out = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}">']
    for i, (label, value) in enumerate(items):
        y = top + i * row_h
        w = max(2.0, plot_w * value / v_max)
        out.append(f'<text x="{label_w - 8}" y="{y + 19}" class="lb" text-anchor="end">{escape(label)}</text>'
                   f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" rx="3" '
                   f'fill="{PALETTE[i % len(PALETTE)]}"/>'
                   f'<text x="{label_w + w + 8:.1f}" y="{y + 19}" class="lb">{money(value)}</text>')
    out.append("</svg>")
    return "".join(out)
