"""`cost-agent ask`: a question about spend, answered by the chat graph from stored data.

While `cost-agent serve` owns the data directory (its embedded store admits one process), the question goes
through the server's `POST /api/v1/chat`; otherwise the graph runs here. Either way the thread lives in the data
directory, so `--thread` continues it whichever way the next question goes. An answer that cites no stored data
(the question could not be answered) exits 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from rich.console import Console

from agent.surfaces.cli.exits import EXIT_FAILED, EXIT_OK, UsageError
from agent.surfaces.cli.serve_state import OPENER, ServerState, find_server
from tools.settings import Settings, get_settings

ANSWER_TIMEOUT_S = 600.0


class Reply(BaseModel):
    """The answer as both ways return it (the API's ChatResponse, the graph's ChatAnswer)."""

    answer: str
    thread_id: str
    sources: list[str] = Field(default_factory=list)
    mode: str = ""


class ServerFailed(RuntimeError):
    """The server could not answer (not a problem with the question or the key)."""


def ask_server(server: ServerState, question: str, thread: str | None, settings: Settings) -> Reply:
    key = server.session_key or settings.api_key
    if key is None:
        raise UsageError(f"the server at {server.url} needs the API key it was started with: set API_KEY")
    body = json.dumps({"question": question, "thread_id": thread}).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json",
               "X-API-Key": key.get_secret_value()}
    # The URL is http(s) only (ServerState validates it): no file: or custom schemes.
    request = urllib.request.Request(f"{server.url}/api/v1/chat", data=body, method="POST",  # noqa: S310
                                     headers=headers)
    try:
        with OPENER.open(request, timeout=ANSWER_TIMEOUT_S) as response:
            return Reply.model_validate_json(response.read())
    except urllib.error.HTTPError as exc:
        detail = _detail(exc)
        if exc.code == 401:
            raise UsageError(f"the server at {server.url} refused the API key: set API_KEY to the key "
                             "`cost-agent serve` was started with") from None
        if exc.code == 422:
            raise UsageError(f"the server rejected the question: {detail}") from None
        raise ServerFailed(f"the server at {server.url} answered {exc.code}: {detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise ServerFailed(f"the server at {server.url} did not answer: {exc}") from None
    except ValidationError:
        raise ServerFailed(f"the server at {server.url} sent an answer this ask cannot read") from None


def _detail(error: urllib.error.HTTPError) -> str:
    try:
        problem: dict[str, Any] = json.loads(error.read())
        return str(problem.get("detail") or problem.get("title") or error.reason)
    except (ValueError, OSError):
        return str(error.reason)


def ask_here(question: str, thread: str | None, settings: Settings) -> Reply:
    """The graph in this process; the store must be free (no serve found, another command may hold it)."""
    from tools.storage import StorageLockedError, get_storage

    try:
        get_storage(settings)  # the tools would turn a locked store into an answer that says so: fail first
    except StorageLockedError as exc:
        raise UsageError(f"the data directory {exc.path} is in use by another process and no `cost-agent serve` "
                         "answers for it: wait for that command to finish, or run `cost-agent serve` and ask "
                         "again") from None
    from agent.graphs.runner import ask  # LangGraph and the model stack: only when answering here

    return Reply.model_validate(ask(question, thread, settings).model_dump())


def command(args: argparse.Namespace, console: Console) -> int:
    settings = get_settings()
    server = find_server(settings.data_dir)
    try:
        reply = ask_server(server, args.question, args.thread, settings) if server is not None \
            else ask_here(args.question, args.thread, settings)
    except ServerFailed as exc:
        print(f"cost-agent ask: failed: {exc}", file=sys.stderr, flush=True)
        return EXIT_FAILED
    console.print(reply.answer, markup=False, highlight=False, soft_wrap=True)
    console.print(f"thread: {reply.thread_id} (continue with --thread {reply.thread_id})", style="dim",
                  markup=False, highlight=False, soft_wrap=True)
    if not reply.sources:
        print("cost-agent ask: the answer cites no stored data: the question could not be answered from it",
              file=sys.stderr, flush=True)
        return EXIT_FAILED
    return EXIT_OK
