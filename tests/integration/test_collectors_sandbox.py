"""The collectors against the simulated account as a server: everything planted found, totals to the cent,
and GetMetricData at its lower bound, ceil(queries / 500) per region."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from tools.aws.clients import ClientFactory
from tools.aws.collect import collect_inventory, collect_utilization
from tools.aws.metric_specs import METRIC_SPECS
from tools.pricing.book import PriceBook
from tools.settings import load_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def collected(sandbox_env, monkeypatch, tmp_path):
    for key, value in sandbox_env.env.items():
        monkeypatch.setenv(key, value)
    settings = load_settings(data_dir=tmp_path)
    factory = ClientFactory(settings)
    inventory = collect_inventory(factory, settings, PriceBook.load(), regions=settings.aws_regions)
    return factory, collect_utilization(factory, settings, inventory), sandbox_env.ground_truth


def test_collectors_find_everything_planted_and_match_the_bill(collected):
    factory, result, truth = collected
    assert result.errors == [] and not result.partial
    assert result.account_id == truth["account_id"] and result.regions == truth["regions"]
    totals = truth["cost_totals"]
    assert result.costs.total_cost == totals["total"]
    assert result.costs.by_service == pytest.approx(totals["by_service"], abs=0.001)
    assert result.costs.by_region == pytest.approx(totals["by_region"], abs=0.001)
    assert (str(result.costs.time_period.start), str(result.costs.time_period.end)) == (
        truth["period"]["start"], truth["period"]["end"])
    found = {(r.resource_id, r.region) for r in result.resources}
    planted = {(w["resource_id"], w["region"]) for w in truth["waste"]}
    assert planted - found == set()
    ids = {r.resource_id for r in result.resources}
    assert set(truth["insufficient_data"]) | set(truth["ignored"]) <= ids
    kinds = Counter(r.kind for r in result.resources)
    for kind in ("ec2_instance", "rds_instance", "lambda_function", "s3_bucket", "nat_gateway", "ebs_snapshot",
                 "rds_snapshot"):
        assert kinds[kind] == truth["counts"][kind], kind


def test_every_metered_resource_was_measured_at_the_lower_bound_of_calls(collected):
    factory, result, truth = collected
    print("\ncalls per operation (default sandbox):", factory.ledger.by_operation())
    queries = Counter()
    for r in result.resources:
        queries[r.region] += len(METRIC_SPECS.get(r.kind, ()))
    for region, n in queries.items():
        assert factory.ledger.count("cloudwatch", "GetMetricData", region) == math.ceil(n / 500), region
    unmeasured = [(r.kind, r.region, r.resource_id) for r in result.resources
                  if r.kind in ("rds_instance", "lambda_function", "nat_gateway", "s3_bucket")
                  and not any(s.days for s in r.utilization.values())]
    assert unmeasured == []
    calls = factory.ledger.by_operation()
    assert calls["ec2:DescribeInstances"] == len(truth["regions"])
    assert calls["s3:ListBuckets"] == 1
