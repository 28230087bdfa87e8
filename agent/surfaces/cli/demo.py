"""`cost-agent demo`: the whole agent on the simulated account (moto, in this process), the report written."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from rich.console import Console

from agent.surfaces.cli.analyse import analyse, exit_code, open_storage, write_outputs
from agent.surfaces.cli.exits import UsageError
from agent.surfaces.cli.output import print_report
from agent.surfaces.cli.simulated import simulated_account
from tools.settings import load_settings


def command(args: argparse.Namespace, console: Console) -> int:
    out: Path = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out: cannot create {out} ({exc.strerror or exc}); "
                         "name a directory you can write to") from None
    if not os.access(out, os.W_OK):
        raise UsageError(f"--out: cannot write to {out}; name a directory you can write to")
    open_storage(load_settings())
    console.print("Starting the simulated AWS account (moto, in this process) ...")
    with simulated_account(service_endpoints=True):
        settings = load_settings()
        report = analyse(settings, console)
        print_report(console, report)
        write_outputs(settings, report, out / "report.json", out / "report.html", console)
    console.print(f"Open {(out / 'report.html').resolve()} in a browser.")
    return exit_code(report)
