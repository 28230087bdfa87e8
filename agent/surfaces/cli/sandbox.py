"""`cost-agent sandbox`: `python -m tools.sandbox` with its own options (every word after `sandbox` is its); and
the same simulated account inside another command's process (`cost-agent serve --sandbox`)."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console

from agent.surfaces.cli.exits import EXIT_USAGE
from tools.sandbox.__main__ import main as sandbox_main
from tools.settings import get_settings

if TYPE_CHECKING:
    from tools.sandbox.core import Sandbox

# What would sign the agent's calls with the user's own credentials, or send them past the simulated account.
_ELSEWHERE = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN",
              "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_USE_FIPS_ENDPOINT",
              "AWS_USE_DUALSTACK_ENDPOINT")


def command(args: argparse.Namespace, console: Console) -> int:
    return run_sandbox(list(args.rest))


def run_sandbox(argv: list[str]) -> int:
    busy = _busy_port(argv)
    if busy is not None:
        # Checked here: the simulated account's server does not give up on a port in use, it waits for ever.
        print(f"cost-agent sandbox: --port: {busy} is in use on 127.0.0.1; choose another, or 0 for a free one",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        return int(sandbox_main(argv) or 0)
    except SystemExit as exc:  # its argparse: --help is 0, bad usage 2
        return int(exc.code or 0)


def _busy_port(argv: list[str]) -> int | None:
    """The `--port` asked for when something already listens on it; None otherwise (0, absent, or not a number:
    the sandbox's own parser says so)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--port", default="0")
    try:
        known, _ = parser.parse_known_args(argv)
        port = int(known.port)
    except (SystemExit, ValueError):
        return None
    if not 0 < port < 65536:
        return None
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return port
    return None


@contextmanager
def simulated_account(scale: int | None = None, seed: int | None = None) -> Iterator[Sandbox]:
    """The simulated account started in this process (as `cost-agent demo` does; `python -m tools.sandbox`'s
    defaults), with `os.environ` pointing every AWS client at it, and only at it, until exit; the settings are
    rebuilt on the way in and out."""
    shape: dict[str, Any] = {name: value for name, value in (("scale", scale), ("seed", seed)) if value is not None}
    saved = dict(os.environ)
    try:
        # Before moto is imported: it makes boto3 sessions at import, which a profile not found here would break.
        for name in [n for n in os.environ if n in _ELSEWHERE or n.startswith("AWS_ENDPOINT_URL_")]:
            del os.environ[name]
        from agent.surfaces.cli.demo import DEMO_MODEL_ID, _quiet_known_notices
        from tools.sandbox.core import Sandbox

        with Sandbox(**shape) as sandbox:
            os.environ.update(sandbox.env)
            # The sandbox's Converse server is a stand-in, not Claude: the report's summary label says so.
            os.environ.setdefault("BEDROCK_MODEL_ID", DEMO_MODEL_ID)
            _quiet_known_notices()
            get_settings.cache_clear()
            yield sandbox
    finally:
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()
