"""Which CloudWatch metrics each resource kind is measured by: docs/rules.md's utilization table, as data.

These tables are what collection fetches by default. The analysis rules declare the metrics they read
(`agent.analysis.rules.registry.metric_specs()`), and a test holds the two equal; the graph passes the registry's
specs to `collect_utilization(specs=...)`. `MetricSpec` itself lives in `tools.models.metrics` (pure data).
"""

from __future__ import annotations

from tools.models import MetricSpec, Resource


def _specs(namespace: str, dimension: str, *rows: tuple[str, str, str]) -> tuple[MetricSpec, ...]:
    return tuple(MetricSpec(key, namespace, metric, stat, dimension) for key, metric, stat in rows)


EC2_SPECS = _specs(
    "AWS/EC2", "InstanceId",
    ("cpu", "CPUUtilization", "Average"),
    ("cpu_max", "CPUUtilization", "Maximum"),
    # One CPU sample per 5 minutes (1 with detailed monitoring) while the instance runs: its running hours.
    ("cpu_samples", "CPUUtilization", "SampleCount"),
    ("network_in", "NetworkIn", "Sum"),
    ("network_out", "NetworkOut", "Sum"),
) + _specs(
    # Published only where the CloudWatch agent runs with the InstanceId dimension; absent means "not measured".
    "CWAgent", "InstanceId",
    ("mem_max", "mem_used_percent", "Maximum"),
)
RDS_SPECS = _specs(
    "AWS/RDS", "DBInstanceIdentifier",
    ("connections", "DatabaseConnections", "Maximum"),
    ("cpu", "CPUUtilization", "Average"),
    ("freeable_memory", "FreeableMemory", "Average"),
    ("read_iops", "ReadIOPS", "Average"),
    ("write_iops", "WriteIOPS", "Average"),
)
LAMBDA_SPECS = _specs(
    "AWS/Lambda", "FunctionName",
    ("invocations", "Invocations", "Sum"),
    ("errors", "Errors", "Sum"),
    ("throttles", "Throttles", "Sum"),
    ("duration", "Duration", "Average"),
) + _specs(
    "LambdaInsights", "function_name",
    ("memory_used_max", "used_memory_max", "Maximum"),
    # Lambda Insights emits init_duration once per cold start, so its daily sample count counts cold starts.
    ("cold_starts", "init_duration", "SampleCount"),
)
NAT_SPECS = _specs(
    "AWS/NATGateway", "NatGatewayId",
    ("bytes_out", "BytesOutToDestination", "Sum"),
    ("bytes_in", "BytesInFromSource", "Sum"),
)
S3_SPECS = (
    MetricSpec("size_standard", "AWS/S3", "BucketSizeBytes", "Average", "BucketName",
               (("StorageType", "StandardStorage"),)),
    MetricSpec("objects", "AWS/S3", "NumberOfObjects", "Average", "BucketName",
               (("StorageType", "AllStorageTypes"),)),
)

METRIC_SPECS: dict[str, tuple[MetricSpec, ...]] = {
    "ec2_instance": EC2_SPECS,
    "rds_instance": RDS_SPECS,
    "lambda_function": LAMBDA_SPECS,
    "nat_gateway": NAT_SPECS,
    "s3_bucket": S3_SPECS,
}


# Kinds whose resource id is an ARN (names are unique only within a region) but whose CloudWatch
# dimension is the short name: DBInstanceIdentifier, FunctionName, LambdaInsights' function_name.
NAME_DIMENSION_KINDS = frozenset({"rds_instance", "lambda_function"})


def dimension_value(resource: Resource) -> str:
    """The value CloudWatch knows the resource by: its short name for RDS and Lambda, else its id."""
    if resource.kind in NAME_DIMENSION_KINDS and resource.name:
        return resource.name
    return resource.resource_id
