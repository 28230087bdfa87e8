"""RabbitMQ for the Celery executor's tests: skipped where it is not running, required when CI=true (as
`redis_url` in tests/conftest.py)."""

from __future__ import annotations

import os
import socket

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def amqp_url() -> str:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=0.5).close()
    except OSError:
        message = "RabbitMQ is not reachable on 127.0.0.1:5672"
        if IN_CI:
            pytest.fail(f"{message} (CI=true: this test must run)")
        pytest.skip(f"{message}; start it to run this test")
    return "amqp://guest:guest@127.0.0.1:5672//"
