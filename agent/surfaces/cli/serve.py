"""`cost-agent serve`: the HTTP API (FastAPI under uvicorn, the `server` extra), MCP at `/mcp` included.

Serve owns the data directory's embedded store while it runs and says where it listens in a state file
(serve_state.py), so `cost-agent ask` beside it asks through it. The port is bound before anything else starts:
a port in use is a usage error (exit 2) with one line, not a half-started server. `--sandbox` then starts the
simulated account in this process (as `cost-agent demo` does) and serves in front of it.
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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from pydantic import SecretStr
from rich.console import Console

from agent.surfaces.api import create_app
from agent.surfaces.cli.exits import EXIT_OK, UsageError
from agent.surfaces.cli.serve_state import ServerState, find_server, remove_state, write_state
from tools.logsafe import configure_logging
from tools.settings import Settings, get_settings
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
    """`args.host` and `args.port` as `arguments.check` resolved them (refusing a public address without a key);
    with `args.sandbox`, in front of a simulated account started in this process once the port is ours."""
    settings = get_settings()
    running = find_server(settings.data_dir)
    if running is not None:
        raise UsageError(f"cost-agent serve (pid {running.pid}) already serves {settings.data_dir} at "
                         f"{running.url}: use it, or stop it first")
    session_key = None if settings.api_key else secrets.token_urlsafe(24)
    configure_logging(logging.INFO, settings=_served(settings, args, session_key))  # request lines; secrets scrubbed
    sock = bind(args.host, args.port)
    try:
        with _account(args, console) as account:
            _serve(_served(get_settings(), args, session_key), sock, console, session_key, account)
    finally:
        sock.close()
    return EXIT_OK


def _served(settings: Settings, args: argparse.Namespace, session_key: str | None) -> Settings:
    update: dict[str, Any] = {"api_host": args.host, "api_port": args.port}
    if session_key:
        update["api_key"] = SecretStr(session_key)
    return settings.model_copy(update=update)


@contextmanager
def _account(args: argparse.Namespace, console: Console) -> Iterator[str]:
    """What the API stands in front of: the environment's account, or the simulated account started here for as
    long as the server runs (the environment is then the account's)."""
    if not args.sandbox:
        yield "the AWS account the environment points at"
        return
    from agent.surfaces.cli.simulated import simulated_account

    console.print("Starting the simulated AWS account (moto, in this process) ...")
    with simulated_account(args.scale, args.seed) as sandbox:
        # Every new client would log that it found the sandbox's endpoint: the banner says it once.
        logging.getLogger("botocore.configprovider").setLevel(logging.WARNING)
        counts = sandbox.ground_truth["counts"]
        console.print(f"Simulated AWS account {sandbox.ground_truth['account_id']} in {', '.join(sandbox.regions)}: "
                      f"{counts['ec2_instance']} EC2 instances, {counts['rds_instance']} databases, "
                      f"{counts['s3_bucket']} buckets and planted waste, seeded in {sandbox.timings['seed_s']:.1f} s; "
                      "nothing reaches AWS", soft_wrap=True)
        yield "the simulated account"


def _serve(settings: Settings, sock: socket.socket, console: Console, session_key: str | None,
           account: str) -> None:
    get_storage(settings)  # own the store now: a locked or unreachable one is exit 2 before serving anything
    app = create_app(settings)
    host, port = settings.api_host, sock.getsockname()[1]
    if session_key:
        # Printed to the terminal once, never logged: whoever started the server can call it, nobody else.
        console.print(f"No API_KEY set: this session's key is {session_key} (send it as X-API-Key)", soft_wrap=True)
    console.print(f"Serving the API on http://{host}:{port} for {account} (OpenAPI at /openapi.json, MCP at /mcp)",
                  soft_wrap=True)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False))
    state = ServerState(url=local_url(host, port), pid=os.getpid(),
                        session_key=SecretStr(session_key) if session_key else None)
    _publish(settings.data_dir, state)
    try:
        _run(server, sock)
    finally:
        remove_state(settings.data_dir, state.pid)


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
