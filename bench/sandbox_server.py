"""`python -m tools.sandbox`, with moto's GetMetricStatistics indexed like its GetMetricData (benchmark only).

moto answers GetMetricStatistics by scanning every datapoint of the region (about 850,000 per region at
10,000 instances), so Cloud Custodian's one call per instance would be timed against moto's scan rather than
against the number of round trips. AWS answers both operations in time independent of the account's size;
this gives GetMetricStatistics the same per-metric index the sandbox already installs for GetMetricData, so
the two tools are compared on calls and latency, not on moto's data structures. Same answers: moto's own code
runs over the candidate points of the first requested dimension. moto's generated metrics (S3 storage, rebuilt
for every bucket on each read) are added only to AWS/S3 requests, the only namespace moto generates.

    .venv/bin/python bench/sandbox_server.py <python -m tools.sandbox arguments>
"""

from __future__ import annotations

import sys
import threading
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tools.sandbox.core  # noqa: E402,F401  (sets moto's environment before moto is imported)

_LOCK = threading.Lock()
_ORIGINAL: Any = None
_INDEXES: dict[int, _DimIndex] = {}


class _DimIndex:
    """(namespace, metric, dimension name, dimension value) -> stored datapoints, grown incrementally."""

    def __init__(self) -> None:
        self.source: list[Any] | None = None
        self.seen = 0
        self.points: dict[tuple[str, str, str, str], list[Any]] = defaultdict(list)

    def refresh(self, data: list[Any]) -> None:
        if data is not self.source or len(data) < self.seen:
            self.__init__()  # type: ignore[misc]
            self.source = data
        for md in data[self.seen:]:
            for d in md.dimensions:
                self.points[(md.namespace, md.name, d.name, d.value)].append(md)
        self.seen = len(data)


def indexed_get_metric_statistics(self: Any, namespace: str, metric_name: str, start_time: Any,
                                  end_time: Any, period: int, stats: list[str], dimensions: list[dict[str, str]],
                                  unit: str | None = None) -> Any:
    """moto's answer, computed over the points that carry the first requested dimension only."""
    if not dimensions:
        return _ORIGINAL(self, namespace, metric_name, start_time, end_time, period, stats, dimensions, unit)
    with _LOCK:
        index = _INDEXES.setdefault(id(self), _DimIndex())
        index.refresh(self.metric_data)
    first = dimensions[0]
    subset = index.points.get((namespace, metric_name, first["Name"], first.get("Value", "")), [])
    if namespace == "AWS/S3":  # moto generates its S3 storage metrics on every read: only S3 needs them
        subset = subset + [md for md in self.aws_metric_data if md.name == metric_name]
    proxy = SimpleNamespace(get_all_metrics=lambda: subset)
    return _ORIGINAL(proxy, namespace, metric_name, start_time, end_time, period, stats,  # type: ignore[arg-type]
                     dimensions, unit)


def install() -> None:
    """Patch moto's CloudWatch backend in this process (the sandbox serves from this process)."""
    from moto.cloudwatch.models import CloudWatchBackend

    global _ORIGINAL
    _ORIGINAL = CloudWatchBackend.get_metric_statistics
    CloudWatchBackend.get_metric_statistics = indexed_get_metric_statistics  # type: ignore[method-assign]


if __name__ == "__main__":
    install()
    from tools.sandbox.__main__ import main

    sys.exit(main(sys.argv[1:]))
