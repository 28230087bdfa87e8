"""The full report: contract check, totals to the cent, partial results, and the deterministic summary."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from decimal import Decimal

from agent.analysis.report import OTHER, reconcile
from tools.models import CollectionError, CostRow, Forecast, Resource, RunCost, TimePeriod

SERVICES = {("Amazon Elastic Compute Cloud - Compute", "us-east-1"): 40.123,
            ("EC2 - Other", "eu-west-1"): 7.005, ("AWS Lambda", "us-east-1"): 3.333}


def account(build):
    rows, usage = [], []
    end = build.TODAY - timedelta(days=1)
    for i in range(58):
        day = end - timedelta(days=i)
        for (service, region), cost in SERVICES.items():
            spike = service == "AWS Lambda" and day == date(2026, 11, 11)
            rows.append(CostRow(day=day, service=service, region=region, cost=cost * 5 if spike else cost))
            usage.append(CostRow(day=day, service=service, region="", usage_type=f"{region}-usage",
                                 cost=cost * 5 if spike else cost))
    costs = build.cost_summary(rows, usage)
    fn = Resource(resource_id="fn-1", kind="lambda_function", service="Lambda", region="us-east-1",
                  attributes={"memory_mb": 128}, notes=["memory used not measured (enable Lambda Insights)"])
    resources = [
        build.instance("i-idle", "m5.xlarge", cpu=1, cpu_max=2, net_bytes=0),
        build.instance("i-new", "m5.large", days=3),
        build.instance("i-skip", "m5.large", cpu=1, cpu_max=2, net_bytes=0, tags={"cost-agent:ignore": "true"}),
        build.instance("i-stop", "m5.large", state="stopped", days=0),
        build.volume("vol-a", "gp2", 100, attached_to="i-stop"),
        build.volume("vol-b", "gp2", 250, attached_to=None, region="eu-west-1"),
        fn,
    ]
    forecast = Forecast(time_period=TimePeriod(start=build.TODAY, end=build.TODAY + timedelta(days=29)), mean=1500.0)
    return build.collection(resources, costs, forecast=forecast, missing=["savings_plans_utilization: NotImplemented"],
                            errors=[CollectionError(scope="rds/eu-west-1", error="AccessDenied", code="AccessDenied")])


def test_full_report(analyzer, build, report_checker):
    collection = account(build)
    report = analyzer.generate_summary_report(collection, RunCost(aws_api=0.03, total=0.03))
    data = json.loads(report.model_dump_json())
    report_checker(data)
    assert report.total_monthly_cost == collection.costs.total_cost == 1527.16
    assert sum(round(v * 100) for v in report.by_service.values()) == 152716
    assert sum(round(v * 100) for v in report.by_region.values()) == 152716
    # Lambda: 29 x $3.333 + the spike day 5 x $3.333 = $113.322
    assert report.by_service == {"Amazon Elastic Compute Cloud - Compute": 1203.69, "EC2 - Other": 210.15,
                                 "AWS Lambda": 113.32}
    # i-idle $140.16 + i-stop $10.00 (covers vol-a) + vol-b 250 GB x $0.11 = $27.50
    assert (report.total_waste, report.waste_percentage) == (177.66, 11.63)
    assert [(o.type, o.service, o.estimated_savings, o.priority) for o in report.opportunities] == [
        ("idle_resource", "EC2", 150.16, "high"), ("unattached_volume", "EBS", 27.5, "medium"),
        ("volume_type_upgrade", "EBS", 2.0, "low")]
    assert report.insufficient_data == [{"resource_id": "i-new", "region": "us-east-1", "kind": "ec2_instance",
                                         "metric": "cpu", "days": 3, "needed": 7}]
    assert report.skipped_ignored == ["i-skip"]
    assert report.missing == ["savings_plans_utilization: NotImplemented",
                              "memory used not measured (enable Lambda Insights): 1 resource(s) (fn-1)"]
    assert (report.partial, [e.scope for e in report.errors]) == (True, ["rds/eu-west-1"])
    assert [(a.service, a.date, a.expected_cost, a.actual_cost, a.drivers[0].usage_type) for a in report.anomalies] == [
        ("AWS Lambda", date(2026, 11, 11), 3.33, 16.67, "us-east-1-usage")]
    assert report.by_region == {"us-east-1": 1317.01, "eu-west-1": 210.15}
    assert report.forecast is not None and report.forecast.mean == 1500.0
    assert report.run_cost.total == 0.03 and data["run_cost"]["lambda"] == 0.0
    assert report.time_period == collection.costs.time_period


def _numbers(value, out):
    if isinstance(value, dict):
        for v in value.values():
            _numbers(v, out)
    elif isinstance(value, list):
        for v in value:
            _numbers(v, out)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        out.add(Decimal(str(value)).quantize(Decimal("0.01")))
    elif isinstance(value, str):
        out.update(Decimal(m.replace(",", "")) for m in re.findall(r"\$([\d,]+\.\d\d)\b", value))


def test_summary_uses_only_report_figures(analyzer, build):
    report = analyzer.generate_summary_report(account(build))
    text = report.executive_summary
    assert report.summary_source == "deterministic (no LLM configured)"
    data = json.loads(report.model_dump_json(exclude={"executive_summary"}))
    known: set[Decimal] = set()
    _numbers(data, known)
    figures = [Decimal(m.replace(",", "")) for m in re.findall(r"\$([\d,]+\.\d\d)", text)]
    assert figures and all(f in known for f in figures), [f for f in figures if f not in known]
    assert text.splitlines()[0] == "Spend 2026-10-25 to 2026-11-23: $1,527.16."
    assert ("Savings found: $177.66 a month, counted once per resource across 3 opportunities: waste $177.66 "
            "(11.63 % of spend) and pricing levers (Reserved Instances, Savings Plans, spot) $0.00.") in text
    assert "1. [high] idle_resource (EC2): 2 resource(s), $150.16 a month, confidence 0.94." in text
    assert "2026-11-11 AWS Lambda us-east-1: $16.67 against $3.33 expected (+400.0 %)" in text
    assert "Partial results: 1 part(s) of the collection failed (rds/eu-west-1)." in text
    assert "Not enough data to judge 1 resource(s): i-new." in text


def test_reconcile_rounding_and_unattributed():
    spread = reconcile({"a": Decimal("10.005"), "b": Decimal("20.005"), "c": Decimal("30.005")}, Decimal("60.02"))
    assert spread == {"c": 30.0, "b": 20.01, "a": 10.01}
    assert reconcile({"a": Decimal("90")}, Decimal("100")) == {"a": 90.0, OTHER: 10.0}


def test_report_without_costs(analyzer, build, report_checker):
    report = analyzer.generate_summary_report(build.collection([build.volume("vol-b", attached_to=None)]))
    report_checker(json.loads(report.model_dump_json()))
    assert (report.total_monthly_cost, report.total_waste, report.waste_percentage) == (0.0, 10.0, 0.0)
    assert report.time_period == TimePeriod(start=date(2026, 10, 25), end=date(2026, 11, 23))


def test_by_tag_is_one_month_adding_up_to_the_total():
    from agent.analysis.report import tag_breakdown
    from tools.models import CostSummary, TimePeriod

    # A 60-day lookback of $300.00, of which team=web $200.00, team=data $70.00, untagged $30.00; the month is $150.00.
    costs = CostSummary(time_period=TimePeriod(start=date(2026, 9, 1), end=date(2026, 10, 30)), total_cost=300.0,
                        by_tag={"team": {"web": 200.0, "data": 70.0, "": 30.0}, "env": {}})
    assert tag_breakdown(costs, Decimal("150.00")) == {"team": {"web": 100.0, "data": 35.0, "": 15.0}}
    # $100.01 a month: 66.673, 23.336 and 10.001 round to values that still add up to it
    assert tag_breakdown(costs, Decimal("100.01")) == {"team": {"web": 66.67, "data": 23.34, "": 10.0}}
    assert tag_breakdown(None, Decimal(1)) == {} and tag_breakdown(costs.model_copy(update={"by_tag": {}}),
                                                                   Decimal(1)) == {}
