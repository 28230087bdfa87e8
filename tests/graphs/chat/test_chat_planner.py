"""The planner reads a question against what is stored: services, regions, tags, kinds, states, finding types,
resources, dates; then the measure and the shape. Pure: a fixed catalogue and a fixed today, no store."""

from __future__ import annotations

from datetime import date

import pytest

from agent.graphs.chat.entities import Known
from agent.graphs.chat.plan import ThreadFilters, remembered
from agent.graphs.chat.planner import parse, parts_of

NOW = date(2026, 12, 5)  # a Saturday
KNOWN = Known(services=["Amazon Elastic Compute Cloud - Compute", "AWS Lambda", "Amazon DynamoDB"],
              spend_regions=["eu-west-1", "us-east-1"], collected=["us-east-1", "eu-west-1"],
              tags={"env": ["dev", "prod", "staging"], "team": ["data", "payments", "platform", "web"]},
              names={"checkout-webhook": ["arn:aws:lambda:us-east-1:1:function:checkout-webhook"]},
              first="2026-09-21", last="2026-12-04", reported=True)


def plan(question: str, thread: ThreadFilters | None = None):
    return parse(question, thread, KNOWN, NOW)


@pytest.mark.parametrize(("question", "service"), [
    ("What did compute cost?", "ec2"), ("How much do our databases cost?", "rds"), ("lambda functions spend", "lambda"),
    ("what do the S3 buckets cost", "s3"), ("NAT gateway spend", "nat"), ("VPC spend", "vpc"),
    ("CloudWatch cost last week", "cloudwatch"), ("How much did DynamoDB cost?", "dynamodb"),
    ("EBS spend", "ebs"), ("Spend on Amazon Elastic Compute Cloud - Compute", "ec2"),
])
def test_services_by_their_common_names(question, service) -> None:
    assert plan(question).filters.service == service


@pytest.mark.parametrize(("question", "region"), [
    ("spend in Ireland", "eu-west-1"), ("spend in N. Virginia", "us-east-1"), ("spend in us-east-1", "us-east-1"),
    ("spend in northern virginia", "us-east-1"),
])
def test_regions_by_code_or_name(question, region) -> None:
    assert (plan(question).filters.region, plan(question).unknown_region) == (region, None)


def test_a_region_without_data_is_named_as_such() -> None:
    assert plan("EC2 spend in Frankfurt").unknown_region == "eu-central-1"


@pytest.mark.parametrize(("question", "period"), [
    ("spend last month", (date(2026, 11, 1), date(2026, 11, 30), "last month")),
    ("spend on 2026-10-14", (date(2026, 10, 14), date(2026, 10, 14), "on 2026-10-14")),
    ("spend this week", (date(2026, 11, 30), date(2026, 12, 4), "this week")),
    ("spend yesterday", (date(2026, 12, 4), date(2026, 12, 4), "yesterday")),
    ("spend on the 15th", (date(2026, 11, 15), date(2026, 11, 15), "on 2026-11-15")),
    ("spend in the last 7 days", (date(2026, 11, 28), date(2026, 12, 4), "the last 7 days")),
    ("spend in October", (date(2026, 10, 1), date(2026, 10, 31), "October 2026")),
    ("spend", (date(2026, 11, 5), date(2026, 12, 4), "the last 30 days")),
])
def test_dates_and_periods(question, period) -> None:
    p = plan(question).filters.period
    assert (p.start, p.end, p.words) == period


@pytest.mark.parametrize(("question", "measure", "shape", "types", "kind", "state"), [
    ("Which S3 buckets have no lifecycle rules?", "findings", "list", ["s3_lifecycle"], "s3_bucket", None),
    ("Which Lambda functions have a high error rate?", "findings", "list", ["lambda_errors"], "lambda_function",
     None),
    ("Which non-production databases run Multi-AZ?", "findings", "list", ["multi_az"], "rds_instance", None),
    ("Which instances are previous generation?", "findings", "list", ["previous_generation"], "ec2_instance", None),
    ("How many running EC2 instances are idle?", "findings", "count", ["idle_resource"], "ec2_instance", "running"),
    ("Which servers are oversized?", "findings", "list", ["rightsizing"], "ec2_instance", None),
    ("Do we have unattached volumes?", "findings", "total", ["unattached_volume"], "ebs_volume", None),
    ("Any unused Elastic IPs?", "findings", "list", ["unused_elastic_ip"], "elastic_ip", None),
    ("How much would a savings plan save?", "savings", "total", ["savings_plan"], None, None),
    ("What would spot save us?", "savings", "total", ["spot_migration"], None, None),
    ("Which databases are idle?", "findings", "list", ["idle_database"], "rds_instance", None),
    ("How many EC2 instances are stopped?", "resources", "count", [], "ec2_instance", "stopped"),
    ("What are the biggest savings opportunities?", "findings", "top", [], None, None),
])
def test_finding_types_kinds_and_states(question, measure, shape, types, kind, state) -> None:
    p = plan(question)
    assert (p.measure, p.shape, p.filters.finding_types, p.filters.kind, p.filters.state) == (
        measure, shape, types, kind, state)


@pytest.mark.parametrize(("question", "measure", "shape", "group_by", "top_n"), [
    ("Which team spent the most?", "spend", "top", "tag", 1),
    ("Top 3 services by spend last month", "spend", "top", "service", 3),
    ("spend by region", "spend", "breakdown", "region", None),
    ("daily Lambda spend", "spend", "breakdown", "day", None),
    ("What is the total waste you found?", "savings", "total", None, None),
    ("What's the forecast for next month?", "forecast", "total", None, None),
    ("What did the last analysis run cost?", "run_cost", "total", None, None),
    ("Why did Lambda jump on the 15th?", "anomalies", "total", None, None),
    ("What's checkout-webhook costing us?", "details", "total", None, None),
    ("What's the most expensive resource?", "resources", "top", None, 1),
    ("Write me a poem", "unknown", "total", None, None),
])
def test_measures_and_shapes(question, measure, shape, group_by, top_n) -> None:
    p = plan(question)
    assert (p.measure, p.shape, p.group_by, p.top_n) == (measure, shape, group_by, top_n)


def test_tags_by_key_and_value() -> None:
    assert (plan("How much did the data team spend?").filters.tag_key,
            plan("How much did the data team spend?").filters.tag_value) == ("team", "data")
    assert plan("spend for team=web").filters.tag_value == "web"
    assert plan("what did payments spend").filters.tag_value == "payments"
    assert (plan("spend in prod last month").filters.tag_key, plan("spend in prod").filters.tag_value) == (
        "env", "prod")
    assert plan("Which non-production databases run Multi-AZ?").filters.tag_key is None


def test_a_stated_baseline_is_not_read_as_the_period() -> None:
    p = plan("By how much did Lambda spike compared with the average of the 7 days before?")
    assert (p.measure, p.baseline.kind, p.baseline.days, p.filters.period.stated) == ("change", "days_before", 7,
                                                                                      False)
    p = plan("How did EC2 spend last month compare with the month before?")
    assert (p.measure, p.baseline.kind, p.filters.period.words) == ("change", "previous_period", "last month")


def test_a_follow_up_inherits_the_filters_it_does_not_change() -> None:
    first = plan("What did we spend in eu-west-1 last month?")
    second = plan("and how much of that was RDS?", remembered(first))
    assert (second.measure, second.shape, second.filters.service, second.share_of) == ("spend", "share", "rds", None)
    assert (second.filters.region, second.filters.period.words, second.inherited) == (
        "eu-west-1", "last month", ["region", "period"])
    third = plan("What about Lambda in us-east-1?", remembered(second))
    assert (third.measure, third.filters.region, third.filters.service) == ("spend", "us-east-1", "lambda")
    reset = plan("And across all regions?", remembered(second))
    assert reset.filters.region is None


def test_a_standalone_question_does_not_inherit_a_finding_subject() -> None:
    idle = remembered(plan("How many running EC2 instances are idle?"))
    assert plan("How many of them are in eu-west-1?", idle).filters.finding_types == ["idle_resource"]
    total = plan("What is the total waste you found?", idle)
    assert (total.measure, total.filters.finding_types, total.filters.kind, total.inherited) == (
        "savings", [], None, [])


def test_a_compound_question_is_split_into_its_parts() -> None:
    assert parts_of("What did we spend on EC2 last month and why did Lambda jump on the 15th?") == [
        ("spend", "What did we spend on EC2 last month"), ("anomalies", "why did Lambda jump on the 15th")]
    assert parts_of("How much did we spend on EC2 and RDS last month?") == [
        ("spend", "How much did we spend on EC2 and RDS last month")]
