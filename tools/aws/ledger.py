"""The call ledger: every AWS call counted by service, operation, region and outcome, every paid call priced.

Prices of paid requests (AWS public pricing):
- Cost Explorer API: $0.01 per request; each page of a paginated answer is a request.
- CloudWatch GetMetricData: $0.01 per 1,000 metrics requested.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tools.models import ApiCallCount

CE_PRICE_PER_REQUEST = Decimal("0.01")
GET_METRIC_DATA_PRICE_PER_1000_METRICS = Decimal("0.01")
CE_SERVICE_ID = "ce"


@dataclass(frozen=True)
class CallRecord:
    """One AWS API call (not one attempt: botocore's retries are inside it)."""

    service: str
    operation: str
    region: str
    outcome: str
    paid_usd: Decimal
    metrics_requested: int = 0


def price_of(service: str, operation: str, params: dict[str, Any]) -> tuple[Decimal, int]:
    """What AWS charges for this request, and how many metrics it asked for."""
    if service == CE_SERVICE_ID:
        return CE_PRICE_PER_REQUEST, 0
    if service == "cloudwatch" and operation == "GetMetricData":
        metrics = sum(1 for q in params.get("MetricDataQueries", []) if "MetricStat" in q)
        return GET_METRIC_DATA_PRICE_PER_1000_METRICS * metrics / 1000, metrics
    return Decimal(0), 0


class CallLedger:
    """Thread-safe tally of AWS calls. Listeners (Prometheus, the bill) see every record as it happens."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[tuple[str, str, str, str], int] = defaultdict(int)
        self._paid: dict[tuple[str, str, str, str], Decimal] = defaultdict(Decimal)
        self._metrics_requested = 0
        self._listeners: list[Callable[[CallRecord], None]] = []

    def add_listener(self, listener: Callable[[CallRecord], None]) -> None:
        with self._lock:
            self._listeners.append(listener)

    def record(self, record: CallRecord) -> None:
        key = (record.service, record.operation, record.region, record.outcome)
        with self._lock:
            self._calls[key] += 1
            self._paid[key] += record.paid_usd
            self._metrics_requested += record.metrics_requested
            listeners = list(self._listeners)
        for listener in listeners:
            listener(record)

    def count(self, service: str | None = None, operation: str | None = None, region: str | None = None,
              outcome: str | None = None) -> int:
        with self._lock:
            return sum(
                n for (s, o, r, out), n in self._calls.items()
                if (service is None or s == service) and (operation is None or o == operation)
                and (region is None or r == region) and (outcome is None or out == outcome)
            )

    def paid_usd(self) -> Decimal:
        with self._lock:
            return sum(self._paid.values(), Decimal(0))

    @property
    def metrics_requested(self) -> int:
        return self._metrics_requested

    def by_operation(self) -> dict[str, int]:
        """'service:Operation' -> calls, all regions and outcomes together."""
        out: dict[str, int] = defaultdict(int)
        with self._lock:
            for (service, operation, _, _), n in self._calls.items():
                out[f"{service}:{operation}"] += n
        return dict(sorted(out.items()))

    def snapshot(self) -> list[ApiCallCount]:
        with self._lock:
            items = sorted(self._calls.items())
            paid = dict(self._paid)
        return [
            ApiCallCount(service=s, operation=o, region=r, outcome=out, calls=n, paid_usd=float(paid[(s, o, r, out)]))
            for (s, o, r, out), n in items
        ]

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self._paid.clear()
            self._metrics_requested = 0
