"""`cost-agent mcp`: the chat's read-only tools over MCP on stdin/stdout, for other agents and IDEs.

Nothing but protocol goes to stdout; logs go to stderr. The store is opened on the first tool call, so a client
can list the tools even while another process holds the data directory (a call then answers with a tool error
that says so: ask `/mcp` under `cost-agent serve` instead).
"""

from __future__ import annotations

import argparse
import logging

import anyio
from rich.console import Console

from agent.surfaces.cli.exits import EXIT_OK
from agent.surfaces.mcp import serve_stdio
from tools.logsafe import configure_logging
from tools.settings import get_settings


def command(args: argparse.Namespace, console: Console) -> int:
    settings = get_settings()
    configure_logging(logging.INFO if args.verbose else logging.WARNING, settings=settings)  # stderr, scrubbed
    anyio.run(serve_stdio, settings)
    return EXIT_OK
