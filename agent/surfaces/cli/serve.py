"""`cost-agent serve`: the HTTP API (FastAPI under uvicorn, the `server` extra)."""

from __future__ import annotations

import argparse
import logging
import secrets

import uvicorn
from pydantic import SecretStr
from rich.console import Console

from agent.surfaces.api import create_app
from agent.surfaces.cli.exits import EXIT_OK
from tools.logsafe import configure_logging
from tools.settings import get_settings


def command(args: argparse.Namespace, console: Console) -> int:
    """`args.host` and `args.port` as `arguments.check` resolved them (refusing a public address without a key)."""
    settings = get_settings()
    if settings.api_key is None:
        session_key = secrets.token_urlsafe(24)
        settings = settings.model_copy(update={"api_key": SecretStr(session_key)})
        # Printed to the terminal once, never logged: whoever started the server can call it, nobody else.
        console.print(f"No API_KEY set: this session's key is {session_key} (send it as X-API-Key)")
    configure_logging(logging.INFO, settings=settings)  # request lines; secrets scrubbed
    console.print(f"Serving the API on http://{args.host}:{args.port} (OpenAPI at /openapi.json)")
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_config=None, access_log=False)
    return EXIT_OK
