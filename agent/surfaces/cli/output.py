"""What the command line prints: rich progress bars for long steps, tables for results."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from agent.analysis.report import with_savings
from agent.analysis.summary import money
from tools.models import Report
from tools.resource_label import label

TOP_ROWS = 10


class StepProgress:
    """A `progress` callback for `run_analysis`: one bar per step, advanced as the step reports.

    Accepts `progress(step)`, `progress(step, done, total)` or keyword forms (`done=`, `total=`, `message=`), so
    it works with whatever granularity a step reports.
    """

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str, Any] = {}
        self._last: str | None = None

    def __call__(self, step: str, done: int | float | None = None, total: int | float | None = None,
                 **extra: Any) -> None:
        done = extra.get("completed", done)
        label = str(extra.get("message") or step)
        if step not in self._tasks:
            if self._last is not None:
                self._finish(self._last)
            self._tasks[step] = self._progress.add_task(label, total=total)
            self._last = step
        task = self._tasks[step]
        self._progress.update(task, description=label, total=total if total else None,
                              completed=done if done is not None else None)

    def _finish(self, step: str) -> None:
        task = self._progress.tasks[self._tasks[step]]
        self._progress.update(self._tasks[step], total=task.total or 1, completed=task.total or 1)

    def close(self) -> None:
        for step in self._tasks:
            self._finish(step)


@contextmanager
def step_progress(console: Console) -> Iterator[StepProgress]:
    columns = (SpinnerColumn(), TextColumn("[progress.description]{task.description}"), BarColumn(),
               MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        callback = StepProgress(progress)
        try:
            yield callback
        finally:
            callback.close()


def has_cost_data(report: Report) -> bool:
    """Whether Cost Explorer had any spend for the period (a new account, or one whose Cost Explorer was enabled
    in the last day, has none: that is "no data yet", not "$0.00")."""
    return bool(report.by_service) or report.total_monthly_cost != 0


def print_summary(console: Console, report: Report) -> None:
    report = with_savings(report)
    tp = report.time_period
    spend = (f"spend {money(report.total_monthly_cost)}" if has_cost_data(report) else
             "no cost data yet (Cost Explorer has none for the period; it needs up to a day after it is enabled)")
    share = f" = {report.waste_percentage:.2f} % of spend" if has_cost_data(report) else ""
    savings = report.savings
    merged = f"; {savings.merged_resources} resource(s) with overlapping findings counted once" \
        if savings.merged_resources else ""
    head = (f"{tp.start} to {tp.end}: {spend}; savings {money(savings.total)} a month: waste "
            f"{money(savings.waste)}{share}, pricing levers {money(savings.pricing_levers)}{merged}; "
            f"{len(report.opportunities)} kinds of opportunity, {len(report.anomalies)} anomalies; "
            f"this run cost ${report.run_cost.total:,.4f}")
    body = report.executive_summary or "(no executive summary)"
    console.print(Panel(body, title="Executive summary", subtitle=report.summary_source or None))
    console.print(head)
    if report.partial:
        console.print(f"[yellow]Partial results: {len(report.errors)} region/service error(s)[/yellow]")
        for err in report.errors[:10]:
            console.print(f"  {err.scope}: {err.error[:160]}")


def _compact(title: str) -> Table:
    """No side borders and one space between columns, so that a table fits 80 columns without cutting a cell."""
    return Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)


def do_first_table(report: Report, limit: int = TOP_ROWS) -> Table:
    """The ranked single actions: what to change on which resource, what it takes, what it saves."""
    table = _compact("Do this first (saving x confidence; the arithmetic is in report.json and report.html)")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("resource and action", overflow="fold")
    table.add_column("effort", no_wrap=True)
    table.add_column("saves/mo", justify="right", no_wrap=True)
    table.add_column("conf", justify="right", no_wrap=True)
    for action in report.do_first[:limit]:
        cell = Group(Text(label(action.resource_id, action.region, action.name), style="bold", overflow="fold"),
                     Padding(Text(action.action, style="dim"), (0, 0, 0, 2)))
        table.add_row(str(action.rank), cell, action.effort, money(action.monthly_saving), f"{action.confidence:.2f}")
    return table


def opportunities_table(report: Report, limit: int = TOP_ROWS) -> Table:
    """One row per opportunity, by its share of the savings total; its largest resource on a second line under the
    type, where long names and ids have the width they need (at 80 columns nothing is cut: a long name wraps at a
    space, and only a single word wider than the column folds)."""
    report = with_savings(report)
    counted = {(c.type, c.service): c.counted for c in report.savings.by_opportunity}
    table = _compact("Opportunities (savings counted once per resource)")
    table.add_column("opportunity, largest resource", overflow="fold")
    table.add_column("service", no_wrap=True)
    table.add_column("count", justify="right", no_wrap=True)
    table.add_column("savings/mo", justify="right", no_wrap=True)
    table.add_column("priority", no_wrap=True)
    ranked = sorted(report.opportunities, key=lambda o: (-counted.get((o.type, o.service), 0.0),
                                                         -o.estimated_savings, o.type))
    for opp in ranked[:limit]:
        cell: RenderableType = Text(opp.type, style="bold")
        if opp.resources:
            top = max(opp.resources, key=lambda f: f.savings)
            largest = Text(f"{label(top.resource_id, top.region, top.name)} {money(top.savings)}", style="dim",
                           overflow="fold")
            cell = Group(cell, Padding(largest, (0, 0, 0, 2)))
        table.add_row(cell, opp.service, str(opp.resource_count),
                      money(counted.get((opp.type, opp.service), 0.0)), opp.priority)
    return table


def anomalies_table(report: Report) -> Table:
    table = _compact("Anomalies")
    for name in ("date", "service", "region", "expected", "actual", "change"):
        table.add_column(name, overflow="fold", no_wrap=name in ("date", "region", "change"))
    for a in sorted(report.anomalies, key=lambda a: a.date):
        table.add_row(str(a.date), a.service, a.region, money(a.expected_cost), money(a.actual_cost),
                      f"{a.change_percentage:+.1f} %")
    return table


def print_report(console: Console, report: Report) -> None:
    report = with_savings(report)
    print_summary(console, report)
    if report.do_first:
        console.print(do_first_table(report))
    if report.opportunities:
        console.print(opportunities_table(report))
    if report.anomalies:
        console.print(anomalies_table(report))
