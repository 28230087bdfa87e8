"""`cost-agent sandbox` and `cost-agent serve --sandbox` options: one line that says what to fix, exit code 2, before
the simulated account starts; the env file's text; langgraph.sandbox.json."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from agent.surfaces.cli import main as cli
from tools.pricing.book import PriceBook
from tools.sandbox.__main__ import dotenv_text

ROOT = Path(__file__).resolve().parents[3]
KNOWN = ", ".join(PriceBook.load().regions())


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("argv", "message"), [
    (["--scale", "0"], "--scale: expected a number of EC2 instances, 1 or more, got 0"),
    (["--scale", "many"], "--scale: invalid int value: 'many' (see cost-agent sandbox --help)"),
    (["--regions", "us-east-1,mars-1"], f"--regions: unknown region 'mars-1'; use a comma-separated list of {KNOWN}"),
    (["--regions", " , "], "--regions: expected a comma-separated list of regions such as us-east-1,eu-west-1"),
    (["--port", "70000"], "--port: expected 1..65535, or 0 for a free one, got 70000"),
    (["--latency-ms", "-5"], "--latency-ms: expected 0 or more, got -5"),
    (["--variant", "huge"], "--variant: invalid choice: 'huge' (choose from 'standard', 'extended') "
                            "(see cost-agent sandbox --help)"),
    (["--colour"], "unrecognized arguments: --colour (see cost-agent sandbox --help)"),
])
def test_sandbox_usage_errors_are_one_line_naming_the_command(argv, message, capsys) -> None:
    assert _run(["sandbox", *argv], capsys) == (2, "", f"cost-agent sandbox: {message}\n")


def test_an_env_file_that_cannot_be_written_is_refused_before_the_account_starts(tmp_path: Path, capsys) -> None:
    assert _run(["sandbox", "--env-file", str(tmp_path)], capsys) == (
        2, "", f"cost-agent sandbox: --env-file: {tmp_path} is a directory; name the file to write\n")
    missing = tmp_path / "no-such-dir" / ".sandbox.env"
    assert _run(["sandbox", "--env-file", str(missing)], capsys) == (
        2, "", f"cost-agent sandbox: --env-file: cannot write in {missing.parent}; name a file in a directory you "
               "can write to\n")


def test_the_env_file_quotes_every_value_and_refuses_what_readers_would_read_apart() -> None:
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "AWS_REGIONS": "us-east-1,eu-west-1", "X": "$HOME `id` #"}
    assert dotenv_text(env) == ("# The simulated AWS account of `cost-agent sandbox`: valid while it runs.\n"
                                "AWS_ENDPOINT_URL='http://127.0.0.1:4566'\n"
                                "AWS_REGIONS='us-east-1,eu-west-1'\n"
                                "X='$HOME `id` #'\n")
    for value in ("it's", "back\\slash", "two\nlines"):
        with pytest.raises(ValueError, match="so that dotenv and the shell read the same value"):
            dotenv_text({"AWS_REGIONS": value})
    with pytest.raises(ValueError):
        dotenv_text({"NOT A NAME": "x"})


def test_serve_takes_scale_and_seed_only_with_sandbox(capsys) -> None:
    assert _run(["serve", "--scale", "5"], capsys) == (
        2, "", "cost-agent serve: --scale: only with --sandbox (it shapes the simulated account); add --sandbox, "
               "or leave --scale out\n")
    assert _run(["serve", "--seed", "3"], capsys) == (
        2, "", "cost-agent serve: --seed: only with --sandbox (it shapes the simulated account); add --sandbox, "
               "or leave --seed out\n")
    assert _run(["serve", "--sandbox", "--scale", "0"], capsys) == (
        2, "", "cost-agent serve: --scale: expected a number of EC2 instances, 1 or more, got 0\n")


def test_serve_sandbox_on_a_port_in_use_exits_2_before_the_account_starts(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATA_DIR", "CLICKHOUSE", "API_KEY"))}
    env.update({"XDG_DATA_HOME": str(tmp_path / "xdg"), "COST_AGENT_CONFIG": str(tmp_path / "none.yaml")})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "agent.surfaces.cli.main", "serve", "--sandbox", "--port",
                               str(port)], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (2, "")  # not "Starting the simulated AWS account ..."
    assert done.stderr == (f"cost-agent serve: port {port} on 127.0.0.1 is in use by another process: choose another "
                           "with --port, or stop the process that holds it\n")


def test_langgraph_sandbox_json_is_langgraph_json_reading_the_env_file() -> None:
    plain = json.loads((ROOT / "langgraph.json").read_text())
    sandbox = json.loads((ROOT / "langgraph.sandbox.json").read_text())
    assert sandbox == {**plain, "env": ".sandbox.env"}
