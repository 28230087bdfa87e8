"""What every chat tool shares: the store, the latest report, service names as the tools accept them, sources."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator

from agent.graphs.chat.args import ToolInputError, resolve_name
from agent.graphs.chat.vocabulary import SERVICES
from agent.graphs.context import base_settings
from tools.models import Report
from tools.storage import get_storage

# Cost Explorer service names (docs/architecture.md) and the words people use for them.
CE_SERVICES = {word: s.ce for s in SERVICES for word in (s.key, *s.words)}
# Report service labels of opportunities.
LABELS = {word: s.label for s in SERVICES if s.label for word in (s.key, *s.words)}


def ce_service(name: str | None) -> str | None:
    """A Cost Explorer service name from a name or alias ('EC2', 'lambda', 'AWS Lambda')."""
    return resolve_name(name, CE_SERVICES, "service")


def label(name: str | None) -> str | None:
    """A report service label ('EC2', 'EBS', 'VPC', 'RDS', 'Lambda', 'S3') from a name or alias."""
    if name is None or not name.strip():
        return None
    key = name.strip().lower()
    if key in LABELS:
        return LABELS[key]
    for service in SERVICES:
        if key in (service.ce.lower(), service.label.lower()) and service.label:
            return service.label
    raise ToolInputError(f"service: unknown service {name!r}; known: {', '.join(sorted(set(LABELS.values())))}")


# Names are checked and normalised while the arguments are validated: a bad one never reaches a query.
CeService = Annotated[str | None, AfterValidator(ce_service)]
Label = Annotated[str | None, AfterValidator(label)]
State = Annotated[str | None, AfterValidator(lambda v: v.strip().lower() if v else None)]


def storage() -> Any:
    return get_storage(base_settings())


def latest_report() -> Report | None:
    report = storage().latest_report()
    if report is None or isinstance(report, Report):
        return report
    return Report.model_validate(report)


def report_or_fail() -> Report:
    report = latest_report()
    if report is None:
        raise ToolInputError("no report stored yet: run an analysis first (cost-agent run)")
    return report


def period_text(start: date, end: date) -> str:
    return f"{start.isoformat()}..{end.isoformat()}"


def report_source(report: Report, what: str) -> str:
    stamp = report.generated_at.isoformat() if report.generated_at else "unknown time"
    return f"latest report {what} {period_text(report.time_period.start, report.time_period.end)} " \
           f"(generated {stamp})"


def filter_text(**filters: Any) -> str:
    """', service='AWS Lambda', region='eu-west-1'' for the filters that are set."""
    return "".join(f", {k}={v!r}" for k, v in filters.items() if v not in (None, "", [], ()))
