"""`cost-agent ask`: a question about spend, answered by the chat graph from stored data."""

from __future__ import annotations

import argparse

from rich.console import Console

from agent.graphs.runner import ask
from agent.surfaces.cli.exits import EXIT_OK
from tools.settings import get_settings


def command(args: argparse.Namespace, console: Console) -> int:
    answer = ask(args.question, args.thread, get_settings())
    text = answer if isinstance(answer, str) else getattr(answer, "answer", str(answer))
    console.print(text)
    thread = getattr(answer, "thread_id", None) or args.thread
    if thread:
        console.print(f"[dim]thread: {thread} (continue with --thread {thread})[/dim]")
    return EXIT_OK
