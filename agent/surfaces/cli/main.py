"""`cost-agent`: demo, run, ask, serve, sandbox (DESIGN.md "Command line").

Exit codes (exits.py): 0 success; 1 the run failed; 2 bad usage or configuration (one line that says what to fix);
3 the run finished with partial results. The arguments and their checks are in arguments.py; each command is a
module of this package with a `command(args, console)`.
"""

from __future__ import annotations

import importlib
import logging
import sys
from types import ModuleType

from rich.console import Console

from agent.surfaces.cli.arguments import check, parser
from agent.surfaces.cli.exits import EXIT_FAILED, EXIT_USAGE, RunFailed, UsageError
from tools.logsafe import configure_logging
from tools.settings import ConfigError
from tools.storage import StorageError, StorageLockedError, StorageUnreachableError

log = logging.getLogger("agent.surfaces.cli.main")


def _module(command: str) -> ModuleType:
    """The command's module, imported once its arguments are checked: each loads its own stack (LangGraph, moto,
    FastAPI and uvicorn), so `--help` and usage errors answer in a fraction of the time."""
    return importlib.import_module(f"agent.surfaces.cli.{command}")


def _error_line(text: str) -> None:
    """Exactly one line on stderr (no wrapping, no markup), so scripts and people read the same thing."""
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Console script entry point; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["sandbox"]:  # its own parser: every option after the word belongs to it
        return int(_module("sandbox").run_sandbox(argv[1:]))
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse: --help is 0, bad usage 2
        return int(exc.code or 0)
    console = Console()
    try:
        configure_logging(logging.INFO if args.verbose else logging.WARNING)
        check(args)
        return int(_module(args.command).command(args, console))
    except (ConfigError, UsageError, StorageLockedError, StorageUnreachableError) as exc:
        _error_line(f"cost-agent {args.command}: {str(exc).splitlines()[0]}")
        return EXIT_USAGE
    except RunFailed as exc:
        _error_line(f"cost-agent {args.command}: {str(exc).splitlines()[0]}"[:400])
        return EXIT_FAILED
    except KeyboardInterrupt:
        _error_line(f"cost-agent {args.command}: interrupted")
        return EXIT_FAILED
    except (StorageError, Exception) as exc:
        log.debug("command failed", exc_info=True)
        first = str(exc).splitlines()[0] if str(exc) else ""
        _error_line(f"cost-agent {args.command}: failed: {type(exc).__name__}: {first}"[:400])
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
