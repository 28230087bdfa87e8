"""Read-only queries over the Cost and Usage Report in Redshift Serverless, through the Redshift Data API,
each billed RPU x seconds with the 60-second minimum.

`run(sql, params)`: ExecuteStatement, poll DescribeStatement until FINISHED / FAILED / ABORTED (on timeout:
CancelStatement and `RedshiftQueryTimeout`), then GetStatementResult page by page. The billed time is
DescribeStatement's `Duration` (nanoseconds) when given, else the wall time; a failed or timed-out
statement is billed too, since the workgroup's capacity ran all the same.

Only one SELECT (or WITH ... SELECT) statement is accepted. The guard is a convenience: give the agent
a database user that can only read.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from tools.billing.cost_logger import CostLogger, record_cost
from tools.billing.cost_tracker import Cost, CostTracker

log = logging.getLogger(__name__)

REDSHIFT_QUERY = "REDSHIFT_QUERY"
_TERMINAL = {"FINISHED", "FAILED", "ABORTED"}
_COMMENTS = re.compile(r"(--[^\n]*(\n|$))|(/\*.*?\*/)", re.S)


class RedshiftQueryError(RuntimeError):
    """The statement failed or was aborted; `cost` is what it was billed."""

    def __init__(self, message: str, statement_id: str = "", cost: Cost | None = None) -> None:
        super().__init__(message)
        self.statement_id = statement_id
        self.cost = cost or Cost()


class RedshiftQueryTimeout(RedshiftQueryError):
    """The statement ran past the timeout and was cancelled."""


class ReadOnlySqlError(ValueError):
    """The SQL is not a single SELECT or WITH statement."""


class RedshiftNotConfigured(RuntimeError):
    """No Redshift Serverless workgroup is configured (REDSHIFT_WORKGROUP)."""


def check_read_only(sql: str) -> str:
    """The statement without comments and trailing semicolons, or `ReadOnlySqlError`."""
    text = _COMMENTS.sub(" ", sql).strip().rstrip(";").strip()
    first = text.split(None, 1)[0].upper() if text else ""
    if first not in ("SELECT", "WITH"):
        raise ReadOnlySqlError(f"only SELECT or WITH statements are allowed, got {first or 'nothing'!r}")
    if ";" in re.sub(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"", "''", text):
        raise ReadOnlySqlError("only one statement is allowed")
    return text


def _parameters(params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None) -> list[dict[str, str]]:
    """`{name: value}` or the Data API's own `[{"name", "value"}]`; values are sent as strings."""
    if not params:
        return []
    if isinstance(params, Mapping):
        return [{"name": str(k), "value": str(v)} for k, v in params.items()]
    return [{"name": str(p["name"]), "value": str(p["value"])} for p in params]


def _cell(field: Mapping[str, Any]) -> Any:
    if field.get("isNull"):
        return None
    for key in ("stringValue", "longValue", "doubleValue", "booleanValue", "blobValue"):
        if key in field:
            return field[key]
    return None


class RedshiftCurQuery:
    """Runs billed, read-only statements on one workgroup and database."""

    def __init__(self, factory_or_client: Any, workgroup: str, database: str, tracker: CostTracker,
                 logger: CostLogger | None, poll_interval: float = 0.5, timeout_s: float = 60,
                 *, session_id: str = "agent", rpus: int | None = None, persona: str = "cost-agent",
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if hasattr(factory_or_client, "execute_statement"):
            self.client = factory_or_client
        else:
            self.client = factory_or_client.client("redshift-data")
        self.workgroup = workgroup
        self.database = database
        self.tracker = tracker
        self.logger = logger
        self.poll_interval = poll_interval
        self.timeout_s = timeout_s
        self.session_id = session_id
        self.rpus = rpus
        self.persona = persona
        self._sleep = sleep

    def run(self, sql: str, params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
            *, session_id: str | None = None) -> tuple[list[str], list[list[Any]], Cost]:
        """Column names, rows and the statement's bill; raises `RedshiftQueryError` / `RedshiftQueryTimeout`."""
        statement = check_read_only(sql)
        request: dict[str, Any] = {"WorkgroupName": self.workgroup, "Database": self.database, "Sql": statement}
        parameters = _parameters(params)
        if parameters:
            request["Parameters"] = parameters
        began = time.monotonic()
        statement_id = self.client.execute_statement(**request)["Id"]
        described = self._wait(statement_id, began)
        wall = time.monotonic() - began
        status = described.get("Status", "") if described else "TIMEOUT"
        cost = self._bill(sql, statement_id, described or {"Status": status}, wall, session_id or self.session_id)
        if described is None:
            raise RedshiftQueryTimeout(
                f"Redshift statement {statement_id} did not finish within {self.timeout_s:g} s and was cancelled",
                statement_id, cost)
        if status != "FINISHED":
            raise RedshiftQueryError(
                f"Redshift statement {statement_id} {status}: {described.get('Error', 'no reason given')}",
                statement_id, cost)
        if not described.get("HasResultSet", True):
            return [], [], cost
        columns, rows = self._fetch(statement_id)
        return columns, rows, cost

    def _wait(self, statement_id: str, began: float) -> dict[str, Any] | None:
        """The terminal DescribeStatement answer, or None after cancelling a statement that ran too long."""
        while True:
            described: dict[str, Any] = self.client.describe_statement(Id=statement_id)
            if described.get("Status") in _TERMINAL:
                return described
            if time.monotonic() - began >= self.timeout_s:
                break
            self._sleep(self.poll_interval)
        try:
            self.client.cancel_statement(Id=statement_id)
        except Exception as exc:  # best effort: the statement may just have finished
            log.warning("could not cancel Redshift statement %s: %s", statement_id, type(exc).__name__)
        return None

    def _bill(self, sql: str, statement_id: str, described: Mapping[str, Any], wall: float,
              session_id: str) -> Cost:
        duration_ns = described.get("Duration")
        seconds = Decimal(duration_ns) / Decimal(10**9) if duration_ns and duration_ns > 0 else Decimal(str(wall))
        cost = self.tracker.calculate_query_cost(redshift_execution_time=float(seconds), redshift_rpus=self.rpus)
        record_cost(self.tracker, self.logger, session_id, self.persona, sql, cost, wall, REDSHIFT_QUERY,
                    {"statement_id": statement_id, "status": described.get("Status", ""),
                     "duration_s": float(seconds), "workgroup": self.workgroup})
        return cost

    def _fetch(self, statement_id: str) -> tuple[list[str], list[list[Any]]]:
        columns: list[str] = []
        rows: list[list[Any]] = []
        token: str | None = None
        while True:
            page = self.client.get_statement_result(Id=statement_id, **({"NextToken": token} if token else {}))
            if not columns and page.get("ColumnMetadata"):
                columns = [c.get("label") or c.get("name", "") for c in page["ColumnMetadata"]]
            rows.extend([_cell(f) for f in record] for record in page.get("Records", []))
            token = page.get("NextToken")
            if not token:
                return columns, rows


def run_redshift_query(settings: Any, factory_or_client: Any, sql: str,
                       params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None, tracker: CostTracker,
                       logger: CostLogger | None, *, session_id: str = "agent",
                       timeout_s: float = 60) -> tuple[list[str], list[list[Any]], Cost]:
    """One billed query on the workgroup named by `settings.redshift_workgroup` (else `RedshiftNotConfigured`)."""
    if not getattr(settings, "redshift_workgroup", None):
        raise RedshiftNotConfigured("no Redshift Serverless workgroup is configured (set REDSHIFT_WORKGROUP)")
    query = RedshiftCurQuery(factory_or_client, settings.redshift_workgroup, settings.redshift_database, tracker,
                             logger, timeout_s=timeout_s, session_id=session_id)
    return query.run(sql, params)
