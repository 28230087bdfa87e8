"""The fewest calls AWS allows for what a full run reads, per operation, and what the calls cost.

Every bound is per region unless marked global, from the API's maximum page size (AWS documentation):
a paginated Describe/List of n items needs ceil(n / page) calls; GetMetricData takes 500 queries a call
(at one datapoint per day for 14 days, 500 x 14 = 7,000 datapoints, under the 100,800 cap).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

CE_PRICE = Decimal("0.01")
"""Cost Explorer API: $0.01 per request (each page is a request)."""
GMD_PRICE_PER_1000_METRICS = Decimal("0.01")
"""CloudWatch GetMetricData: $0.01 per 1,000 metrics requested."""
CW_PRICE_PER_1000_REQUESTS = Decimal("0.01")
"""CloudWatch GetMetricStatistics and other API requests: $0.01 per 1,000 requests (first 1 M a month free)."""


def _pages(kind: str, page: int) -> Callable[[dict[str, int]], int]:
    return lambda n: math.ceil(n.get(kind, 0) / page)


# (operation, formula as written in the docs, per-region function of {kind: count}, or None when global)
BOUNDS: list[tuple[str, str, Callable[[dict[str, int]], int]]] = [
    ("sts:GetCallerIdentity", "1 (global)", lambda n: 0),
    ("ec2:DescribeInstances", "ceil(instances / 1,000)", _pages("ec2_instance", 1000)),
    ("ec2:DescribeVolumes", "ceil(volumes / 500)", _pages("ebs_volume", 500)),
    ("ec2:DescribeSnapshots", "ceil(own snapshots / 1,000)", _pages("ebs_snapshot", 1000)),
    ("ec2:DescribeAddresses", "1 (unpaginated)", lambda n: 1),
    ("ec2:DescribeNatGateways", "ceil(NAT gateways / 1,000)", _pages("nat_gateway", 1000)),
    ("rds:DescribeDBInstances", "ceil(DB instances / 100)", _pages("rds_instance", 100)),
    ("rds:DescribeDBSnapshots", "ceil(manual DB snapshots / 100)", _pages("rds_snapshot", 100)),
    ("lambda:ListFunctions", "ceil(functions / 50)", _pages("lambda_function", 50)),
    ("cloudwatch:GetMetricData", "ceil(metric queries / 500)", lambda n: math.ceil(n.get("queries", 0) / 500)),
    ("s3:ListBuckets", "1 (global)", lambda n: 0),
    ("s3:GetBucketLocation", "0: ListBuckets returns BucketRegion (not in moto)", lambda n: 0),
    ("s3:GetBucketLifecycleConfiguration", "buckets (no batch API)", _pages("s3_bucket", 1)),
    ("s3:ListMultipartUploads", "buckets (no batch API)", _pages("s3_bucket", 1)),
    ("s3:ListParts", "incomplete uploads older than 7 days", lambda n: n.get("uploads", 0)),
]
GLOBAL_ONES = {"sts:GetCallerIdentity": 1, "s3:ListBuckets": 1}


def counts_by_region(shape: dict[str, Any]) -> dict[str, dict[str, int]]:
    """{region: {kind: n, 'queries': n}} from a run's `resources` and `metric_queries`."""
    out: dict[str, dict[str, int]] = {}
    for key, n in shape["resources"].items():
        kind, region = key.split("|")
        out.setdefault(region, {})[kind] = n
    for region, n in shape["metric_queries"].items():
        out.setdefault(region, {})["queries"] = n
    # S3 is listed once globally; ListParts follows the uploads, which the run reports account-wide.
    first = sorted(out)[0] if out else ""
    if first:
        out[first]["uploads"] = shape.get("incomplete_uploads", 0)
    return out


def lower_bounds(shape: dict[str, Any]) -> dict[str, tuple[str, int]]:
    """operation -> (formula, bound for this account)."""
    regions = counts_by_region(shape)
    out: dict[str, tuple[str, int]] = {}
    for operation, formula, per_region in BOUNDS:
        bound = GLOBAL_ONES.get(operation, 0) + sum(per_region(n) for n in regions.values())
        out[operation] = (formula, bound)
    return out


def paid_ours(ce_requests: int, metrics_requested: int) -> Decimal:
    return CE_PRICE * ce_requests + GMD_PRICE_PER_1000_METRICS * metrics_requested / 1000


def paid_custodian(get_metric_statistics_calls: int) -> Decimal:
    return CW_PRICE_PER_1000_REQUESTS * get_metric_statistics_calls / 1000
