"""Standalone sandbox pieces in-process (no moto server): the offline fleet, its cost table, the HTTP servers;
and the extended variant as a real `python -m tools.sandbox --variant extended` subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="session")
def extended_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`python -m tools.sandbox --variant extended` in a subprocess (moto's state is shared with mock_aws, so never
    in this process); yields {env, ground_truth}."""
    out = tmp_path_factory.mktemp("extended-sandbox")
    ready = out / "ready.json"
    log = (out / "sandbox.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "tools.sandbox", "--variant", "extended", "--port", "0",
                             "--out", str(out), "--ready-file", str(ready)], cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    try:
        while not ready.is_file():
            if proc.poll() is not None:
                pytest.fail(f"sandbox exited with {proc.returncode}: {(out / 'sandbox.log').read_text()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail("extended sandbox not ready within 120 s")
            time.sleep(0.1)
        info = json.loads(ready.read_text())
        yield {"env": info["env"], "ground_truth": json.loads(Path(info["ground_truth_path"]).read_text())}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
