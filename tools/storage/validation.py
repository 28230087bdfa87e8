"""Checks on query arguments. Values still travel as `{name:Type}` parameters; these checks exist so a
bad argument gets a clear `StorageQueryError` instead of an empty answer or an engine error."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, get_args

from tools.models import OpportunityType, Priority
from tools.storage.errors import StorageQueryError

_SERVICE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .,()_/:&+\-]{0,127}$")
_REGION = re.compile(r"^(?:[a-z]{2}(?:-[a-z]+)+-\d{1,2}|global|NoRegion)$")
_RESOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+=,\-]{0,511}$")
_TAG_KEY = re.compile(r"^[\w .:/=+\-@]{1,128}$")
_ACCOUNT_ID = re.compile(r"[0-9]{12}")
MAX_SPAN_DAYS = 3700
COMPONENTS = ("bedrock", "redshift", "lambda", "aws_api")
MICRO = Decimal("0.000001")


def service(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _SERVICE.match(value):
        raise StorageQueryError(f"service: expected a service name such as 'AWS Lambda', got {value!r}")
    return value


def region(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _REGION.match(value):
        raise StorageQueryError(f"region: expected a region name such as us-east-1, got {value!r}")
    return value


def account_id(value: str) -> str:
    if not isinstance(value, str) or not _ACCOUNT_ID.fullmatch(value):
        raise StorageQueryError(f"account_id: expected a 12-digit AWS account id, got {value!r}")
    return value


def resource_id(value: str) -> str:
    if not isinstance(value, str) or not _RESOURCE_ID.match(value):
        raise StorageQueryError(f"resource_id: expected an AWS resource id or ARN, got {value!r}")
    return value


def tag_key(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _TAG_KEY.match(value):
        raise StorageQueryError(f"tag_key: expected a tag key such as 'team', got {value!r}")
    return value


def day(value: date | datetime | str, name: str = "date") -> date:
    """A calendar day from a date, a datetime (its UTC day) or an ISO string."""
    if isinstance(value, datetime):
        return to_utc(value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise StorageQueryError(f"{name}: expected a date as YYYY-MM-DD, got {value!r}")


def period(start: date | datetime | str, end: date | datetime | str) -> tuple[date, date]:
    """Inclusive first and last day, checked for order and span."""
    first, last = day(start, "start"), day(end, "end")
    if first > last:
        raise StorageQueryError(f"start {first} is after end {last}")
    if (last - first).days > MAX_SPAN_DAYS:
        raise StorageQueryError(f"period {first}..{last} is longer than {MAX_SPAN_DAYS} days")
    return first, last


def optional_period(start: Any, end: Any) -> tuple[date, date]:
    """Open bounds become the widest dates the tables hold."""
    first = day(start, "start") if start is not None else date(1970, 1, 2)
    last = day(end, "end") if end is not None else date(2105, 12, 31)
    if first > last:
        raise StorageQueryError(f"start {first} is after end {last}")
    return first, last


def choice(value: str | None, allowed: tuple[str, ...], name: str) -> str | None:
    if value is None or value in allowed:
        return value
    raise StorageQueryError(f"{name}: expected one of {', '.join(allowed)}, got {value!r}")


def opportunity_type(value: str | None) -> str | None:
    return choice(value, get_args(OpportunityType), "type")


def priority(value: str | None) -> str | None:
    return choice(value, get_args(Priority), "priority")


def count(value: int, name: str = "n", maximum: int = 1000) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise StorageQueryError(f"{name}: expected a whole number from 1 to {maximum}, got {value!r}")
    return value


def amount(value: float | int | Decimal | str, name: str = "min_savings") -> Decimal:
    try:
        result = Decimal(str(value))
    except ArithmeticError:
        raise StorageQueryError(f"{name}: expected a number of dollars, got {value!r}") from None
    if not result.is_finite():
        raise StorageQueryError(f"{name}: expected a number of dollars, got {value!r}")
    return result


def money(value: float | int | Decimal | str | None) -> Decimal:
    """Dollars as a Decimal rounded to the column's 6 places."""
    return Decimal(str(value or 0)).quantize(MICRO, rounding=ROUND_HALF_UP)


def to_utc(value: datetime) -> datetime:
    """Timezone-aware UTC; a naive datetime is taken as UTC (chDB would read it in the host's zone)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def midnight(value: date) -> datetime:
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def next_month(value: date) -> date:
    """The first day of the month after `value`'s."""
    return date(value.year + value.month // 12, value.month % 12 + 1, 1)


def whole_months(first: date, last: date) -> tuple[date, date]:
    """[start, stop) of the whole calendar months inside first..last (start == stop when none)."""
    start = first if first.day == 1 else next_month(first)
    stop = last + timedelta(days=1) if (last + timedelta(days=1)).day == 1 else last.replace(day=1)
    return (start, stop) if start < stop else (start, start)
