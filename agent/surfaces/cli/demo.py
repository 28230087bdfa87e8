"""`cost-agent demo`: the whole agent on the simulated account (moto, in this process), the report written."""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console

from agent.surfaces.cli.analyse import analyse, exit_code, open_storage, write_outputs
from agent.surfaces.cli.exits import UsageError
from agent.surfaces.cli.output import print_report
from tools.sandbox.core import Sandbox
from tools.settings import get_settings, load_settings

DEMO_MODEL_ID = "sandbox.simulated-narrator-v1"
STREAMING_LOGGER = "langchain_aws.chat_models.bedrock_converse"


class _KnownStreamingNotice(logging.Filter):
    """Drops langchain-aws's "Streaming disabled for model 'sandbox....'" warning. The demo's narrator is the
    sandbox's stand-in for Bedrock, whose made-up provider langchain-aws cannot know; the narration is one
    non-streaming Converse call anyway, so the warning says nothing the user can act on. Any other model's
    notice still shows."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.getMessage().startswith("Streaming disabled for model")
                    and f"'{DEMO_MODEL_ID}'" in record.getMessage())


def command(args: argparse.Namespace, console: Console) -> int:
    out: Path = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out: cannot create {out} ({exc.strerror or exc}); "
                         "name a directory you can write to") from None
    if not os.access(out, os.W_OK):
        raise UsageError(f"--out: cannot write to {out}; name a directory you can write to")
    open_storage(load_settings())
    _quiet_known_notices()
    console.print("Starting the simulated AWS account (moto, in this process) ...")
    with _sandbox_environment():
        settings = load_settings()
        report = analyse(settings, console)
        print_report(console, report)
        write_outputs(settings, report, out / "report.json", out / "report.html", console)
    console.print(f"Open {(out / 'report.html').resolve()} in a browser.")
    return exit_code(report)


def _quiet_known_notices() -> None:
    streaming = logging.getLogger(STREAMING_LOGGER)
    if not any(isinstance(f, _KnownStreamingNotice) for f in streaming.filters):
        streaming.addFilter(_KnownStreamingNotice())


@contextmanager
def _sandbox_environment() -> Iterator[dict[str, str]]:
    """The simulated account in this process, its variables set in `os.environ` while it runs."""
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
