"""The access layer: client factory, call ledger, retries on throttling, the Cost Explorer bucket, no secrets in logs."""

from __future__ import annotations

import io
import json
import logging
from decimal import Decimal

import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from tools.aws.clients import USER_AGENT, ClientFactory
from tools.aws.paginate import paginate
from tools.aws.ratelimit import TokenBucket
from tools.logsafe import configure_logging
from tools.settings import load_settings


class _Raw:
    """The minimal raw-response object botocore reads an AWSResponse body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: object):
        yield self._body


def _throttle_first(n: int, body: bytes, headers: dict[str, str]):
    attempts = {"n": 0}

    def handler(request, **_):
        attempts["n"] += 1
        if attempts["n"] <= n:
            return AWSResponse(request.url, 400, headers, _Raw(body))
        return None

    return handler, attempts


@pytest.fixture
def factory():
    with mock_aws():
        yield ClientFactory(load_settings(aws_max_attempts=5))


def test_clients_are_cached_per_service_and_region_and_carry_our_config(factory):
    east = factory.client("ec2", "us-east-1")
    assert factory.client("ec2", "us-east-1") is east
    assert factory.client("ec2", "eu-west-1") is not east
    assert USER_AGENT in east.meta.config.user_agent_extra  # langchain-aws, once imported, appends its own tag
    assert east.meta.config.retries == {"mode": "standard", "total_max_attempts": 5}
    assert east.meta.config.max_pool_connections == 16
    assert factory.client("ce").meta.region_name in ("us-east-1", "aws-global")  # botocore's name for CE's one endpoint


def test_every_call_is_counted_by_service_operation_region_and_outcome(factory):
    ec2 = factory.client("ec2", "eu-west-1")
    ec2.run_instances(ImageId="ami-12345678", MinCount=3, MaxCount=3, InstanceType="t3.micro")
    assert len(list(paginate(ec2, "describe_instances", "Reservations", MaxResults=1000))) == 1
    with pytest.raises(ec2.exceptions.ClientError):
        ec2.describe_volumes(VolumeIds=["vol-00000000000000000"])
    assert factory.ledger.count("ec2", "RunInstances", "eu-west-1", "ok") == 1
    assert factory.ledger.count("ec2", "DescribeInstances") == 1
    assert factory.ledger.count("ec2", "DescribeVolumes", outcome="InvalidVolume.NotFound") == 1
    assert factory.ledger.paid_usd() == Decimal(0)


def test_get_metric_data_is_priced_per_thousand_metrics(factory):
    cw = factory.client("cloudwatch", "us-east-1")
    queries = [{"Id": f"m{i}", "MetricStat": {"Metric": {"Namespace": "AWS/EC2", "MetricName": "CPUUtilization",
               "Dimensions": [{"Name": "InstanceId", "Value": f"i-{i}"}]}, "Period": 86400, "Stat": "Average"}}
               for i in range(500)]
    cw.get_metric_data(MetricDataQueries=queries, StartTime="2026-11-01", EndTime="2026-11-10")
    assert factory.ledger.paid_usd() == Decimal("0.005")
    assert factory.ledger.metrics_requested == 500


def test_throttling_is_retried_by_botocore_with_the_real_retry_path(factory):
    ec2 = factory.client("ec2", "us-east-1")
    body = (b'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>Throttling</Code>'
            b"<Message>Rate exceeded</Message></Error></Errors><RequestID>r1</RequestID></Response>")
    handler, attempts = _throttle_first(3, body, {})
    ec2.meta.events.register_first("before-send.ec2.DescribeInstances", handler)
    assert ec2.describe_instances()["Reservations"] == []
    assert attempts["n"] == 4
    assert factory.ledger.count("ec2", "DescribeInstances", outcome="ok") == 1


def test_cost_explorer_limit_exceeded_is_retried_then_surfaces_after_max_attempts():
    with mock_aws():
        factory = ClientFactory(load_settings(aws_max_attempts=3))
        ce = factory.client("ce")
        body = json.dumps({"__type": "LimitExceededException", "message": "Rate limit exceeded"}).encode()
        handler, attempts = _throttle_first(99, body, {"x-amzn-ErrorType": "LimitExceededException"})
        ce.meta.events.register_first("before-send.cost-explorer.GetCostAndUsage", handler)
        with pytest.raises(ce.exceptions.LimitExceededException):
            ce.get_cost_and_usage(TimePeriod={"Start": "2026-11-01", "End": "2026-11-02"}, Granularity="DAILY",
                                  Metrics=["UnblendedCost"])
        assert attempts["n"] == 3
        assert factory.ledger.count("ce", "GetCostAndUsage", outcome="LimitExceededException") == 1
        assert factory.ledger.paid_usd() == Decimal(0)


def test_cost_explorer_bucket_waits_and_says_so(caplog):
    now = {"t": 0.0}
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now["t"] += seconds

    bucket = TokenBucket(rate_per_hour=400, capacity=2, clock=lambda: now["t"], sleep=sleep)
    with caplog.at_level(logging.WARNING):
        assert [bucket.acquire() for _ in range(3)] == [0.0, 0.0, pytest.approx(9.0)]
    assert slept == [pytest.approx(9.0)]
    assert "waiting 9.0 s" in caplog.text


def test_cost_explorer_calls_pass_the_shared_bucket():
    with mock_aws():
        now = {"t": 0.0}
        bucket = TokenBucket(rate_per_hour=3600, capacity=1, clock=lambda: now["t"],
                             sleep=lambda s: now.__setitem__("t", now["t"] + s))
        factory = ClientFactory(load_settings(), ce_bucket=bucket)
        ce = factory.client("ce")
        for _ in range(3):
            ce.get_cost_and_usage(TimePeriod={"Start": "2026-11-01", "End": "2026-11-02"}, Granularity="DAILY",
                                  Metrics=["UnblendedCost"])
        assert bucket.waited_seconds == pytest.approx(2.0)
        assert factory.ledger.paid_usd() == Decimal("0.03")


def test_no_secret_reaches_a_log_line(monkeypatch):
    secret, key_id, token = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY", "AKIAIOSFODNN7EXAMPLE", "FQoGZXIvYXdzEXAMPLETOKEN"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    monkeypatch.setenv("AWS_SESSION_TOKEN", token)
    monkeypatch.setenv("API_KEY", "api-key-do-not-log")
    monkeypatch.setenv("CLICKHOUSE_URL", "https://agent:ch-password-do-not-log@clickhouse.example:8443/costs")
    settings = load_settings()
    buffer = io.StringIO()
    configure_logging(logging.DEBUG, settings, stream=buffer)
    try:
        with mock_aws():
            factory = ClientFactory(settings)
            ec2 = factory.client("ec2", "us-east-1")
            ec2.describe_instances()
            with pytest.raises(ec2.exceptions.ClientError) as failure:
                ec2.describe_volumes(VolumeIds=["vol-00000000000000000"])
            logging.getLogger("test").error("call failed: %s; settings %r", failure.value, settings)
            logging.getLogger("test").info("dsn %s", settings.clickhouse_url.get_secret_value())
    finally:
        logging.getLogger().handlers = [h for h in logging.getLogger().handlers if h.get_name() != "optiinfra-redacting"]
        logging.getLogger().setLevel(logging.WARNING)
    text = buffer.getvalue()
    assert "DescribeInstances" in text and len(text) > 1000  # botocore's debug lines were captured
    for value in (secret, key_id, token, "api-key-do-not-log", "ch-password-do-not-log"):
        assert value not in text
        assert value not in str(failure.value)


def test_every_factory_in_a_process_draws_from_one_cost_explorer_bucket():
    with mock_aws():
        first, second = ClientFactory(load_settings()), ClientFactory(load_settings())
        assert first.ce_bucket is second.ce_bucket
        assert first.ce_bucket.capacity == 400 and first.ce_bucket.rate_per_second == pytest.approx(400 / 3600)
        assert ClientFactory(load_settings(ce_requests_per_hour=100)).ce_bucket is not first.ce_bucket
