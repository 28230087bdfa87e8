"""What to measure: one daily CloudWatch statistic, as plain data.

Pure, so both sides can name a metric: the analysis rules declare the ones they read (agent/analysis/rules) and the
collectors fetch them (tools/aws/metric_specs.py holds today's per-kind tables, tools/aws/cloudwatch.py the one
batched GetMetricData routine).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricSpec:
    """One daily statistic of one metric, identified for a resource by `dimension` = the resource's CloudWatch name
    (`tools.aws.metric_specs.dimension_value`)."""

    key: str
    """Key in `Resource.utilization` (docs/rules.md)."""
    namespace: str
    metric: str
    stat: str
    dimension: str
    extra_dimensions: tuple[tuple[str, str], ...] = ()

    def dimensions(self, value: str) -> list[dict[str, str]]:
        dims = [{"Name": self.dimension, "Value": value}]
        dims += [{"Name": name, "Value": value} for name, value in self.extra_dimensions]
        return dims
