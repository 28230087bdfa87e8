"""The CloudWatch metrics the rules read, as `MetricSpec`s (docs/rules.md, "Utilization keys").

A rule lists the ones it reads in `Rule.metrics`; `registry.metric_specs()` is their union per resource kind plus
`SHOWN`, and is what collection fetches. tests/analysis/test_registry.py holds it equal to the collectors' tables
(tools/aws/metric_specs.py), which tools/ keeps so it never imports agent/.
"""

from __future__ import annotations

from tools.models import MetricSpec, ResourceKind


def _spec(key: str, namespace: str, metric: str, stat: str, dimension: str) -> MetricSpec:
    return MetricSpec(key, namespace, metric, stat, dimension)


# EC2 instances
CPU = _spec("cpu", "AWS/EC2", "CPUUtilization", "Average", "InstanceId")
CPU_MAX = _spec("cpu_max", "AWS/EC2", "CPUUtilization", "Maximum", "InstanceId")
CPU_SAMPLES = _spec("cpu_samples", "AWS/EC2", "CPUUtilization", "SampleCount", "InstanceId")
"""One CPU sample per 5 minutes (1 with detailed monitoring) while the instance runs: its running hours."""
NETWORK_IN = _spec("network_in", "AWS/EC2", "NetworkIn", "Sum", "InstanceId")
NETWORK_OUT = _spec("network_out", "AWS/EC2", "NetworkOut", "Sum", "InstanceId")
MEM_MAX = _spec("mem_max", "CWAgent", "mem_used_percent", "Maximum", "InstanceId")
"""Published only where the CloudWatch agent runs with the InstanceId dimension; absent means "not measured"."""

# RDS instances
CONNECTIONS = _spec("connections", "AWS/RDS", "DatabaseConnections", "Maximum", "DBInstanceIdentifier")

# Lambda functions
INVOCATIONS = _spec("invocations", "AWS/Lambda", "Invocations", "Sum", "FunctionName")
ERRORS = _spec("errors", "AWS/Lambda", "Errors", "Sum", "FunctionName")
DURATION = _spec("duration", "AWS/Lambda", "Duration", "Average", "FunctionName")
MEMORY_USED_MAX = _spec("memory_used_max", "LambdaInsights", "used_memory_max", "Maximum", "function_name")

# NAT gateways
BYTES_OUT = _spec("bytes_out", "AWS/NATGateway", "BytesOutToDestination", "Sum", "NatGatewayId")
BYTES_IN = _spec("bytes_in", "AWS/NATGateway", "BytesInFromSource", "Sum", "NatGatewayId")

# S3 buckets
SIZE_STANDARD = MetricSpec("size_standard", "AWS/S3", "BucketSizeBytes", "Average", "BucketName",
                           (("StorageType", "StandardStorage"),))
OBJECTS = MetricSpec("objects", "AWS/S3", "NumberOfObjects", "Average", "BucketName",
                     (("StorageType", "AllStorageTypes"),))

SHOWN: dict[ResourceKind, tuple[MetricSpec, ...]] = {
    "rds_instance": (
        _spec("cpu", "AWS/RDS", "CPUUtilization", "Average", "DBInstanceIdentifier"),
        _spec("freeable_memory", "AWS/RDS", "FreeableMemory", "Average", "DBInstanceIdentifier"),
        _spec("read_iops", "AWS/RDS", "ReadIOPS", "Average", "DBInstanceIdentifier"),
        _spec("write_iops", "AWS/RDS", "WriteIOPS", "Average", "DBInstanceIdentifier"),
    ),
    "lambda_function": (
        _spec("throttles", "AWS/Lambda", "Throttles", "Sum", "FunctionName"),
        # Lambda Insights emits init_duration once per cold start, so its daily sample count counts cold starts.
        _spec("cold_starts", "LambdaInsights", "init_duration", "SampleCount", "function_name"),
    ),
}
"""Metrics no rule judges but people are shown: the seed's collector methods (agent/surfaces/collectors.py
`identify_*`) report database load, throttles and cold starts from them."""
