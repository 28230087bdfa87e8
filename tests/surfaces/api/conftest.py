"""The API under test: the real app over the process's shared chDB storage, filled with the sample report."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from surface_samples import API_KEY, GatedRun, fill

from agent.surfaces.api import create_app
from tools.models import Report
from tools.settings import load_settings


@pytest.fixture
def gated() -> GatedRun:
    return GatedRun()


@pytest.fixture
def client(storage_env, gated: GatedRun) -> Iterator[TestClient]:
    settings = load_settings(api_key=API_KEY)
    with TestClient(create_app(settings, run_fn=gated), raise_server_exceptions=False) as c:
        yield c
    gated.gate.set()


@pytest.fixture
def filled(storage_env) -> Report:
    return fill(storage_env)
