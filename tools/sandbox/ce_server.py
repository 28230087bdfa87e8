"""A local Cost Explorer endpoint speaking the real JSON 1.1 protocol (X-Amz-Target AWSInsightsIndexService.*).

Reached through AWS_ENDPOINT_URL_COST_EXPLORER. Answers from the seeded cost table; errors use AWS's JSON
error shape (`__type`, `message`, HTTP 400).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tools.sandbox.ce_query import ACCOUNT, CeError, cost_and_usage, parse_period
from tools.sandbox.costs import Line

PREFIX = "AWSInsightsIndexService."


class CostExplorerState:
    """The table and the extra answers the operations need."""

    def __init__(self, lines: list[Line], rightsizing: list[dict[str, Any]] | None = None,
                 today: date | None = None, latency_ms: int = 0) -> None:
        self.lines = lines
        self.rightsizing = rightsizing or []
        self.today = today or datetime.now(UTC).date()
        self.latency_ms = latency_ms
        self.requests: list[str] = []

    # ------------------------------------------------------------ operations

    def GetCostAndUsage(self, body: dict[str, Any]) -> dict[str, Any]:
        return cost_and_usage(self.lines, body, self.today)

    def GetCostForecast(self, body: dict[str, Any]) -> dict[str, Any]:
        start, end = parse_period(body.get("TimePeriod") or {})
        if start < self.today:
            raise CeError("DataUnavailableException", "Forecast start date must be today or later")
        week = [self.today - timedelta(days=n) for n in range(1, 8)]
        daily = sum((ln.cost for ln in self.lines if ln.day in week), Decimal(0)) / 7
        days = (end - start).days
        mean = (daily * days).quantize(Decimal("0.0001"))

        def amount(v: Decimal) -> dict[str, str]:
            return {"Amount": str(v), "Unit": "USD"}

        low, high = (str((mean * Decimal(f)).quantize(Decimal("0.0001"))) for f in ("0.9", "1.1"))
        by_time = [{"TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()}, "MeanValue": str(mean),
                    "PredictionIntervalLowerBound": low, "PredictionIntervalUpperBound": high}]
        return {"Total": amount(mean), "ForecastResultsByTime": by_time}

    def GetReservationUtilization(self, body: dict[str, Any]) -> dict[str, Any]:
        parse_period(body.get("TimePeriod") or {})
        return {"UtilizationsByTime": []}

    def GetReservationCoverage(self, body: dict[str, Any]) -> dict[str, Any]:
        parse_period(body.get("TimePeriod") or {})
        return {"CoveragesByTime": []}

    def GetSavingsPlansUtilization(self, body: dict[str, Any]) -> dict[str, Any]:
        parse_period(body.get("TimePeriod") or {})
        raise CeError("DataUnavailableException", "Data is not available for this account: no Savings Plans found.")

    def GetSavingsPlansCoverage(self, body: dict[str, Any]) -> dict[str, Any]:
        parse_period(body.get("TimePeriod") or {})
        return {"SavingsPlansCoverages": []}

    def GetRightsizingRecommendation(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("Service") != "AmazonEC2":
            raise CeError("ValidationException", "Service must be AmazonEC2")
        size = int(body.get("PageSize") or 100)
        offset = int(body.get("NextPageToken") or 0)
        recs = [_recommendation(r) for r in self.rightsizing]
        chunk = recs[offset:offset + size]
        savings = sum(Decimal(str(r["savings"])) for r in self.rightsizing)
        answer: dict[str, Any] = {
            "Metadata": {"RecommendationId": "sandbox-rightsizing", "GenerationTimestamp": self.today.isoformat(),
                         "LookbackPeriodInDays": "FOURTEEN_DAYS", "AdditionalMetadata": ""},
            "Summary": {"TotalRecommendationCount": str(len(recs)), "EstimatedTotalMonthlySavingsAmount": str(savings),
                        "SavingsCurrencyCode": "USD", "SavingsPercentage": "0"},
            "RightsizingRecommendations": chunk,
            "Configuration": {"RecommendationTarget": "SAME_INSTANCE_FAMILY", "BenefitsConsidered": False},
        }
        if offset + size < len(recs):
            answer["NextPageToken"] = str(offset + size)
        return answer


def _recommendation(r: dict[str, Any]) -> dict[str, Any]:
    current = {"ResourceId": r["resource_id"], "InstanceName": r.get("name", ""),
               "Tags": [{"Key": k, "Values": [v]} for k, v in sorted(r.get("tags", {}).items())],
               "ResourceDetails": {"EC2ResourceDetails": {"InstanceType": r["instance_type"], "Region": r["region"],
                                                          "Platform": "Linux/UNIX"}},
               "MonthlyCost": str(r["monthly_cost"]), "CurrencyCode": "USD"}
    out: dict[str, Any] = {"AccountId": ACCOUNT, "CurrentInstance": current, "RightsizingType": r["action"]}
    if r["action"] == "MODIFY":
        out["ModifyRecommendationDetail"] = {"TargetInstances": [{
            "EstimatedMonthlyCost": str(r["target_monthly_cost"]), "EstimatedMonthlySavings": str(r["savings"]),
            "CurrencyCode": "USD", "DefaultTargetInstance": True,
            "ResourceDetails": {"EC2ResourceDetails": {"InstanceType": r["target_type"], "Region": r["region"]}}}]}
    else:
        out["TerminateRecommendationDetail"] = {"EstimatedMonthlySavings": str(r["savings"]), "CurrencyCode": "USD"}
    return out


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


class LocalServer:
    """A ThreadingHTTPServer on 127.0.0.1 in a daemon thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], port: int = 0) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> LocalServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_cost_explorer(state: CostExplorerState, port: int = 0) -> LocalServer:
    return LocalServer(_handler(state), port)
