"""Standalone sandbox pieces in-process (no moto server): the offline fleet, its cost table, the HTTP servers."""

from __future__ import annotations

import boto3
import pytest
from sandbox.sandbox_offline import TODAY, Offline  # type: ignore[import-not-found]

from tools.sandbox.bedrock_server import BedrockState, serve_bedrock
from tools.sandbox.ce_server import CostExplorerState, serve_cost_explorer


@pytest.fixture(scope="session")
def offline() -> Offline:
    return Offline()


@pytest.fixture(scope="session")
def ce_url(offline: Offline):
    with serve_cost_explorer(CostExplorerState(offline.lines, offline.rightsizing, TODAY)) as server:
        yield server.url


@pytest.fixture
def ce(ce_url: str):
    return boto3.client("ce", region_name="us-east-1", endpoint_url=ce_url)


@pytest.fixture(scope="session")
def bedrock_server():
    state = BedrockState()
    with serve_bedrock(state) as server:
        yield state, server.url
