"""`cost-agent serve`: the HTTP API (FastAPI under uvicorn, the `server` extra), MCP at `/mcp` included.

Serve owns the data directory's embedded store while it runs and says where it listens in a state file
(serve_state.py), so `cost-agent ask` beside it asks through it. The port is bound before anything else starts:
a port in use is a usage error (exit 2) with one line, not a half-started server.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import logging
import os
import secrets
import signal
import socket
from pathlib import Path
from typing import Any

import uvicorn
from pydantic import SecretStr
from rich.console import Console

from agent.surfaces.api import create_app
from agent.surfaces.cli.exits import EXIT_OK, UsageError
from agent.surfaces.cli.serve_state import ServerState, find_server, remove_state, write_state
from tools.logsafe import configure_logging
from tools.settings import get_settings
from tools.storage import get_storage

log = logging.getLogger(__name__)

_BIND_ERRORS = {
    errno.EADDRINUSE: "port {port} on {host} is in use by another process: choose another with --port, "
                      "or stop the process that holds it",
    errno.EACCES: "not allowed to listen on port {port}: use a port above 1023",
    errno.EADDRNOTAVAIL: "cannot listen on {host}: it is not an address of this machine; use --host 127.0.0.1",
}


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on (host, port); `UsageError` with one line when it cannot be had."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except socket.gaierror:
        raise UsageError(f"--host: cannot resolve {host!r}; use an address such as 127.0.0.1") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: restart over TIME_WAIT
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        text = _BIND_ERRORS.get(exc.errno or 0, "cannot listen on {host}:{port}: " + (exc.strerror or str(exc)))
        raise UsageError(text.format(host=host, port=port)) from None
    sock.set_inheritable(True)
    return sock


def local_url(host: str, port: int) -> str:
    """The URL a process on this machine calls: a wildcard address is reached on loopback."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    try:
        if ipaddress.ip_address(host).version == 6:
            host = f"[{host}]"
    except ValueError:
        pass
    return f"http://{host}:{port}"


def command(args: argparse.Namespace, console: Console) -> int:
    """`args.host` and `args.port` as `arguments.check` resolved them (refusing a public address without a key)."""
    settings = get_settings()
    running = find_server(settings.data_dir)
    if running is not None:
        raise UsageError(f"cost-agent serve (pid {running.pid}) already serves {settings.data_dir} at "
                         f"{running.url}: use it, or stop it first")
    session_key = None
    if settings.api_key is None:
        session_key = secrets.token_urlsafe(24)
        settings = settings.model_copy(update={"api_key": SecretStr(session_key)})
    settings = settings.model_copy(update={"api_host": args.host, "api_port": args.port})
    configure_logging(logging.INFO, settings=settings)  # request lines; secrets scrubbed
    sock = bind(args.host, args.port)
    try:
        get_storage(settings)  # own the store now: a locked or unreachable one is exit 2 before serving anything
        app = create_app(settings)
        port = sock.getsockname()[1]
        if session_key:
            # Printed to the terminal once, never logged: whoever started the server can call it, nobody else.
            console.print(f"No API_KEY set: this session's key is {session_key} (send it as X-API-Key)")
        console.print(f"Serving the API on http://{args.host}:{port} (OpenAPI at /openapi.json, MCP at /mcp)")
        server = uvicorn.Server(uvicorn.Config(app, host=args.host, port=port, log_config=None, access_log=False))
        state = ServerState(url=local_url(args.host, port), pid=os.getpid(),
                            session_key=SecretStr(session_key) if session_key else None)
        _publish(settings.data_dir, state)
        try:
            _run(server, sock)
        finally:
            remove_state(settings.data_dir, state.pid)
    finally:
        sock.close()
    return EXIT_OK


def _publish(data_dir: Path, state: ServerState) -> None:
    try:
        path = write_state(data_dir, state)
    except OSError as exc:
        log.warning("cost-agent ask will not find this server: cannot write its state file (%s)", exc)
    else:
        log.info("state file %s (url %s, pid %d)", path, state.url, state.pid)


def _run(server: uvicorn.Server, sock: socket.socket) -> None:
    """Run until SIGINT or SIGTERM, then shut down gracefully and return (exit 0): uvicorn re-raises the signal
    it caught once it has restored the previous handlers, so those handlers only ask it to stop."""
    def stop(signum: int, frame: Any) -> None:
        server.should_exit = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
