"""What `run` and `demo` share: open the store, run the analysis graph with a progress bar per node, write the
report's files."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from agent import metrics
from agent.graphs.runner import run_analysis
from agent.surfaces.cli.exits import EXIT_OK, EXIT_PARTIAL, RunFailed
from agent.surfaces.cli.output import step_progress
from agent.surfaces.report.html import write_html
from tools.models import Report
from tools.settings import Settings
from tools.storage import get_storage

log = logging.getLogger(__name__)


def open_storage(settings: Settings) -> None:
    """Open the data store before any (paid) AWS call: a locked data directory is a usage error (exit 2)."""
    get_storage(settings)


def analyse(settings: Settings, console: Console, **kwargs: Any) -> Report:
    """The whole graph, once; the run's collection metrics recorded."""
    open_storage(settings)
    began = time.monotonic()
    with step_progress(console) as progress:
        report = run_analysis(settings, progress=_node_progress(progress), **kwargs)
    metrics.record_collection(report, time.monotonic() - began)
    return report


def exit_code(report: Report) -> int:
    """0, or 3 when some region or service failed; `RunFailed` (exit 1) when every AWS call failed, since a report
    of nothing is no partial result."""
    if report.partial and report.api_calls and not any(c.outcome == "ok" for c in report.api_calls):
        first = report.errors[0] if report.errors else None
        reason = f" (first: {first.scope}: {first.error})" if first else ""
        raise RunFailed(f"every AWS call failed, nothing was collected{reason}")
    return EXIT_PARTIAL if report.partial else EXIT_OK


def _node_progress(progress: Any) -> Callable[[dict[str, Any]], None]:
    """The runner reports `{"node", "message"}` events; show one bar per graph node."""

    def on_event(event: dict[str, Any]) -> None:
        node = str(event.get("node", "run"))
        message = str(event.get("message", ""))
        parts = message.split()
        done = total = None
        if len(parts) >= 3 and parts[-1].isdigit() and parts[-2].isdigit():
            done, total = int(parts[-2]), int(parts[-1])
        progress(node, done, total, message=f"{node}: {' '.join(parts[:-2]) if done is not None else message}"[:70])

    return on_event


def write_outputs(settings: Settings, report: Report, json_path: Path | None, html_path: Path | None,
                  console: Console) -> None:
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report.model_dump(mode="json", by_alias=True), indent=2) + "\n")
        console.print(f"wrote {json_path}")
    if html_path is not None:
        html_path.parent.mkdir(parents=True, exist_ok=True)
        write_html(report, html_path, _daily_rows(settings, report))
        console.print(f"wrote {html_path}")


def _daily_rows(settings: Settings, report: Report) -> list[Any] | None:
    """Stored daily cost rows for the report's chart; None (chart says so) when storage cannot answer."""
    try:
        summary = get_storage(settings).cost_summary(report.time_period.start, report.time_period.end)
        return list(summary.daily)
    except Exception as exc:  # the report is still worth writing without the chart
        log.warning("daily costs unavailable for the HTML chart: %s", str(exc).splitlines()[0] if str(exc) else exc)
        return None
