"""`python -m tools.sandbox` (`cost-agent sandbox`): seed the simulated account, print the exports (and write them
as a dotenv file with `--env-file`), serve until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import threading
from pathlib import Path
from typing import Any, NoReturn

from tools.pricing.book import PriceBook

PROG = "cost-agent sandbox"
DEFAULT_REGIONS = ("us-east-1", "eu-west-1")
EXIT_USAGE = 2
ENV_FILE_HEADER = "# The simulated AWS account of `cost-agent sandbox`: valid while it runs.\n"
_USERS_ACCOUNT = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class UsageError(Exception):
    """Bad options: one line that says what to fix, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the command (as the rest of `cost-agent`), exit code 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message.removeprefix('argument ')} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="A simulated AWS account on loopback.")
    p.add_argument("--port", type=int, default=0, help="moto server port (0 = a free port)")
    p.add_argument("--scale", type=int, default=40, help="number of EC2 instances (the rest in proportion)")
    p.add_argument("--latency-ms", type=int, default=0, help="delay per request on every server")
    p.add_argument("--seed", type=int, default=7, help="seed for deterministic data")
    p.add_argument("--regions", default=",".join(DEFAULT_REGIONS), help="comma-separated regions")
    p.add_argument("--out", default=".", help="directory for ground_truth.json")
    p.add_argument("--ready-file", default=None, help="write {env, ground_truth_path} here once ready")
    p.add_argument("--env-file", type=Path, default=None,
                   help="write the variables here as a dotenv file once ready (for langgraph.json's \"env\", or "
                        "`set -a; . FILE; set +a` in a shell)")
    p.add_argument("--variant", choices=("standard", "extended"), default="standard",
                   help="extended: add the cases real accounts have (Windows, RHEL, spot, RI-covered, legacy class, "
                        "Auto Scaling group, part-time and recently stopped instances, Multi-AZ by other tags, "
                        "large gp2, small-object bucket, new service spend)")
    p.add_argument("--accounts", type=int, default=0,
                   help="member accounts of a simulated organization whose management account is the caller's "
                        "(0 = the single account)")
    p.add_argument("--refuse", default="",
                   help="comma-separated member indexes (from 0) whose OptiInfraCostReadOnly role does not trust the "
                        "management account: AssumeRole into them is denied")
    p.add_argument("--member-scale", type=int, default=6, help="EC2 instances per member account")
    return p



def refused(args: argparse.Namespace) -> tuple[int, ...]:
    """The --refuse member indexes; `UsageError` unless each is a member of --accounts."""
    try:
        indexes = tuple(sorted({int(i) for i in args.refuse.split(",") if i.strip()}))
    except ValueError:
        raise UsageError(f"--refuse: expected comma-separated member indexes such as 0,2, "
                         f"got {args.refuse!r}") from None
    if any(not 0 <= i < args.accounts for i in indexes):
        members = f"0 to {args.accounts - 1}" if args.accounts else "none without --accounts"
        raise UsageError(f"--refuse: member indexes run from {members}, got {args.refuse!r}")
    return indexes

def check(args: argparse.Namespace) -> list[str]:
    """The regions to simulate; `UsageError` for an option the sandbox would refuse."""
    if args.scale < 1:
        raise UsageError(f"--scale: expected a number of EC2 instances, 1 or more, got {args.scale}")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port: expected 1..65535, or 0 for a free one, got {args.port}")
    if args.latency_ms < 0:
        raise UsageError(f"--latency-ms: expected 0 or more, got {args.latency_ms}")
    regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    if not regions:
        raise UsageError("--regions: expected a comma-separated list of regions such as us-east-1,eu-west-1")
    known = PriceBook.load().regions()
    unknown = [r for r in regions if r not in known]
    if unknown:
        raise UsageError(f"--regions: unknown region {unknown[0]!r}; use a comma-separated list of "
                         f"{', '.join(known)}")
    if not 0 <= args.accounts <= 9999:
        raise UsageError(f"--accounts: expected 0 to 9999 member accounts, got {args.accounts}")
    if args.member_scale < 1:
        raise UsageError(f"--member-scale: expected a number of EC2 instances, 1 or more, got {args.member_scale}")
    refused(args)
    if args.env_file is not None:
        _check_writable(args.env_file)
    return regions


def _check_writable(path: Path) -> None:
    if path.is_dir():
        raise UsageError(f"--env-file: {path} is a directory; name the file to write")
    if not path.parent.is_dir() or not os.access(path.parent, os.W_OK):
        raise UsageError(f"--env-file: cannot write in {path.parent}; name a file in a directory you can write to")


def dotenv_text(env: dict[str, str]) -> str:
    """`KEY='value'` lines that python-dotenv (langgraph.json's "env") and a POSIX shell (`set -a; . FILE`) read
    alike: single quotes keep a value literal in both. A quote, backslash or line break, which the two read
    differently, is refused rather than written wrong."""
    lines = [ENV_FILE_HEADER]
    for key, value in env.items():
        if not _NAME.fullmatch(key) or re.search(r"['\\\r\n]", value):
            raise ValueError(f"cannot write {key}={value!r} so that dotenv and the shell read the same value")
        lines.append(f"{key}='{value}'\n")
    return "".join(lines)


def _write(path: Path, text: str) -> None:
    """Whole or not at all: a reader polling for the file never sees half of it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        regions = check(args)
    except UsageError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    # Not the user's account: moto makes boto3 sessions at import, which a profile not found here would break.
    for name in _USERS_ACCOUNT:
        os.environ.pop(name, None)
    from tools.sandbox.core import Sandbox  # imports moto (about a second): --help and bad usage answer before it

    stop = threading.Event()

    def _stop(*_: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    with Sandbox(scale=args.scale, seed=args.seed, regions=regions, port=args.port,
                 latency_ms=args.latency_ms, variant=args.variant, accounts=args.accounts,
                 refuse=refused(args), member_scale=args.member_scale) as sandbox:
        truth_path = sandbox.write_ground_truth(Path(args.out))
        counts = sandbox.ground_truth["counts"]
        print(f"# sandbox seeded in {sandbox.timings['seed_s']:.1f} s: "
              + ", ".join(f"{n} {kind}" for kind, n in counts.items()), file=sys.stderr)
        print(f"# ground truth: {truth_path}", file=sys.stderr)
        if args.env_file is not None:
            _write(args.env_file, dotenv_text(sandbox.env))
            print(f"# env file: {args.env_file}", file=sys.stderr)
        print(sandbox.exports(), flush=True)
        if args.ready_file:
            ready = {"env": sandbox.env, "ground_truth_path": str(truth_path.resolve()), "timings": sandbox.timings}
            _write(Path(args.ready_file), json.dumps(ready))
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
