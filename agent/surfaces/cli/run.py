"""`cost-agent run`: the whole agent against the AWS account the environment points at."""

from __future__ import annotations

import argparse

from botocore.exceptions import BotoCoreError, ProfileNotFound
from rich.console import Console

from agent.surfaces.cli.analyse import analyse, exit_code, open_storage, write_outputs
from agent.surfaces.cli.exits import UsageError
from agent.surfaces.cli.output import print_report
from tools.aws.session import make_session
from tools.settings import Settings, get_settings

NO_CREDENTIALS = ("no AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), "
                  "or try `cost-agent demo` on a simulated account")


def command(args: argparse.Namespace, console: Console) -> int:
    """`args` as `arguments.check` left them: `regions` a checked list or None."""
    settings = get_settings()
    open_storage(settings)  # a locked or unreachable store first: it needs no AWS call
    require_credentials(settings)
    require_executor(settings)
    report = analyse(settings, console, regions=args.regions, lookback_days=args.lookback_days,
                     refresh=args.refresh)
    print_report(console, report)
    write_outputs(settings, report, args.json, args.html, console)
    return exit_code(report)


def require_credentials(settings: Settings) -> None:
    """`UsageError` unless the standard chain finds credentials. The caller's own ones are checked, not the role's:
    assuming AWS_ROLE_ARN needs them too, and without them every call of the run would fail one by one."""
    try:
        credentials = make_session(settings.model_copy(update={"aws_role_arn": None})).get_credentials()
    except ProfileNotFound:
        raise UsageError(f"AWS_PROFILE: no profile named {settings.aws_profile!r} in the AWS config files; "
                         "name one from `aws configure list-profiles`, or try `cost-agent demo`") from None
    except BotoCoreError as exc:
        raise UsageError(f"AWS credentials could not be loaded ({str(exc).splitlines()[0]}); "
                         "fix the profile or the variables, or try `cost-agent demo`") from None
    if credentials is None:
        raise UsageError(NO_CREDENTIALS)


def require_executor(settings: Settings) -> None:
    """`UsageError` when EXECUTOR=celery and its broker or result backend does not answer: no shard could run."""
    if settings.executor != "celery":
        return
    from tools.executors import ExecutorUnavailable, get_executor

    executor = get_executor(settings)
    try:
        executor.check()  # type: ignore[attr-defined]
    except ExecutorUnavailable as exc:
        raise UsageError(str(exc)) from None
