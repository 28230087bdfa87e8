"""The graph's collect and analyze nodes price one run alike: Pricing API prices (a loopback GetProducts server)
reach the findings with their source, and an unreachable API is asked once per run, the book used instead."""

from __future__ import annotations

import socket
from datetime import date, timedelta

import pytest
from langgraph.runtime import Runtime
from pricing_stub import serve_pricing

from agent.analysis.report import AnalysisResult
from agent.graphs.analysis import nodes
from agent.graphs.analysis.run_data import ANALYSIS, COLLECTION, Analyzed
from agent.graphs.context import Context
from tools.models import CollectionResult, MetricSummary
from tools.pricing.book import PriceBook
from tools.settings import get_settings
from tools.storage.run_cache import get_run_cache

BOOK = PriceBook.load().label


def _series(value: float, statistic: str = "Average") -> MetricSummary:
    end = date.today() - timedelta(days=1)
    daily = {end - timedelta(days=i): value for i in range(14)}
    return MetricSummary(metric="m", statistic=statistic, daily=daily, average=value, maximum=value,
                         total=value * 14, days=14)


def _usage(cpu: float, cpu_max: float, net: float) -> dict[str, MetricSummary]:
    return {"cpu": _series(cpu), "cpu_max": _series(cpu_max, "Maximum"),
            "network_in": _series(net, "Sum"), "network_out": _series(net, "Sum")}


@pytest.fixture
def account(us_east_1_ec2):
    # A Linux image of our own: moto's state outlives other tests, whose images must not decide the platform.
    image = us_east_1_ec2.register_image(Name="linux-base", RootDeviceName="/dev/xvda")["ImageId"]
    for name, itype in (("idle", "m5.large"), ("big", "m5.2xlarge")):
        us_east_1_ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType=itype,
                                    TagSpecifications=[{"ResourceType": "instance",
                                                        "Tags": [{"Key": "Name", "Value": name}]}])


def _run(monkeypatch) -> tuple[CollectionResult, AnalysisResult, dict, dict]:
    """collect, then (with measured utilization put in) analyze, as the graph runs them."""
    get_settings.cache_clear()
    runtime = Runtime(context=Context())
    cache = get_run_cache(get_settings())
    state: dict = {"run_id": "prices-run"}
    collected = nodes.collect(state, runtime)
    state.update(collected)
    collection = cache.get("prices-run", COLLECTION, CollectionResult)
    for r in collection.resources:
        if r.kind == "ec2_instance":
            r.utilization = _usage(1.0, 2.0, 0.0) if r.name == "idle" else _usage(11.8, 15.0, 50 * 2**20)
    cache.put("prices-run", COLLECTION, collection)
    analyzed = nodes.analyze(state, runtime)
    analysis = cache.get("prices-run", ANALYSIS, Analyzed).result
    cache.drop("prices-run")
    return collection, analysis, collected, analyzed


def _finding(analysis: AnalysisResult, kind: str):
    (found,) = [f for o in analysis.opportunities if o.type == kind for f in o.resources]
    return found


def _pricing_calls(step: dict) -> int:
    return sum(c["calls"] for c in step.get("api_calls", []) if c["service"] == "pricing")


def test_api_prices_reach_the_findings_with_their_source(account, monkeypatch) -> None:
    with serve_pricing({"m5.large": "0.1070000000", "m5.2xlarge": "0.4280000000"}) as (url, requests):
        monkeypatch.setenv("AWS_ENDPOINT_URL_PRICING", url)
        collection, analysis, collected, analyzed = _run(monkeypatch)
    prices = {r.resource_type: r.price for r in collection.resources if r.kind == "ec2_instance"}
    assert prices["m5.large"].source.startswith("AWS Pricing API 2026-11-05: us-east-1 m5.large Linux on-demand")
    assert [r.monthly_cost for r in collection.resources if r.resource_type == "m5.large"] == [78.11]
    idle = _finding(analysis, "idle_resource")
    assert (idle.monthly_cost, idle.estimated_savings) == (78.11, 78.11), idle.evidence["unpriced_reason"]
    assert idle.evidence["hourly_price"] == 0.107
    assert idle.evidence["price_source"].startswith("AWS Pricing API 2026-11-05: us-east-1 m5.large Linux on-demand")
    assert (idle.evidence["arithmetic"], idle.price_basis) == ("730 h x $0.1070/h = $78.11", "list")
    big = _finding(analysis, "rightsizing")
    assert big.evidence["target_type"] == "m5.large"
    assert (big.monthly_cost, big.estimated_savings) == (312.44, 234.33)  # 730 x (0.428 - 0.107)
    assert big.evidence["price_source"].startswith("AWS Pricing API 2026-11-05: us-east-1 m5.2xlarge")
    assert big.evidence["target_price_source"].startswith("AWS Pricing API 2026-11-05: us-east-1 m5.large")
    # Every list price the rules may need was asked by collect; analyze priced from that data, asking nothing.
    assert _pricing_calls(collected) == len(requests) > 2 and _pricing_calls(analyzed) == 0
    assert collected["collected"]["pricing_api"] == "ok"
    assert not any(line.startswith("pricing_api") for line in collection.missing + analysis.missing)


def test_unreachable_api_one_attempt_book_prices_and_a_missing_line(account, monkeypatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL_PRICING", f"http://127.0.0.1:{port}")
    collection, analysis, collected, analyzed = _run(monkeypatch)
    assert (_pricing_calls(collected), _pricing_calls(analyzed)) == (1, 0)
    assert collected["collected"]["pricing_api"] == "down"
    note = f"pricing_api: EndpointConnectionError; list prices from the {BOOK}"
    assert note in collection.missing and note not in analysis.missing  # said once, by the step that saw it
    idle = _finding(analysis, "idle_resource")
    assert (idle.monthly_cost, idle.evidence["price_source"], idle.price_basis) == (
        70.08, f"{BOOK}: us-east-1 m5.large Linux on-demand", "book")
    big = _finding(analysis, "rightsizing")
    assert (big.monthly_cost, big.estimated_savings) == (280.32, 210.24)  # the book's $0.384 - $0.096
    assert big.evidence["target_price_source"] == f"{BOOK}: us-east-1 m5.large Linux on-demand"
