"""A local Cost Explorer endpoint speaking the real JSON 1.1 protocol (X-Amz-Target AWSInsightsIndexService.*).

Reached through AWS_ENDPOINT_URL_COST_EXPLORER. Answers from the seeded cost table; errors use AWS's JSON
error shape (`__type`, `message`, HTTP 400). Each operation is a method of `CostExplorerState` named as AWS names
it, answered by a pure function: cost and usage and the forecast (ce_query.py), Reserved Instance and Savings
Plans coverage and utilization (ce_commitments.py), purchase and rightsizing recommendations
(ce_recommendations.py).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

from tools.sandbox import ce_commitments, ce_recommendations
from tools.sandbox.advice import Advice
from tools.sandbox.ce_query import CeError, cost_and_usage, cost_forecast
from tools.sandbox.cost_lines import Line
from tools.sandbox.local_server import LocalServer
from tools.sandbox.reservations import Reservation

PREFIX = "AWSInsightsIndexService."


class CostExplorerState:
    """The table and the extra answers the operations need; one method per operation."""

    def __init__(self, lines: list[Line], rightsizing: list[dict[str, Any]] | None = None,
                 today: date | None = None, latency_ms: int = 0, reservations: list[Reservation] | None = None,
                 advice: Advice | None = None, account_names: dict[str, str] | None = None) -> None:
        self.lines = lines
        self.rightsizing = rightsizing or []
        self.today = today or datetime.now(UTC).date()
        self.latency_ms = latency_ms
        self.reservations = reservations or []
        self.advice = advice or Advice((), None)
        self.account_names = account_names or {}
        """Linked account id -> name (an organization's accounts; empty for the single account)."""
        self.requests: list[str] = []

    def GetCostAndUsage(self, body: dict[str, Any]) -> dict[str, Any]:
        return cost_and_usage(self.lines, body, self.today, self.account_names)

    def GetCostForecast(self, body: dict[str, Any]) -> dict[str, Any]:
        return cost_forecast(self.lines, body, self.today)

    def GetReservationCoverage(self, body: dict[str, Any]) -> dict[str, Any]:
        return ce_commitments.reservation_coverage(self.lines, body)

    def GetReservationUtilization(self, body: dict[str, Any]) -> dict[str, Any]:
        return ce_commitments.reservation_utilization(self.lines, self.reservations, body)

    def GetSavingsPlansUtilization(self, body: dict[str, Any]) -> dict[str, Any]:
        return ce_commitments.savings_plans_utilization(body)

    def GetSavingsPlansCoverage(self, body: dict[str, Any]) -> dict[str, Any]:
        return ce_commitments.savings_plans_coverage(self.lines, body)

    def GetReservationPurchaseRecommendation(self, body: dict[str, Any]) -> dict[str, Any]:
        return ce_recommendations.reservation_purchase(self.advice, self.today, body)

    def GetSavingsPlansPurchaseRecommendation(self, body: dict[str, Any]) -> dict[str, Any]:
        return ce_recommendations.savings_plans_purchase(self.advice, self.today, body)

    def GetRightsizingRecommendation(self, body: dict[str, Any]) -> dict[str, Any]:
        return ce_recommendations.rightsizing(self.rightsizing, self.today, body)


def _handler(state: CostExplorerState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            return

        def do_POST(self) -> None:  # noqa: N802 - stdlib name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if state.latency_ms:
                time.sleep(state.latency_ms / 1000)
            target = self.headers.get("X-Amz-Target", "")
            operation = target.removeprefix(PREFIX)
            state.requests.append(operation)
            method: Callable[[dict[str, Any]], dict[str, Any]] | None = getattr(state, operation, None) \
                if target.startswith(PREFIX) and operation[:1].isupper() else None
            try:
                if method is None:
                    raise CeError("UnknownOperationException", f"Unknown operation {target!r}")
                payload = json.loads(body or b"{}")
                self._send(200, method(payload))
            except CeError as err:
                self._send(400, {"__type": err.code, "message": err.message})
            except (ValueError, KeyError, TypeError) as err:
                self._send(400, {"__type": "ValidationException", "message": str(err)})

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-amzn-RequestId", "sandbox")
            if status != 200:
                self.send_header("x-amzn-ErrorType", json.loads(data)["__type"])
            self.end_headers()
            self.wfile.write(data)

    return Handler


def serve_cost_explorer(state: CostExplorerState, port: int = 0) -> LocalServer:
    return LocalServer(_handler(state), port)
