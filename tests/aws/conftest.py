"""Fixtures for the collector tests: a tiny Cost Explorer JSON server on loopback, fed from a bill table."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

TODAY = date(2026, 11, 24)  # report period 2026-10-25 .. 2026-11-23, history from 2026-09-27

# (service, region, usage type, env tag, daily cost): every day of the window bills these amounts.
BILL = [
    ("Amazon Elastic Compute Cloud - Compute", "us-east-1", "USE1-BoxUsage:m5.large", "prod", "2.304"),
    ("Amazon Elastic Compute Cloud - Compute", "eu-west-1", "EU-BoxUsage:m5.large", "dev", "2.568"),
    ("EC2 - Other", "us-east-1", "USE1-EBS:VolumeUsage.gp2", "", "0.3333333333"),
    ("AWS Lambda", "us-east-1", "USE1-Lambda-GB-Second", "prod", "0.1234567891"),
    ("Amazon Simple Storage Service", "us-east-1", "USE1-TimedStorage-ByteHrs", "", "0.0766666667"),
]


# The linked account each bill line belongs to (by its env tag) and the accounts' names, for LINKED_ACCOUNT groups.
ACCOUNT_OF_ENV = {"prod": "111122223333", "dev": "444455556666", "": "777788889999"}
ACCOUNT_NAMES = {"111122223333": "production", "444455556666": "development", "777788889999": "shared"}


def bill_rows(start: date, end: date) -> list[tuple[date, str, str, str, str, Decimal]]:
    """Every (day, service, region, usage type, env, cost) in [start, end)."""
    out = []
    day = start
    while day < end:
        out += [(day, s, r, u, e, Decimal(c)) for s, r, u, e, c in BILL]
        day += timedelta(days=1)
    return out


def _key(row, group: dict) -> str:
    day, service, region, usage, env, _ = row
    if group["Type"] == "TAG":
        return f"{group['Key']}${env if group['Key'] == 'env' else ''}"
    instance_type = usage.split(":")[-1] if "BoxUsage" in usage else "NoInstanceType"
    operation = "RunInstances" if "BoxUsage" in usage else "Usage"
    return {"SERVICE": service, "REGION": region, "USAGE_TYPE": usage, "INSTANCE_TYPE": instance_type,
            "RECORD_TYPE": "Usage", "OPERATION": operation, "LINKED_ACCOUNT": ACCOUNT_OF_ENV[env]}[group["Key"]]


def _quantity(row) -> Decimal:
    """Instance hours for BoxUsage (24 a day), one unit a day for the rest."""
    return Decimal(24) if "BoxUsage" in row[3] else Decimal(1)


def _kept(body: dict) -> bool:
    """Every bill row is record type Usage: a RECORD_TYPE filter without it keeps nothing."""
    dims = (body.get("Filter") or {}).get("Dimensions") or {}
    return dims.get("Key") != "RECORD_TYPE" or "Usage" in dims.get("Values", [])


def cost_and_usage(body: dict, page_days: int = 20) -> dict:
    """A GetCostAndUsage answer computed from BILL, paginated by `page_days` periods."""
    start = date.fromisoformat(body["TimePeriod"]["Start"])
    end = date.fromisoformat(body["TimePeriod"]["End"])
    groups = body.get("GroupBy", [])
    monthly = body["Granularity"] == "MONTHLY"
    periods: dict[date, dict[tuple, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    quantities: dict[date, dict[tuple, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in bill_rows(start, end) if _kept(body) else []:
        period = max(row[0].replace(day=1) if monthly else row[0], start)
        key = tuple(_key(row, g) for g in groups)
        periods[period][key] += row[5]
        quantities[period][key] += _quantity(row)
    results = []
    for period_start in sorted(periods):
        if monthly:
            nxt = (period_start.replace(day=28) + timedelta(days=4)).replace(day=1)
            period_end = min(nxt, end)
        else:
            period_end = period_start + timedelta(days=1)
        amounts = periods[period_start]
        results.append({
            "TimePeriod": {"Start": period_start.isoformat(), "End": period_end.isoformat()},
            "Total": {}, "Estimated": False,
            "Groups": [{"Keys": list(k), "Metrics": {
                "UnblendedCost": {"Amount": str(v), "Unit": "USD"}, "AmortizedCost": {"Amount": str(v), "Unit": "USD"},
                "UsageQuantity": {"Amount": str(quantities[period_start][k]), "Unit": "Hrs"}}}
                for k, v in sorted(amounts.items())],
        })
    offset = int(body.get("NextPageToken") or 0)
    page = results[offset:offset + page_days]
    # As AWS does: the names of the linked accounts on the page, when grouped by LINKED_ACCOUNT.
    at = [i for i, g in enumerate(groups) if g == {"Type": "DIMENSION", "Key": "LINKED_ACCOUNT"}]
    ids = sorted({g["Keys"][at[0]] for r in page for g in r["Groups"]}) if at else []
    answer = {"ResultsByTime": page, "GroupDefinitions": groups,
              "DimensionValueAttributes": [{"Value": i, "Attributes": {"description": ACCOUNT_NAMES[i]}} for i in ids]}
    if offset + page_days < len(results):
        answer["NextPageToken"] = str(offset + page_days)
    return answer


class CEServer:
    """Answers Cost Explorer JSON requests with `responder(operation, body) -> (status, payload)`."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict]] = []
        self.responder: Callable[[str, dict], tuple[int, dict]] = self.default
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                operation = self.headers["X-Amz-Target"].split(".")[-1]
                server.requests.append((operation, body))
                status, payload = server.responder(operation, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                if status >= 400:
                    self.send_header("x-amzn-ErrorType", payload.get("__type", ""))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def default(self, operation: str, body: dict) -> tuple[int, dict]:
        if operation == "GetCostAndUsage":
            return 200, cost_and_usage(body)
        if operation == "GetCostForecast":
            return 200, {"Total": {"Amount": "160.5", "Unit": "USD"}, "ForecastResultsByTime": [
                {"TimePeriod": body["TimePeriod"], "MeanValue": "160.5", "PredictionIntervalLowerBound": "150.25",
                 "PredictionIntervalUpperBound": "170.75"}]}
        if operation == "GetRightsizingRecommendation":
            return 200, {"RightsizingRecommendations": [{
                "AccountId": "123456789012", "RightsizingType": "MODIFY",
                "CurrentInstance": {"ResourceId": "i-0abc", "ResourceDetails": {"EC2ResourceDetails": {
                    "InstanceType": "m5.2xlarge", "Region": "US East (N. Virginia)"}}},
                "ModifyRecommendationDetail": {"TargetInstances": [{"EstimatedMonthlySavings": "140.16",
                    "ResourceDetails": {"EC2ResourceDetails": {"InstanceType": "m5.xlarge"}}}]}}]}
        if operation == "GetReservationCoverage":
            return 200, {"CoveragesByTime": [], "Total": {"CoverageHours": {"CoverageHoursPercentage": "25.5"}}}
        if operation == "GetReservationUtilization":
            return 200, {"UtilizationsByTime": [], "Total": {"UtilizationPercentage": "97.5", "NetRISavings": "12.3"}}
        return 400, {"__type": "DataUnavailableException", "message": "no Savings Plans"}

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def ce_server(monkeypatch: pytest.MonkeyPatch):
    server = CEServer()
    monkeypatch.setenv("AWS_ENDPOINT_URL_COST_EXPLORER", server.url)
    yield server
    server.close()
