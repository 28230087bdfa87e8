"""Real HTTP servers on loopback for the billing tests: a Bedrock Converse endpoint with known token
counts, and a Redshift Data API endpoint (moto's never finishes a statement)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import pytest


class _Server:
    """A ThreadingHTTPServer on 127.0.0.1:<free port> whose handler calls `self.answer(handler)`."""

    def __init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                status, payload, headers = owner.answer(self.path, dict(self.headers), body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def answer(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError

    def __enter__(self) -> _Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class ConverseServer(_Server):
    """POST /model/<id>/converse answers `text` with `usage` (FIELD-NOTES' wire format)."""

    def __init__(self) -> None:
        super().__init__()
        self.usage = {"inputTokens": 1000, "outputTokens": 500}
        self.text = "EC2 spend was $1,234.56."
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()

    def answer(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            self.requests.append((unquote(path), body))
        usage = {**self.usage, "totalTokens": self.usage["inputTokens"] + self.usage["outputTokens"]}
        payload = {"output": {"message": {"role": "assistant", "content": [{"text": self.text}]}},
                   "stopReason": "end_turn", "usage": usage, "metrics": {"latencyMs": 42}}
        return 200, payload, {"Content-Type": "application/json"}


@dataclass
class Statement:
    sql: str
    params: list[dict[str, str]]
    workgroup: str
    database: str
    polls: int = 0
    cancelled: bool = False


@dataclass
class RedshiftDataServer(_Server):
    """The Redshift Data API's JSON protocol (X-Amz-Target: RedshiftData.<Operation>).

    A statement answers `STARTED` for `started_polls` DescribeStatement calls, then `final_status` with
    `duration_ns`; `started_polls=None` keeps it running forever. Results come in pages of `page_size`."""

    started_polls: int | None = 1
    final_status: str = "FINISHED"
    duration_ns: int = 2_000_000_000
    columns: list[str] = field(default_factory=lambda: ["service", "cost"])
    rows: list[list[Any]] = field(default_factory=list)
    page_size: int = 2
    statements: dict[str, Statement] = field(default_factory=dict)
    operations: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def answer(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        operation = headers.get("X-Amz-Target", "").removeprefix("RedshiftData.")
        with self._lock:
            self.operations.append(operation)
            if operation == "ExecuteStatement":
                sid = str(uuid.uuid4())
                self.statements[sid] = Statement(body["Sql"], body.get("Parameters", []), body["WorkgroupName"],
                                                 body["Database"])
                return self._ok({"Id": sid, "WorkgroupName": body["WorkgroupName"], "Database": body["Database"],
                                 "CreatedAt": 1_764_000_000.0})
            statement = self.statements.get(body.get("Id", ""))
            if statement is None:
                return 400, {"__type": "ResourceNotFoundException", "message": "no such statement"}, \
                    {"Content-Type": "application/x-amz-json-1.1"}
            if operation == "DescribeStatement":
                return self._ok(self._describe(body["Id"], statement))
            if operation == "CancelStatement":
                statement.cancelled = True
                return self._ok({"Status": True})
            if operation == "GetStatementResult":
                return self._ok(self._page(int(body.get("NextToken") or 0)))
        return 400, {"__type": "ValidationException", "message": operation}, {}

    def _ok(self, payload: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        return 200, payload, {"Content-Type": "application/x-amz-json-1.1"}

    def _describe(self, sid: str, statement: Statement) -> dict[str, Any]:
        statement.polls += 1
        running = statement.cancelled is False and (
            self.started_polls is None or statement.polls <= self.started_polls)
        status = "ABORTED" if statement.cancelled else ("STARTED" if running else self.final_status)
        out: dict[str, Any] = {"Id": sid, "Status": status, "QueryString": statement.sql,
                               "CreatedAt": 1_764_000_000.0, "UpdatedAt": 1_764_000_002.0,
                               "HasResultSet": status == "FINISHED", "Duration": -1}
        if status in ("FINISHED", "FAILED"):
            out["Duration"] = self.duration_ns
            out["ResultRows"] = len(self.rows)
        if status == "FAILED":
            out["Error"] = "ERROR: relation \"cur\" does not exist"
        return out

    def _page(self, start: int) -> dict[str, Any]:
        chunk = self.rows[start:start + self.page_size]
        records = [[{"isNull": True} if v is None else {"stringValue": v} if isinstance(v, str)
                    else {"longValue": v} if isinstance(v, int) else {"doubleValue": v} for v in row]
                   for row in chunk]
        page: dict[str, Any] = {"Records": records, "TotalNumRows": len(self.rows),
                                "ColumnMetadata": [{"name": c, "label": c, "typeName": "varchar"}
                                                   for c in self.columns]}
        if start + self.page_size < len(self.rows):
            page["NextToken"] = str(start + self.page_size)
        return page


@pytest.fixture
def converse_server() -> Iterator[ConverseServer]:
    with ConverseServer() as server:
        yield server  # type: ignore[misc]


@pytest.fixture
def redshift_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[RedshiftDataServer]:
    with RedshiftDataServer() as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_REDSHIFT_DATA", server.url)
        yield server  # type: ignore[misc]
