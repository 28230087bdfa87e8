"""`cost-agent sandbox`: `python -m tools.sandbox` with its own options (every word after `sandbox` is its)."""

from __future__ import annotations

import argparse

from rich.console import Console

from tools.sandbox.__main__ import main as sandbox_main


def command(args: argparse.Namespace, console: Console) -> int:
    return run_sandbox(list(args.rest))


def run_sandbox(argv: list[str]) -> int:
    try:
        return int(sandbox_main(argv) or 0)
    except SystemExit as exc:  # its argparse: --help is 0, bad usage 2
        return int(exc.code or 0)
