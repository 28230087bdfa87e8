"""`cost-agent demo`: the whole agent on the simulated account (moto, in this process), the report written."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console

from agent.surfaces.cli.analyse import analyse, exit_code, open_storage, write_outputs
from agent.surfaces.cli.output import print_report
from tools.sandbox.core import Sandbox
from tools.settings import get_settings, load_settings

DEMO_MODEL_ID = "sandbox.simulated-narrator-v1"


def command(args: argparse.Namespace, console: Console) -> int:
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    open_storage(load_settings())
    console.print("Starting the simulated AWS account (moto, in this process) ...")
    with _sandbox_environment():
        settings = load_settings()
        report = analyse(settings, console)
        print_report(console, report)
        write_outputs(settings, report, out / "report.json", out / "report.html", console)
    console.print(f"Open {(out / 'report.html').resolve()} in a browser.")
    return exit_code(report)


@contextmanager
def _sandbox_environment() -> Iterator[dict[str, str]]:
    """The simulated account in this process, its variables set in `os.environ` while it runs."""
    saved = dict(os.environ)
    with Sandbox() as sandbox:
        env = sandbox.env
        os.environ.update({k: str(v) for k, v in env.items()})
        # The sandbox's Converse server is a stand-in, not Claude: say so in the report's summary label.
        os.environ.setdefault("BEDROCK_MODEL_ID", DEMO_MODEL_ID)
        get_settings.cache_clear()
        try:
            yield env
        finally:
            os.environ.clear()
            os.environ.update(saved)
            get_settings.cache_clear()
