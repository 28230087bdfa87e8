"""`cost-agent sandbox`: `python -m tools.sandbox` with its own options (every word after `sandbox` is its)."""

from __future__ import annotations

import argparse
import socket
import sys

from rich.console import Console

from agent.surfaces.cli.exits import EXIT_USAGE
from tools.sandbox.__main__ import main as sandbox_main


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
