"""Standalone sandbox pieces in-process (no moto server): the offline fleet, its cost table, the HTTP servers;
and the extended variant as a real `python -m tools.sandbox --variant extended` subprocess."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from sandbox.sandbox_offline import TODAY, Offline  # type: ignore[import-not-found]

from tools.sandbox.bedrock_server import BedrockState, serve_bedrock
from tools.sandbox.ce_server import CostExplorerState, serve_cost_explorer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def offline() -> Offline:
    return Offline()


@pytest.fixture(scope="session")
def extended() -> Offline:
    """The extended variant, offline."""
    return Offline(variant="extended")


def _state(o: Offline) -> CostExplorerState:
    return CostExplorerState(o.lines, o.rightsizing, TODAY, reservations=o.reservations, advice=o.advice)


@pytest.fixture(scope="session")
def ce_url(offline: Offline):
    with serve_cost_explorer(_state(offline)) as server:
        yield server.url


@pytest.fixture(scope="session")
def extended_ce_url(extended: Offline):
    with serve_cost_explorer(_state(extended)) as server:
        yield server.url


@pytest.fixture
def ce(ce_url: str):
    return boto3.client("ce", region_name="us-east-1", endpoint_url=ce_url)


@pytest.fixture
def extended_ce(extended_ce_url: str):
    return boto3.client("ce", region_name="us-east-1", endpoint_url=extended_ce_url)


@pytest.fixture(scope="session")
def bedrock_server():
    state = BedrockState()
    with serve_bedrock(state) as server:
        yield state, server.url
