"""Choosing an executor, Celery's settings said in our words, what a task carries (never a secret), and a broker
that is down (no service needed)."""

from __future__ import annotations

import json
import socket
import time

import pytest

from tools.aws.shard import Shard
from tools.executors import ExecutorUnavailable, InProcessExecutor, get_executor, run_settings
from tools.executors.celery_app import celery_urls
from tools.executors.celery_executor import CeleryExecutor
from tools.settings import ConfigError, load_settings


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_in_process_is_the_default_and_celery_is_chosen_by_setting():
    assert type(get_executor(load_settings())) is InProcessExecutor
    celery = get_executor(load_settings(executor="celery", celery_broker_url="redis://127.0.0.1:6379/3"))
    assert type(celery) is CeleryExecutor
    assert (celery.app.conf.broker_url, celery.app.conf.result_backend) == ("redis://127.0.0.1:6379/3",) * 2
    assert (celery.app.conf.task_default_queue, celery.app.conf.worker_prefetch_multiplier) == ("optiinfra-shards", 1)


@pytest.mark.parametrize(("settings", "urls"), [
    ({"redis_url": "redis://cache:6379/0"}, ("redis://cache:6379/0", "redis://cache:6379/0")),
    ({"celery_broker_url": "amqp://guest:guest@mq:5672//", "redis_url": "redis://cache:6379/0"},
     ("amqp://guest:guest@mq:5672//", "redis://cache:6379/0")),
    ({"celery_broker_url": "amqp://guest:guest@mq:5672//", "celery_result_backend": "redis://results:6379/2"},
     ("amqp://guest:guest@mq:5672//", "redis://results:6379/2")),
])
def test_broker_and_result_backend_defaults(settings, urls):
    assert celery_urls(load_settings(executor="celery", **settings)) == urls


@pytest.mark.parametrize(("settings", "line"), [
    ({}, "EXECUTOR=celery: set CELERY_BROKER_URL (redis://host:port/db or amqp://user:password@host:port/vhost)"),
    ({"celery_broker_url": "amqp://guest:guest@mq:5672//"},
     "EXECUTOR=celery: set CELERY_RESULT_BACKEND (redis://host:port/db): shard results come back through Redis"),
])
def test_celery_without_somewhere_to_send_or_answer_says_what_to_set(settings, line):
    with pytest.raises(ConfigError) as error:
        get_executor(load_settings(executor="celery", **settings))
    assert str(error.value) == line


def test_a_task_carries_the_settings_that_shape_the_answer_and_never_a_secret(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE000000001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-3a2b1c")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "token-9d8c7b")
    settings = load_settings(aws_accounts="organization", aws_org_external_id="ext-7f3a9c", metrics_lookback_days=21,
                             redis_url="redis://:hunter2@cache:6379/0", api_key="key-5e4d3c",
                             celery_broker_url="amqp://guest:guest-pw@mq:5672//", aws_profile="finops")
    sent = run_settings(settings)
    text = json.dumps(sent)
    for secret in ("AKIAEXAMPLE000000001", "secret-3a2b1c", "token-9d8c7b", "ext-7f3a9c", "hunter2", "key-5e4d3c", "guest-pw", "finops"):
        assert secret not in text
    assert (sent["aws_accounts"], sent["metrics_lookback_days"], sent["aws_org_role_name"]) == (
        "organization", 21, "OptiInfraCostReadOnly")
    worker = load_settings(**sent)  # a worker rebuilds them, under its own credentials
    assert worker.model_dump(include=set(sent)) == settings.model_dump(include=set(sent))


def test_a_result_backend_that_is_down_stops_the_run_at_once_with_one_line():
    port = _closed_port()
    settings = load_settings(executor="celery", celery_broker_url=f"redis://127.0.0.1:{port}/0")
    started = time.monotonic()
    with pytest.raises(ExecutorUnavailable) as error:
        get_executor(settings).run([Shard(account_id="123456789012", region="us-east-1")], "run-down")
    assert str(error.value) == (f"Celery result backend not reachable (ConnectionError: Error 111 connecting to "
                                f"127.0.0.1:{port}. Connection refused.); start it or set CELERY_RESULT_BACKEND")
    assert time.monotonic() - started < 5


def test_a_broker_that_is_down_stops_the_run_at_once_with_one_line(redis_url):
    settings = load_settings(executor="celery", celery_broker_url=f"amqp://guest:guest@127.0.0.1:{_closed_port()}//",
                             celery_result_backend=redis_url)
    started = time.monotonic()
    with pytest.raises(ExecutorUnavailable) as error:
        get_executor(settings).run([Shard(account_id="123456789012", region="us-east-1")], "run-down")
    assert str(error.value) == ("Celery broker not reachable (OperationalError: [Errno 111] Connection refused); "
                                "start it or set CELERY_BROKER_URL")
    assert time.monotonic() - started < 5
