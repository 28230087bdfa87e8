"""Issue 5 end to end: the whole analysis on the simulated account finds exactly what it planted.

Precision and recall 1.0 against the sandbox's ground truth, totals equal to the seeded Cost Explorer
table to the cent, the planted anomaly found with its driver, and the report keeps the contract.
"""

from __future__ import annotations

import pytest

from agent.analysis import AWSCostAnalyzer
from tools.aws.clients import ClientFactory
from tools.aws.collect import collect_inventory, collect_utilization
from tools.aws.pricing import PriceBook
from tools.settings import load_settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def analysed(sandbox_env, tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        for key, value in sandbox_env.env.items():
            patch.setenv(key, value)
        settings = load_settings(data_dir=tmp_path_factory.mktemp("gt"))
        factory = ClientFactory(settings)
        prices = PriceBook.load()
        result = collect_inventory(factory, settings, prices, regions=settings.aws_regions)
        result = collect_utilization(factory, settings, result)
        report = AWSCostAnalyzer(settings, prices).generate_summary_report(result)
    return report, sandbox_env.ground_truth


def test_every_planted_waste_item_is_found_and_nothing_else(analysed):
    report, truth = analysed
    found = {(x.resource_id, o.type) for o in report.opportunities for x in o.resources}
    planted = {(w["resource_id"], w["type"]) for w in truth["waste"]}
    missed, extra = planted - found, found - planted
    assert (missed, extra) == (set(), set())
    recall = len(planted & found) / len(planted)
    precision = len(planted & found) / len(found)
    assert (precision, recall) == (1.0, 1.0)
    assert len(planted) >= 17  # every opportunity type is planted at least once
    assert {o.type for o in report.opportunities} >= {
        "idle_resource", "rightsizing", "spot_migration", "savings_plan", "reserved_instance", "unattached_volume",
        "volume_type_upgrade", "old_snapshot", "unused_elastic_ip", "idle_nat_gateway", "idle_database",
        "multi_az", "previous_generation", "lambda_memory", "lambda_errors", "s3_lifecycle", "s3_incomplete_uploads"}


def test_insufficient_data_and_ignored_resources_are_reported_not_found(analysed):
    report, truth = analysed
    assert {x["resource_id"] for x in report.insufficient_data} >= set(truth["insufficient_data"])
    assert set(report.skipped_ignored) == set(truth["ignored"])


def test_totals_equal_the_seeded_cost_table_to_the_cent(analysed):
    report, truth = analysed
    totals = truth["cost_totals"]
    assert report.total_monthly_cost == totals["total"]
    assert report.by_service == pytest.approx(totals["by_service"], abs=0.005)
    assert report.by_region == pytest.approx(totals["by_region"], abs=0.005)
    assert round(sum(report.by_service.values()), 2) == report.total_monthly_cost
    assert report.waste_percentage == pytest.approx(100 * report.total_waste / report.total_monthly_cost, abs=0.01)


def test_the_planted_anomaly_is_the_only_one_and_names_its_driver(analysed):
    report, truth = analysed
    got = [(a.service, a.region, str(a.date)) for a in report.anomalies]
    assert got == [(p["service"], p["region"], p["date"]) for p in truth["anomalies"]]
    for anomaly, planted in zip(report.anomalies, truth["anomalies"], strict=True):
        assert anomaly.drivers[0].usage_type == planted["driver"]
        assert anomaly.change_percentage > 20


def test_the_report_keeps_the_contract(analysed, report_checker):
    report, _ = analysed
    report_checker(report.model_dump(mode="json"))
