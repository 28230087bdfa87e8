"""The newcomer's path after `cost-agent demo`, as the README gives it: `cost-agent sandbox --env-file .sandbox.env`
in one process, then `langgraph dev --config langgraph.sandbox.json` (langgraph.json's "env" naming that file) and
`set -a; . ./.sandbox.env; set +a; cost-agent run` in others, none of them with AWS settings of their own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dotenv.main import DotEnv
from integration.langgraph_dev import copy_repo, langgraph_dev, server_env, stop

pytestmark = pytest.mark.integration
HEADER = "# The simulated AWS account of `cost-agent sandbox`: valid while it runs.\n"
KEYS = ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_COST_EXPLORER", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGIONS"]


def _no_aws(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DATA_DIR", "CLICKHOUSE", "API_KEY"))}
    return {**env, "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true", **extra}


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory):
    """`cost-agent sandbox --env-file` writing into a copy of the repository, as a newcomer runs it there."""
    repo = copy_repo(tmp_path_factory.mktemp("repo"))
    work = tmp_path_factory.mktemp("sandbox")
    ready = work / "ready.json"
    log = (work / "sandbox.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "agent.surfaces.cli.main", "sandbox", "--env-file", ".sandbox.env",
                             "--out", str(work), "--ready-file", str(ready)], cwd=repo, env=_no_aws(), stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not ready.is_file():
            assert proc.poll() is None, (work / "sandbox.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the sandbox did not start within 120 s"
            time.sleep(0.1)
        info = json.loads(ready.read_text())
        truth = json.loads(Path(info["ground_truth_path"]).read_text())
        yield {"repo": repo, "env": info["env"], "truth": truth, "log": work / "sandbox.log"}
    finally:
        stop(proc)
        log.close()


def test_the_env_file_holds_the_ready_files_variables_quoted(account) -> None:
    env = account["env"]
    assert list(env) == KEYS
    expected = HEADER + "".join(f"{key}='{env[key]}'\n" for key in KEYS)
    assert (account["repo"] / ".sandbox.env").read_text() == expected
    # The two readers the README names read the same values: python-dotenv (langgraph dev) and the shell.
    assert DotEnv(account["repo"] / ".sandbox.env").dict() == env
    shell = subprocess.run(["sh", "-c", "set -a; . ./.sandbox.env; set +a; env"], cwd=account["repo"], env=_no_aws(),
                           capture_output=True, text=True, check=True)
    exported = dict(line.split("=", 1) for line in shell.stdout.splitlines() if line.split("=", 1)[0] in env)
    assert exported == env
    assert "# env file: .sandbox.env\n" in account["log"].read_text()


def test_langgraph_dev_with_the_env_file_runs_the_analysis(account, tmp_path: Path, report_checker) -> None:
    from langgraph_sdk import get_sync_client

    truth = account["truth"]
    with langgraph_dev(account["repo"], server_env({}, tmp_path), "--config", "langgraph.sandbox.json") as url:
        client = get_sync_client(url=url)
        output = client.runs.wait(client.threads.create()["thread_id"], "analysis", input={})
    report = output["report"]
    report_checker(report)
    assert (report["partial"], report["errors"], output["errors"]) == (False, [], [])
    assert report["total_monthly_cost"] == truth["cost_totals"]["total"]
    assert report["by_region"] == truth["cost_totals"]["by_region"]
    assert report["time_period"] == {"start": truth["period"]["start"], "end": truth["period"]["end"]}
    found = {(f["resource_id"], o["type"]) for o in report["opportunities"] for f in o["resources"]}
    assert found == {(w["resource_id"], w["type"]) for w in truth["waste"]}


def test_cost_agent_run_with_the_env_file_sourced(account, tmp_path: Path, report_checker) -> None:
    env = _no_aws(XDG_DATA_HOME=str(tmp_path / "xdg"), COST_AGENT_CONFIG=str(tmp_path / "none.yaml"),
                  BEDROCK_MODEL_ID="none", COLUMNS="120")
    done = subprocess.run(["sh", "-c", f"set -a; . ./.sandbox.env; set +a; exec {sys.executable} -m "
                           f"agent.surfaces.cli.main run --json {tmp_path / 'report.json'}"],
                          cwd=account["repo"], env=env, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((tmp_path / "report.json").read_text())
    report_checker(report)
    truth = account["truth"]
    assert (report["total_monthly_cost"], report["partial"]) == (truth["cost_totals"]["total"], False)
    found = {(f["resource_id"], o["type"]) for o in report["opportunities"] for f in o["resources"]}
    assert found == {(w["resource_id"], w["type"]) for w in truth["waste"]}
