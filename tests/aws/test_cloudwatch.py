"""Batched GetMetricData on moto: exact daily series and summaries, and the exact number of calls."""

from __future__ import annotations

import math
from datetime import UTC, datetime, time, timedelta

import pytest
from moto import mock_aws

from tests.aws.conftest import TODAY
from tools.aws.clients import ClientFactory
from tools.aws.cloudwatch import batch_size, fetch_utilization, lookback_window
from tools.aws.collect import collect_utilization
from tools.aws.metric_specs import METRIC_SPECS
from tools.models import CollectionResult, Resource
from tools.settings import load_settings


def instance(resource_id: str, region: str) -> Resource:
    return Resource(resource_id=resource_id, kind="ec2_instance", service="EC2", region=region,
                    resource_type="m5.large", state="running")


def put_daily(cw, namespace: str, metric: str, dimensions: list[dict], days: list[tuple[int, float, float]]) -> None:
    """One StatisticValues point per day: (days before TODAY, average, maximum), 24 samples a day."""
    data = [{"MetricName": metric, "Dimensions": dimensions,
             "Timestamp": datetime.combine(TODAY - timedelta(days=ago), time(12), tzinfo=UTC),
             "StatisticValues": {"SampleCount": 24, "Sum": avg * 24, "Minimum": 0.0, "Maximum": peak}}
            for ago, avg, peak in days]
    cw.put_metric_data(Namespace=namespace, MetricData=data)


@pytest.fixture
def factory():
    with mock_aws():
        yield ClientFactory(load_settings())


def test_daily_series_and_summaries_are_exact(factory):
    cw = factory.client("cloudwatch", "us-east-1")
    dims = [{"Name": "InstanceId", "Value": "i-a"}]
    put_daily(cw, "AWS/EC2", "CPUUtilization", dims, [(ago, 15 - ago, 2 * (15 - ago)) for ago in range(1, 15)])
    put_daily(cw, "AWS/EC2", "NetworkIn", dims, [(ago, 1000.0, 1000.0) for ago in range(1, 15)])
    put_daily(cw, "AWS/EC2", "CPUUtilization", [{"Name": "InstanceId", "Value": "i-b"}],
              [(ago, 3.0, 4.0) for ago in range(1, 6)])
    put_daily(cw, "AWS/EC2", "CPUUtilization", dims, [(15, 99.0, 99.0), (0, 99.0, 99.0)])  # outside the window
    out = fetch_utilization(factory, "us-east-1", [instance("i-a", "us-east-1"), instance("i-b", "us-east-1")],
                            METRIC_SPECS, 14, 7, today=TODAY)
    cpu = out["i-a"]["cpu"]
    assert (cpu.average, cpu.maximum, cpu.total, cpu.days, cpu.insufficient) == (7.5, 14.0, 105.0, 14, False)
    assert cpu.daily[TODAY - timedelta(days=14)] == 1.0 and cpu.daily[TODAY - timedelta(days=1)] == 14.0
    assert out["i-a"]["cpu_max"].maximum == 28.0 and out["i-a"]["cpu_max"].average == 15.0
    assert (out["i-a"]["network_in"].total, out["i-a"]["network_in"].average) == (24000.0 * 14, 24000.0)
    assert out["i-a"]["network_out"].days == 0 and out["i-a"]["network_out"].insufficient
    b = out["i-b"]["cpu"]
    assert (b.average, b.days, b.insufficient) == (3.0, 5, True)
    assert factory.ledger.count("cloudwatch", "GetMetricData") == 1
    assert factory.ledger.metrics_requested == 12  # 2 instances x 6 EC2 metrics (docs/rules.md)


def test_fixed_fleet_costs_exactly_ceil_queries_over_500_calls_per_region(factory):
    east = [instance(f"i-east{n:03d}", "us-east-1") for n in range(130)]  # 780 queries -> 2 calls
    west = [instance(f"i-west{n:03d}", "eu-west-1") for n in range(5)]  # 30 queries
    west.append(Resource(resource_id="db-1", kind="rds_instance", service="RDS", region="eu-west-1",
                         resource_type="db.t3.micro"))  # + 5 queries -> 1 call
    west.append(Resource(resource_id="vol-1", kind="ebs_volume", service="EBS", region="eu-west-1"))  # no metrics
    put_daily(factory.client("cloudwatch", "us-east-1"), "AWS/EC2", "CPUUtilization",
              [{"Name": "InstanceId", "Value": "i-east129"}], [(ago, 50.0, 60.0) for ago in range(1, 15)])
    result = CollectionResult(collected_at=datetime.now(UTC), regions=["us-east-1", "eu-west-1"],
                              resources=east + west)
    steps = []
    measured = collect_utilization(factory, load_settings(), result, today=TODAY,
                                   progress=lambda step, done, total: steps.append((step, done, total)))
    assert factory.ledger.count("cloudwatch", "GetMetricData", "us-east-1") == math.ceil(780 / 500) == 2
    assert factory.ledger.count("cloudwatch", "GetMetricData", "eu-west-1") == math.ceil(35 / 500) == 1
    assert factory.ledger.metrics_requested == 815
    assert sorted(steps) == [("cloudwatch/eu-west-1", 1, 1), ("cloudwatch/us-east-1", 1, 2),
                             ("cloudwatch/us-east-1", 2, 2)]
    last = next(r for r in measured.resources if r.resource_id == "i-east129")
    assert (last.utilization["cpu"].average, last.attributes["running_fraction"]) == (50.0, 1.0)
    assert measured.resources[0].attributes["running_fraction"] == 0.0
    assert set(last.utilization) == {"cpu", "cpu_max", "cpu_samples", "network_in", "network_out",
                                     "mem_max"}
    assert next(r for r in measured.resources if r.resource_id == "vol-1").utilization == {}


def test_long_lookback_stays_under_the_datapoint_cap(factory):
    assert batch_size(14) == 500 and batch_size(455) == 221 and batch_size(400) == 252
    fleet = [instance(f"i-{n:03d}", "us-east-1") for n in range(65)]  # 260 queries x 400 days
    fetch_utilization(factory, "us-east-1", fleet, METRIC_SPECS, 400, 7, today=TODAY)
    assert factory.ledger.count("cloudwatch", "GetMetricData") == 2
    start, end = lookback_window(14, TODAY)
    assert (start.isoformat(), end.isoformat()) == ("2026-11-10T00:00:00+00:00", "2026-11-24T00:00:00+00:00")


def test_next_token_is_followed_and_pages_merge(factory):
    cw = factory.client("cloudwatch", "us-east-1")
    put_daily(cw, "AWS/EC2", "CPUUtilization", [{"Name": "InstanceId", "Value": "i-a"}],
              [(ago, float(ago), float(ago)) for ago in range(1, 15)])
    tokens: list[str | None] = []

    def record(params, **_):
        tokens.append(params.get("NextToken"))

    def split(parsed, **_):
        """AWS pages long answers: the first page holds 7 days and a token, the second the rest."""
        first = len(tokens) == 1
        for result in parsed["MetricDataResults"]:
            half = slice(0, 7) if first else slice(7, None)
            result["Timestamps"], result["Values"] = result["Timestamps"][half], result["Values"][half]
        if first:
            parsed["NextToken"] = "page-2"

    cw.meta.events.register("before-parameter-build.cloudwatch.GetMetricData", record)
    cw.meta.events.register("after-call.cloudwatch.GetMetricData", split)
    out = fetch_utilization(factory, "us-east-1", [instance("i-a", "us-east-1")], METRIC_SPECS, 14, 7, today=TODAY)
    assert tokens == [None, "page-2"]
    assert factory.ledger.count("cloudwatch", "GetMetricData") == 2
    cpu = out["i-a"]["cpu"]
    assert (cpu.days, cpu.total, cpu.maximum) == (14, 105.0, 14.0)
