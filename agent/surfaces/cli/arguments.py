"""The command line's arguments: the parser, and the checks that need nothing but the settings, so bad usage or
configuration answers (exit 2) before a command's module and its stack are imported."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from pathlib import Path
from typing import NoReturn

from agent.surfaces.cli.exits import EXIT_CODES, EXIT_USAGE, UsageError
from tools.regions import KNOWN_REGIONS
from tools.settings import get_settings


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the command (no usage block), exit code 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message.removeprefix('argument ')} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="cost-agent", description="AWS cost-optimization agent: spend, waste with dollars and "
                "evidence, and what the agent itself cost.", epilog=EXIT_CODES,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", title="commands")
    d = sub.add_parser("demo", help="run the agent on a simulated account, write the report")
    d.add_argument("--out", type=Path, default=Path("."), help="directory for report.json and report.html")
    r = sub.add_parser("run", help="run the agent on the AWS account the environment points at")
    r.add_argument("--regions", help="comma-separated regions, e.g. us-east-1,eu-west-1")
    r.add_argument("--lookback-days", type=_whole, help="days of cost history to analyse (default 30)")
    r.add_argument("--json", type=Path, help="write the report as JSON here")
    r.add_argument("--html", type=Path, help="write the report as one self-contained HTML file here")
    r.add_argument("--refresh", action="store_true", help="bypass the Cost Explorer cache")
    r.add_argument("--accounts", metavar="ACCOUNTS",
                   help="'organization' (every active account of the AWS Organization) or a comma list of 12-digit "
                        "account ids; default AWS_ACCOUNTS, else the caller's account only (docs/many-accounts.md)")
    r.add_argument("--executor", choices=("inprocess", "celery"),
                   help="where the (account x region) shards run: threads here, or Celery workers (default EXECUTOR)")
    a = sub.add_parser("ask", help="ask a question about spend, answered from stored data")
    a.add_argument("question")
    a.add_argument("--thread", help="continue this conversation thread")
    s = sub.add_parser("serve", help="the HTTP API")
    s.add_argument("--host", help="address to listen on (default API_HOST, 127.0.0.1)")
    s.add_argument("--port", type=int, help="port (default API_PORT, 8001)")
    s.add_argument("--sandbox", action="store_true",
                   help="in front of a simulated AWS account started in this process (nothing reaches AWS)")
    s.add_argument("--scale", type=_whole, metavar="N", help="with --sandbox: number of EC2 instances (default 40)")
    s.add_argument("--seed", type=_whole, metavar="S", help="with --sandbox: seed of the simulated data (default 7)")
    sub.add_parser("mcp", help="the read-only chat tools over MCP (stdio) for other agents and IDEs")
    sb = sub.add_parser("sandbox", help="a simulated AWS account on loopback", add_help=False)
    sb.add_argument("rest", nargs=argparse.REMAINDER)
    _describe(sub)
    return p


def _describe(sub: argparse._SubParsersAction) -> None:
    """Every command's own --help: its one-line summary on top, the exit codes below."""
    summaries = {action.dest: action.help for action in sub._choices_actions}
    for name, command in sub.choices.items():
        command.description = command.description or summaries.get(name)
        command.epilog = command.epilog or EXIT_CODES
        command.formatter_class = argparse.RawDescriptionHelpFormatter


def check(args: argparse.Namespace) -> None:
    """`UsageError` (or the settings' `ConfigError`) for what the command would refuse; `run --regions` and
    `serve --host/--port` are resolved in `args`."""
    if args.command == "run":
        _run_overrides(args)
        get_settings()
        if args.lookback_days is not None and not 1 <= args.lookback_days <= 395:
            raise UsageError(f"--lookback-days: expected a whole number of days between 1 and 395, "
                             f"got {args.lookback_days}")
        args.regions = regions(args.regions)
        for flag, path in (("--json", args.json), ("--html", args.html)):
            if path is not None and path.is_dir():
                raise UsageError(f"{flag}: {path} is a directory; name the file to write")
    elif args.command == "demo":
        if args.out.exists() and not args.out.is_dir():
            raise UsageError(f"--out: {args.out} is a file; name a directory for report.json and report.html")
        get_settings()
    elif args.command == "ask":
        if not args.question.strip():
            raise UsageError("the question is empty")
        get_settings()
    elif args.command == "mcp":
        get_settings()
    elif args.command == "serve":
        settings = get_settings()
        args.host, args.port = args.host or settings.api_host, args.port or settings.api_port
        if not 1 <= args.port <= 65535:
            raise UsageError(f"--port: expected 1..65535, got {args.port}")
        if settings.api_key is None and not is_loopback(args.host):
            raise UsageError(f"refusing to listen on {args.host} without API_KEY: set API_KEY, "
                             "or use --host 127.0.0.1")
        _check_sandbox(args)


def _run_overrides(args: argparse.Namespace) -> None:
    """`--accounts` and `--executor` are the settings AWS_ACCOUNTS and EXECUTOR for this run: set them so the
    settings check them in their own words."""
    for flag, name in ((args.accounts, "AWS_ACCOUNTS"), (args.executor, "EXECUTOR")):
        if flag is not None:
            os.environ[name] = flag
            get_settings.cache_clear()


def _check_sandbox(args: argparse.Namespace) -> None:
    """`--scale` and `--seed` shape the simulated account: only with `--sandbox`."""
    given = [flag for flag, value in (("--scale", args.scale), ("--seed", args.seed)) if value is not None]
    if given and not args.sandbox:
        raise UsageError(f"{given[0]}: only with --sandbox (it shapes the simulated account); add --sandbox, "
                         f"or leave {given[0]} out")
    if args.scale is not None and args.scale < 1:
        raise UsageError(f"--scale: expected a number of EC2 instances, 1 or more, got {args.scale}")


def regions(text: str | None) -> list[str] | None:
    """`--regions us-east-1,eu-west-1` -> the list; None when not given."""
    if not text:
        return None
    names = [r.strip() for r in text.split(",") if r.strip()]
    unknown = [r for r in names if r not in KNOWN_REGIONS]
    if unknown:
        raise UsageError(f"--regions: unknown region {unknown[0]!r}; use names such as us-east-1,eu-west-1")
    return names


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
