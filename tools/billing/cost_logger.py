"""The seed's `CostLogger`: one JSON line per billed query, daily summaries, text reports, JSON/CSV export,
and reading the log back with filters.

A query line is the seed's format, keys in the seed's order, with `aws_api` appended to `costs`:

    {"timestamp": "2024-01-15T10:30:45.123456", "session_id": "user123", "persona": "Warehouse Manager",
     "query": "Show me low stock products", "query_type": "SQL_QUERY", "cached": false, "execution_time": 2.5,
     "costs": {"bedrock": 0.0123, "redshift": 0.0045, "lambda": 0.0008, "total": 0.0176, "aws_api": 0.0},
     "tokens": {"input": 1000, "output": 500, "total": 1500}}

`timestamp` is UTC without an offset, as in the seed. Amounts are rounded to `USD_PLACES` decimals.
The query text is written as given: the user's question or the SQL. Nothing else from the request is
written; credential-shaped substrings (access key ids, signatures, bearer tokens, URL passwords) and
the process's AWS secrets are redacted from it all the same.
"""

from __future__ import annotations

import csv
import json
import os
import threading
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from tools.billing.cost_tracker import Cost, CostTracker, to_decimal, usd
from tools.logsafe import RedactingFilter

DAILY_SUMMARY = "DAILY_SUMMARY"
SERVICES = ("bedrock", "redshift", "lambda", "aws_api")
CSV_COLUMNS = ("date", *SERVICES, "total", "query_count", "input_tokens", "output_tokens")
_ENV_SECRETS = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID", "API_KEY")


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def _parse_ts(text: str) -> datetime:
    ts = datetime.fromisoformat(text)
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def _bound(value: date | datetime | None, end: bool) -> datetime | None:
    """A date means its whole UTC day: from 00:00 for a start, up to 23:59:59.999999 for an end."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime.combine(value, time.max if end else time.min, tzinfo=UTC)


def _day_row(day: str, value: Any) -> dict[str, Any]:
    """One day of `cost_data`: a dict from `CostTracker.get_all_daily_costs()`, a `Cost`, or a bare total."""
    if isinstance(value, Cost):
        value = {"bedrock": value.bedrock_cost, "redshift": value.redshift_cost, "lambda": value.lambda_cost,
                 "aws_api": value.aws_api_cost, "total": value.total_cost,
                 "input_tokens": value.tokens_used.input_tokens, "output_tokens": value.tokens_used.output_tokens}
    elif not isinstance(value, Mapping):
        value = {"total": value}
    row: dict[str, Any] = {"date": day}
    for key in (*SERVICES, "total"):
        row[key] = usd(value.get(key, 0) or 0)
    for key in ("query_count", "input_tokens", "output_tokens"):
        row[key] = int(value.get(key, 0) or 0)
    return row


def _fixed(value: Any) -> Any:
    """Plain decimal notation for CSV (1.667e-05 would read as text in some spreadsheets)."""
    return format(to_decimal(value), "f") if isinstance(value, float) else value


class CostLogger:
    """Appends cost entries to a JSON-lines file. Thread-safe; a disabled logger writes nothing."""

    def __init__(self, log_file_path: str | os.PathLike[str], enabled: bool = True) -> None:
        self.log_file_path = Path(log_file_path)
        self.enabled = enabled
        self._lock = threading.Lock()
        self._redactor = RedactingFilter([os.environ.get(name, "") for name in _ENV_SECRETS])

    def _write(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            self.log_file_path.parent.mkdir(parents=True, exist_ok=True)
            with self.log_file_path.open("a", encoding="utf-8") as handle:
                handle.write(line)

    def log_query_cost(self, session_id: str, persona: str, query: str, cost: Cost, execution_time: float,
                       cached: bool = False, query_type: str = "SQL_QUERY",
                       details: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        """Write one query's line (see the module docstring); `details` (model id, component) is appended
        as its own key when given. Returns the entry written, or None when disabled."""
        if not self.enabled:
            return None
        tokens = cost.tokens_used
        entry: dict[str, Any] = {
            "timestamp": _now(),
            "session_id": session_id,
            "persona": persona,
            "query": self._redactor.scrub(query),
            "query_type": query_type,
            "cached": bool(cached),
            "execution_time": round(float(execution_time), 6),
            "costs": {
                "bedrock": usd(cost.bedrock_cost),
                "redshift": usd(cost.redshift_cost),
                "lambda": usd(cost.lambda_cost),
                "total": usd(cost.total_cost),
                "aws_api": usd(cost.aws_api_cost),
            },
            "tokens": {"input": tokens.input_tokens, "output": tokens.output_tokens, "total": tokens.total_tokens},
        }
        if details:
            entry["details"] = dict(details)
        self._write(entry)
        return entry

    def log_daily_summary(self, target_date: date, total_cost: Cost | Decimal | float,
                          query_count: int) -> dict[str, Any] | None:
        """One summary line for a day: query_type DAILY_SUMMARY, total, count and average per query."""
        if not self.enabled:
            return None
        total = to_decimal(total_cost.total_cost if isinstance(total_cost, Cost) else total_cost)
        entry = {
            "timestamp": _now(),
            "query_type": DAILY_SUMMARY,
            "date": target_date.isoformat(),
            "total_cost": usd(total),
            "query_count": int(query_count),
            "average_cost_per_query": usd(total / query_count) if query_count else 0.0,
        }
        self._write(entry)
        return entry

    def read_log_entries(self, start: date | datetime | None = None, end: date | datetime | None = None,
                         session_id: str | None = None, query_type: str | None = None,
                         include_summaries: bool = False) -> list[dict[str, Any]]:
        """Entries in file order whose timestamp lies in [start, end] (a date covers its whole UTC day) and
        that match `session_id` / `query_type`. Daily summaries only with `include_summaries` or
        `query_type="DAILY_SUMMARY"`. Unreadable lines are skipped."""
        if not self.log_file_path.is_file():
            return []
        low, high = _bound(start, end=False), _bound(end, end=True)
        want_summaries = include_summaries or query_type == DAILY_SUMMARY
        found: list[dict[str, Any]] = []
        with self._lock, self.log_file_path.open(encoding="utf-8") as handle:
            lines = handle.readlines()
        for line in lines:
            try:
                entry = json.loads(line)
                ts = _parse_ts(entry["timestamp"])
            except (ValueError, KeyError, TypeError):
                continue
            if entry.get("query_type") == DAILY_SUMMARY and not want_summaries:
                continue
            if (low and ts < low) or (high and ts > high):
                continue
            if session_id is not None and entry.get("session_id") != session_id:
                continue
            if query_type is not None and entry.get("query_type") != query_type:
                continue
            found.append(entry)
        return found

    def generate_cost_report(self, start_date: date, end_date: date, cost_data: Mapping[str, Any]) -> str:
        """A plain-text report of the days in [start_date, end_date] of `cost_data` (ISO day -> totals)."""
        rows = [_day_row(day, value) for day, value in sorted(cost_data.items())
                if start_date.isoformat() <= day[:10] <= end_date.isoformat()]
        sums = {key: sum((to_decimal(r[key]) for r in rows), Decimal(0)) for key in (*SERVICES, "total")}
        queries = sum(r["query_count"] for r in rows)
        days = len(rows)
        lines = [
            "=" * 60,
            "AGENT COST REPORT",
            f"Period: {start_date.isoformat()} to {end_date.isoformat()}",
            "=" * 60,
            f"Total cost:        ${usd(sums['total']):.6f}",
            f"Days with usage:   {days}",
            f"Queries:           {queries}",
            f"Average per day:   ${usd(sums['total'] / days) if days else 0.0:.6f}",
            f"Average per query: ${usd(sums['total'] / queries) if queries else 0.0:.6f}",
            "",
            "By service:",
        ]
        for key in SERVICES:
            share = sums[key] / sums["total"] * 100 if sums["total"] else Decimal(0)
            lines.append(f"  {key:<10} ${usd(sums[key]):.6f}  ({float(share):.1f}%)")
        lines += ["", "Daily:"]
        lines += [f"  {r['date']}  ${r['total']:.6f}  ({r['query_count']} queries)" for r in rows]
        lines.append("=" * 60)
        return "\n".join(lines)

    def export_cost_data(self, output_file: str | os.PathLike[str], cost_data: Mapping[str, Any],
                         format: Literal["json", "csv"] = "json") -> Path:
        """Write `cost_data` (ISO day -> totals) as JSON (the mapping itself) or CSV (`CSV_COLUMNS`)."""
        path = Path(output_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = [_day_row(day, value) for day, value in sorted(cost_data.items())]
        if format == "json":
            data = {r["date"]: {k: v for k, v in r.items() if k != "date"} for r in rows}
            path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        elif format == "csv":
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
                writer.writeheader()
                writer.writerows({k: _fixed(v) for k, v in r.items()} for r in rows)
        else:
            raise ValueError(f"format must be 'json' or 'csv', got {format!r}")
        return path


def record_cost(tracker: CostTracker, logger: CostLogger | None, session_id: str, persona: str, query: str,
                cost: Cost, execution_time: float, query_type: str,
                details: Mapping[str, Any] | None = None) -> None:
    """Add a billed call to its session in `tracker` and, when there is a logger, write its line."""
    tracker.add_query_cost(session_id, cost)
    if logger is not None:
        logger.log_query_cost(session_id=session_id, persona=persona, query=query, cost=cost,
                              execution_time=execution_time, cached=False, query_type=query_type,
                              details=details)
