"""Same-named RDS databases, RDS snapshots and Lambda functions in two regions (moto in-process) stay two
resources from collection to storage: ARN ids, per-region CloudWatch metrics, two findings of each type, a
report that keeps the contract, and people see `name (region)`."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, time, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws
from rich.console import Console

from agent.analysis.analyzer import AWSCostAnalyzer
from agent.graphs.chat.tools import run_query
from agent.llm.narration import summary_facts
from agent.surfaces.cli.output import opportunities_table
from agent.surfaces.report.html import render_html
from tests.aws.conftest import TODAY
from tools.aws.clients import ClientFactory
from tools.aws.collect import collect_utilization
from tools.aws.lambda_costs import LambdaCostCollector
from tools.aws.rds import RDSCostCollector
from tools.models import CollectionResult, Report
from tools.pricing.book import PriceBook
from tools.settings import load_settings

REGIONS = ("us-east-1", "eu-west-1")
USED_MB = {"us-east-1": 180.0, "eu-west-1": 300.0}
"""Lambda Insights peak memory per region: recommended 256 MB and 384 MB of 1024 MB."""
DB = {r: f"arn:aws:rds:{r}:123456789012:db:orders" for r in REGIONS}
SNAP = {r: f"arn:aws:rds:{r}:123456789012:snapshot:orders-final" for r in REGIONS}
FN = {r: f"arn:aws:lambda:{r}:123456789012:function:resize" for r in REGIONS}


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return 1\n")
    return buffer.getvalue()


def _daily(cw: Any, namespace: str, metric: str, dims: list[dict[str, str]], value: float, samples: int = 1) -> None:
    cw.put_metric_data(Namespace=namespace, MetricData=[
        {"MetricName": metric, "Dimensions": dims,
         "Timestamp": datetime.combine(TODAY - timedelta(days=ago), time(6), tzinfo=UTC),
         "StatisticValues": {"SampleCount": samples, "Sum": value * samples, "Minimum": value, "Maximum": value}}
        for ago in range(1, 15)])


def _seed(region: str, role: str) -> None:
    rds = boto3.client("rds", region)
    rds.create_db_instance(DBInstanceIdentifier="orders", DBInstanceClass="db.m5.large", Engine="postgres",
                           AllocatedStorage=100, StorageType="gp2", MasterUsername="admin",
                           MasterUserPassword="password1")
    rds.create_db_snapshot(DBSnapshotIdentifier="orders-final", DBInstanceIdentifier="orders")
    boto3.client("lambda", region).create_function(
        FunctionName="resize", Runtime="python3.12", Role=role, Handler="handler.handler",
        Code={"ZipFile": _zip()}, MemorySize=1024, Timeout=30)
    cw = boto3.client("cloudwatch", region)
    _daily(cw, "AWS/RDS", "DatabaseConnections", [{"Name": "DBInstanceIdentifier", "Value": "orders"}], 0.0)
    fn = [{"Name": "FunctionName", "Value": "resize"}]
    _daily(cw, "AWS/Lambda", "Invocations", fn, 100_000.0)
    _daily(cw, "AWS/Lambda", "Duration", fn, 500.0, samples=100)
    _daily(cw, "LambdaInsights", "used_memory_max", [{"Name": "function_name", "Value": "resize"}], USED_MB[region])


@pytest.fixture
def run() -> tuple[CollectionResult, Report]:
    with mock_aws():
        settings = load_settings(aws_regions=list(REGIONS))
        factory, prices = ClientFactory(settings), PriceBook.load()
        role = boto3.client("iam").create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        for region in REGIONS:
            _seed(region, role)
        resources = [r for region in REGIONS for r in RDSCostCollector(factory, prices, settings).collect(region)
                     + LambdaCostCollector(factory, prices, settings).collect(region)]
        # collected 100 days on, so both manual snapshots are older than SNAPSHOT_MAX_AGE_DAYS (90)
        result = CollectionResult(collected_at=datetime.now(UTC) + timedelta(days=100), regions=list(REGIONS),
                                  resources=resources)
        measured = collect_utilization(factory, settings, result, today=TODAY)
        return measured, AWSCostAnalyzer(settings, prices).generate_summary_report(measured)


@pytest.fixture
def report(run: tuple[CollectionResult, Report]) -> Report:
    return run[1]


def _findings(report: Report, kind: str) -> dict[str, Any]:
    return {f.resource_id: f for o in report.opportunities if o.type == kind for f in o.resources}


def test_same_names_in_two_regions_are_two_resources_and_two_findings(report, report_checker) -> None:
    report_checker(report.model_dump(mode="json", by_alias=True))
    idle, snaps, memory = (_findings(report, k) for k in ("idle_database", "old_snapshot", "lambda_memory"))
    assert set(idle) == set(DB.values()) and set(snaps) == set(SNAP.values()) and set(memory) == set(FN.values())
    # each region's own CloudWatch series (asked by the short name) reached its own function
    assert {r: memory[FN[r]].evidence["recommended_mb"] for r in REGIONS} == {"us-east-1": 256, "eu-west-1": 384}
    assert {r: idle[DB[r]].evidence["connections_max"] for r in REGIONS} == {"us-east-1": 0, "eu-west-1": 0}
    east = idle[DB["us-east-1"]]
    assert (east.name, east.region, east.evidence["resource"]) == ("orders", "us-east-1", "orders (us-east-1)")
    assert snaps[SNAP["eu-west-1"]].evidence["resource"] == "orders-final (eu-west-1)"


def test_people_see_name_and_region(report) -> None:
    console = Console(width=250, record=True)
    console.print(opportunities_table(report))
    text = console.export_text()
    top_fn = max(_findings(report, "lambda_memory").values(), key=lambda f: f.estimated_savings)
    assert f"resize ({top_fn.region})" in text and "arn:aws" not in text
    html = render_html(report)
    assert f'<b title="{DB["eu-west-1"]}">orders</b> (eu-west-1' in html
    largest = {o["type"]: o["largest"] for o in summary_facts(report)["top_opportunities"]}
    assert sorted(largest["idle_database"]) == ["orders (eu-west-1)", "orders (us-east-1)"]


def test_storage_and_chat_find_a_resource_by_arn_or_by_name(run, storage_env) -> None:
    collection, report = run
    assert len(collection.resources) == 6
    storage_env.store_collection(collection, "run-1")
    storage_env.store_optimization_opportunities(report.opportunities, run_id="run-1",
                                                 generated_at=datetime.now(UTC))
    one = storage_env.resource_details(DB["eu-west-1"])
    assert (one["resource"]["region"], [f["type"] for f in one["findings"]]) == ("eu-west-1", ["idle_database"])
    assert storage_env.resource_details("orders", "us-east-1")["resource"]["resource_id"] == DB["us-east-1"]
    both = storage_env.resource_details("orders")
    assert [m["resource"]["resource_id"] for m in both["matches"]] == [DB["eu-west-1"], DB["us-east-1"]]
    assert both["note"] == ("2 resources are named 'orders' (regions eu-west-1, us-east-1); "
                            "give the region or the ARN to pick one")
    assert storage_env.resource_details("orders", "ap-south-1") is None
    chat = run_query("resource_details", {"resource_id": "resize", "region": "eu-west-1"})
    assert chat["resource"]["resource_id"] == FN["eu-west-1"]
    assert chat["source"].startswith("resource_details('resize', 'eu-west-1')")
    listed = run_query("resource_details", {"resource_id": "resize"})
    assert sorted(m["resource"]["region"] for m in listed["matches"]) == ["eu-west-1", "us-east-1"]

