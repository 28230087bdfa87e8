"""The extended simulated account (Windows, RHEL, spot, RI-covered, a legacy RDS class, an idle Auto Scaling
group, a part-time and a recently stopped instance, a 2 TB gp2 volume, a small-object bucket, a new service's
spend, credits, refunds and tax): every planted finding is found and nothing else, each priced within 5 % of
what the sandbox bills, none unpriced; a 60-day lookback reports the same month as a 30-day one."""

from __future__ import annotations

from collections import defaultdict

import pytest

from agent.analysis import AWSCostAnalyzer
from agent.analysis.prices import analysis_prices
from tools.aws.clients import ClientFactory
from tools.aws.collect import collect_inventory, collect_utilization
from tools.aws.live_prices import run_prices
from tools.models import Report
from tools.settings import load_settings

pytestmark = pytest.mark.integration


def _run(env: dict[str, str], data_dir, **overrides) -> tuple[Report, ClientFactory]:
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        settings = load_settings(data_dir=data_dir, **overrides)
        factory = ClientFactory(settings)
        prices = run_prices(factory, settings)
        result = collect_inventory(factory, settings, prices, regions=settings.aws_regions)
        result = collect_utilization(factory, settings, result)
        report = AWSCostAnalyzer(settings, analysis_prices(result)).generate_summary_report(result)
    return report, factory


@pytest.fixture(scope="module")
def runs(extended_sandbox_env, tmp_path_factory):
    data = tmp_path_factory.mktemp("extended")
    cold, cold_factory = _run(extended_sandbox_env.env, data)
    cached, cached_factory = _run(extended_sandbox_env.env, data)  # same data directory: the hour's CE cache
    long, _ = _run(extended_sandbox_env.env, tmp_path_factory.mktemp("extended-60"), aws_cost_lookback_days=60)
    return {"cold": (cold, cold_factory), "cached": (cached, cached_factory), "long": long,
            "truth": extended_sandbox_env.ground_truth}


def _found(report: Report) -> dict[tuple[str, str], object]:
    return {(f.resource_id, o.type): f for o in report.opportunities for f in o.resources}


def test_precision_and_recall_are_one_on_every_type(runs):
    report, truth = runs["cold"][0], runs["truth"]
    found, planted = set(_found(report)), {(w["resource_id"], w["type"]) for w in truth["waste"]}
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # true positives, found, planted
    for _, kind in found:
        by_type[kind][1] += 1
    for _, kind in planted:
        by_type[kind][2] += 1
    for _, kind in found & planted:
        by_type[kind][0] += 1
    for kind, (hit, got, want) in sorted(by_type.items()):
        print(f"{kind:24} precision {hit / got if got else 1:.2f} recall {hit / want if want else 1:.2f} ({want})")
    assert (planted - found, found - planted) == (set(), set())


def test_every_planted_saving_is_within_5_percent_of_the_bill_and_none_is_unpriced(runs):
    report, truth = runs["cold"][0], runs["truth"]
    found = _found(report)
    worst = []
    for waste in truth["waste"]:
        f = found[(waste["resource_id"], waste["type"])]
        assert f.price_basis != "unpriced", waste
        expected, got = waste["billed_saving"], f.estimated_savings
        off = abs(got - expected) / expected if expected else abs(got - expected)
        worst.append((off, waste["type"], waste["resource_id"], got, expected))
        assert off <= 0.05 or abs(got - expected) <= 0.25, (waste, got, f.evidence.get("arithmetic"))
    off, kind, rid, got, expected = max(worst)
    print(f"largest difference {off:.2%}: {kind} {rid} {got} vs billed {expected}")


def test_the_month_is_one_month_whatever_the_lookback(runs):
    short, long, truth = runs["cold"][0], runs["long"], runs["truth"]
    assert short.total_monthly_cost == truth["monthly_spend"]
    assert abs(long.total_monthly_cost - short.total_monthly_cost) <= 0.03 * short.total_monthly_cost
    assert (long.time_period.end - long.time_period.start).days == 59
    assert long.waste_percentage == pytest.approx(short.waste_percentage, abs=0.5)


def test_credits_refunds_and_tax_are_shown_apart_and_raise_no_anomaly(runs):
    report, truth = runs["cold"][0], runs["truth"]
    assert report.adjustments == pytest.approx(truth["adjustments"], abs=0.01)
    assert [(a.service, a.region, str(a.date)) for a in report.anomalies] == [
        (a["service"], a["region"], a["date"]) for a in truth["anomalies"]]


def test_cost_explorer_requests_cold_and_cached(runs):
    cold, cached = runs["cold"][1], runs["cached"][1]
    calls = {op: cold.ledger.count("ce", op) for op in sorted({c.operation for c in cold.ledger.snapshot()
                                                               if c.service == "ce"})}
    print("Cost Explorer requests, cold run:", calls, "total", sum(calls.values()))
    # spend by service x region and x usage type (paged at 500 rows), 3 tag keys, adjustments, two billed-rate requests
    assert calls["GetCostAndUsage"] <= 20
    assert cached.ledger.count("ce") == 0
