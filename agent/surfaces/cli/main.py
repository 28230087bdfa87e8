"""`cost-agent`: demo, run, ask, serve, sandbox (DESIGN.md "Command line").

Exit codes: 0 success; 1 the run failed; 2 bad usage or configuration (one line that says what to fix);
3 the run finished with partial results.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console

from tools.settings import ConfigError, Settings, get_settings, load_settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
log = logging.getLogger("agent.surfaces.cli.main")


class UsageError(Exception):
    """Bad arguments or configuration: one line, exit code 2."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cost-agent", description="AWS cost-optimization agent.")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    d = sub.add_parser("demo", help="run the whole agent on a simulated account and write the report")
    d.add_argument("--out", type=Path, default=Path("."), help="directory for report.json and report.html")
    r = sub.add_parser("run", help="run the whole agent against the AWS account the environment points at")
    r.add_argument("--regions", help="comma-separated regions, e.g. us-east-1,eu-west-1")
    r.add_argument("--lookback-days", type=int, help="days of cost history to analyse (default 30)")
    r.add_argument("--json", type=Path, help="write the report as JSON here")
    r.add_argument("--html", type=Path, help="write the report as one self-contained HTML file here")
    r.add_argument("--refresh", action="store_true", help="bypass the Cost Explorer cache")
    a = sub.add_parser("ask", help="ask a question about spend, answered from stored data")
    a.add_argument("question")
    a.add_argument("--thread", help="continue this conversation thread")
    s = sub.add_parser("serve", help="the HTTP API")
    s.add_argument("--host", help="address to listen on (default API_HOST, 127.0.0.1)")
    s.add_argument("--port", type=int, help="port (default API_PORT, 8001)")
    sb = sub.add_parser("sandbox", help="a simulated AWS account on loopback", add_help=False)
    sb.add_argument("rest", nargs=argparse.REMAINDER)
    return p


def _regions(text: str | None) -> list[str] | None:
    if not text:
        return None
    from tools.regions import KNOWN_REGIONS

    regions = [r.strip() for r in text.split(",") if r.strip()]
    unknown = [r for r in regions if r not in KNOWN_REGIONS]
    if unknown:
        raise UsageError(f"--regions: unknown region {unknown[0]!r}; use names such as us-east-1,eu-west-1")
    return regions


def _daily_rows(settings: Settings, report: Any) -> list[Any] | None:
    """Stored daily cost rows for the report's chart; None (chart says so) when storage cannot answer."""
    try:
        from tools.storage import get_storage

        summary = get_storage(settings).cost_summary(report.time_period.start, report.time_period.end)
        return list(summary.daily)
    except Exception as exc:  # the report is still worth writing without the chart
        log.warning("daily costs unavailable for the HTML chart: %s", str(exc).splitlines()[0] if str(exc) else exc)
        return None


def write_outputs(settings: Settings, report: Any, json_path: Path | None, html_path: Path | None,
                  console: Console) -> None:
    from agent.surfaces.report.html import write_html

    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report.model_dump(mode="json", by_alias=True), indent=2) + "\n")
        console.print(f"wrote {json_path}")
    if html_path is not None:
        html_path.parent.mkdir(parents=True, exist_ok=True)
        write_html(report, html_path, _daily_rows(settings, report))
        console.print(f"wrote {html_path}")


def open_storage(settings: Settings) -> None:
    """Open the data store before any (paid) AWS call: a locked data directory is a usage error (exit 2)."""
    from tools.storage import get_storage

    get_storage(settings)


def _analyse(settings: Settings, console: Console, **kwargs: Any) -> Any:
    from agent import metrics
    from agent.graphs.runner import run_analysis
    from agent.surfaces.cli.output import step_progress

    open_storage(settings)
    began = time.monotonic()
    with step_progress(console) as progress:
        report = run_analysis(settings, progress=_node_progress(progress), **kwargs)
    metrics.record_collection(report, time.monotonic() - began)
    return report


def _node_progress(progress: Any) -> Any:
    """The runner reports `{"node", "message"}` events; show one bar per graph node."""

    def on_event(event: dict[str, Any]) -> None:
        node = str(event.get("node", "run"))
        message = str(event.get("message", ""))
        parts = message.split()
        done = total = None
        if len(parts) >= 3 and parts[-1].isdigit() and parts[-2].isdigit():
            done, total = int(parts[-2]), int(parts[-1])
        progress(node, done, total, message=f"{node}: {' '.join(parts[:-2]) if done is not None else message}"[:70])

    return on_event


def cmd_run(args: argparse.Namespace, console: Console) -> int:
    from agent.surfaces.cli.output import print_report

    settings = get_settings()
    if args.lookback_days is not None and not 1 <= args.lookback_days <= 395:
        raise UsageError("--lookback-days: expected a whole number of days between 1 and 395")
    report = _analyse(settings, console, regions=_regions(args.regions), lookback_days=args.lookback_days,
                      refresh=args.refresh)
    print_report(console, report)
    write_outputs(settings, report, args.json, args.html, console)
    return EXIT_PARTIAL if report.partial else EXIT_OK


DEMO_MODEL_ID = "sandbox.simulated-narrator-v1"


@contextmanager
def _sandbox_environment() -> Iterator[dict[str, str]]:
    """The simulated account in this process, its variables set in `os.environ` while it runs."""
    from tools.sandbox.core import Sandbox

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


def cmd_demo(args: argparse.Namespace, console: Console) -> int:
    from agent.surfaces.cli.output import print_report

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    open_storage(load_settings())
    console.print("Starting the simulated AWS account (moto, in this process) ...")
    with _sandbox_environment():
        settings = load_settings()
        report = _analyse(settings, console)
        print_report(console, report)
        write_outputs(settings, report, out / "report.json", out / "report.html", console)
    console.print(f"Open {(out / 'report.html').resolve()} in a browser.")
    return EXIT_PARTIAL if report.partial else EXIT_OK


def cmd_ask(args: argparse.Namespace, console: Console) -> int:
    from agent.graphs.runner import ask

    if not args.question.strip():
        raise UsageError("ask: the question is empty")
    answer = ask(args.question, args.thread, get_settings())
    text = answer if isinstance(answer, str) else getattr(answer, "answer", str(answer))
    console.print(text)
    thread = getattr(answer, "thread_id", None) or args.thread
    if thread:
        console.print(f"[dim]thread: {thread} (continue with --thread {thread})[/dim]")
    return EXIT_OK


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cmd_serve(args: argparse.Namespace, console: Console) -> int:
    import uvicorn

    from agent.surfaces.api import create_app

    settings = get_settings()
    host, port = args.host or settings.api_host, args.port or settings.api_port
    if not 1 <= port <= 65535:
        raise UsageError(f"--port: expected 1..65535, got {port}")
    if settings.api_key is None and not is_loopback(host):
        raise UsageError(f"refusing to listen on {host} without API_KEY: set API_KEY, or use --host 127.0.0.1")
    if settings.api_key is None:
        import secrets

        from pydantic import SecretStr

        session_key = secrets.token_urlsafe(24)
        settings = settings.model_copy(update={"api_key": SecretStr(session_key)})
        # Printed to the terminal once, never logged: whoever started the server can call it, nobody else.
        console.print(f"No API_KEY set: this session's key is {session_key} (send it as X-API-Key)")
    from tools.logsafe import configure_logging

    configure_logging(logging.INFO, settings=settings)  # request lines; secrets scrubbed
    console.print(f"Serving the API on http://{host}:{port} (OpenAPI at /openapi.json)")
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None, access_log=False)
    return EXIT_OK


def _sandbox(argv: list[str]) -> int:
    from tools.sandbox.__main__ import main as sandbox_main

    try:
        return int(sandbox_main(argv) or 0)
    except SystemExit as exc:  # its argparse: --help is 0, bad usage 2
        return int(exc.code or 0)


def cmd_sandbox(args: argparse.Namespace, console: Console) -> int:
    return _sandbox(list(args.rest))


def _error_line(text: str) -> None:
    """Exactly one line on stderr (no wrapping, no markup), so scripts and people read the same thing."""
    print(text, file=sys.stderr, flush=True)


COMMANDS = {"demo": cmd_demo, "run": cmd_run, "ask": cmd_ask, "serve": cmd_serve, "sandbox": cmd_sandbox}


def main(argv: list[str] | None = None) -> int:
    """Console script entry point; returns the exit code."""
    from tools.logsafe import configure_logging
    from tools.storage import StorageError, StorageLockedError, StorageUnreachableError

    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["sandbox"]:  # its own parser: every option after the word belongs to it
        return _sandbox(argv[1:])
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse: --help is 0, bad usage 2
        return int(exc.code or 0)
    console = Console()
    try:
        configure_logging(logging.INFO if args.verbose else logging.WARNING)
        return COMMANDS[args.command](args, console)
    except (ConfigError, UsageError, StorageLockedError, StorageUnreachableError) as exc:
        _error_line(f"cost-agent {args.command}: {str(exc).splitlines()[0]}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _error_line("interrupted")
        return EXIT_FAILED
    except (StorageError, Exception) as exc:
        log.debug("command failed", exc_info=True)
        first = str(exc).splitlines()[0] if str(exc) else ""
        _error_line(f"cost-agent {args.command}: failed: {type(exc).__name__}: {first}"[:400])
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
