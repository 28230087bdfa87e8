"""`cost-agent run`: the whole agent against the AWS account the environment points at."""

from __future__ import annotations

import argparse

from rich.console import Console

from agent.surfaces.cli.analyse import analyse, exit_code, write_outputs
from agent.surfaces.cli.output import print_report
from tools.settings import get_settings


def command(args: argparse.Namespace, console: Console) -> int:
    """`args` as `arguments.check` left them: `regions` a checked list or None."""
    settings = get_settings()
    report = analyse(settings, console, regions=args.regions, lookback_days=args.lookback_days,
                     refresh=args.refresh)
    print_report(console, report)
    write_outputs(settings, report, args.json, args.html, console)
    return exit_code(report)
