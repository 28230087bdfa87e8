"""Index moto's CloudWatch backend so GetMetricData does not scan every datapoint for every query.

moto's `get_metric_data` filters all stored points per query (quadratic at fleet scale). This wraps it:
each MetricStat query runs moto's own code over only the points that can match it (same metric name
and, when the query has dimensions, the same dimension set; without dimensions, the same namespace).
Queries with expressions fall back to the unpatched method. Used only inside the sandbox process.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from moto.cloudwatch.models import CloudWatchBackend

_ORIGINAL = CloudWatchBackend.get_metric_data
_LOCK = threading.Lock()
_INDEXES: dict[int, _Index] = {}


class _Index:
    def __init__(self) -> None:
        self.source: list[Any] | None = None
        self.seen = 0
        self.by_dims: dict[tuple[str, tuple[tuple[str, str], ...]], list[Any]] = defaultdict(list)
        self.by_ns: dict[tuple[str, str], list[Any]] = defaultdict(list)

    def refresh(self, data: list[Any]) -> None:
        if data is not self.source or len(data) < self.seen:
            self.__init__()  # type: ignore[misc]
            self.source = data
        for md in data[self.seen:]:
            self.by_dims[(md.name, _dims(md.dimensions))].append(md)
            self.by_ns[(md.namespace, md.name)].append(md)
        self.seen = len(data)


def _dims(dimensions: list[Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((d.name, d.value) for d in dimensions))


def _candidates(index: _Index, extra: list[Any], query: dict[str, Any]) -> list[Any]:
    metric = query["MetricStat"]["Metric"]
    name = metric["MetricName"]
    dims = metric.get("Dimensions") or []
    if dims:
        key = tuple(sorted((d["Name"], d["Value"]) for d in dims))
        stored = index.by_dims.get((name, key), [])
        return stored + [md for md in extra if md.name == name and _dims(md.dimensions) == key]
    stored = index.by_ns.get((metric.get("Namespace"), name), [])
    return stored + [md for md in extra if md.namespace == metric.get("Namespace") and md.name == name]


def indexed_get_metric_data(self: CloudWatchBackend, queries: list[dict[str, Any]], start_time: Any,
                            end_time: Any, scan_by: str = "TimestampAscending") -> list[dict[str, Any]]:
    """Same answers as moto's get_metric_data, computed per query over the matching points only."""
    if not queries or any("MetricStat" not in q for q in queries):
        return _ORIGINAL(self, queries, start_time, end_time, scan_by)
    with _LOCK:
        index = _INDEXES.setdefault(id(self), _Index())
        index.refresh(self.metric_data)
    extra = self.aws_metric_data
    results: list[dict[str, Any]] = []
    for query in queries:
        subset = _candidates(index, extra, query)
        proxy = SimpleNamespace(get_all_metrics=lambda subset=subset: subset)
        results.extend(_ORIGINAL(proxy, [query], start_time, end_time, scan_by))  # type: ignore[arg-type]
    return results


def install() -> None:
    """Patch moto's CloudWatch backend in this process (idempotent)."""
    CloudWatchBackend.get_metric_data = indexed_get_metric_data  # type: ignore[method-assign]


def uninstall() -> None:
    CloudWatchBackend.get_metric_data = _ORIGINAL  # type: ignore[method-assign]
    _INDEXES.clear()
