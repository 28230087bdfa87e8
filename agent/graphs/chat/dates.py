"""The day a chat question names ('on the 15th', 'on Nov 15', '2026-11-15', 'yesterday'): the latest such day
before today, since costs and anomalies exist only for past days."""

from __future__ import annotations

import re
from datetime import date, timedelta

_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_ORD = r"(\d{1,2})(?:st|nd|rd|th)?"
_ISO = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+{_ORD}\b")
_DAY_MONTH = re.compile(rf"\b{_ORD}\s+(?:of\s+)?{_MONTH}(?![a-z])")
_THE_DAY = re.compile(r"\bthe (\d{1,2})(?:st|nd|rd|th)\b")


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _latest_month_day(month: int, day: int, now: date) -> date | None:
    for year in (now.year, now.year - 1):
        found = _safe(year, month, day)
        if found and found < now:
            return found
    return None


def _latest_day(day: int, now: date) -> date | None:
    """The latest day-of-month `day` before today (the 15th: this month's once past, else last month's)."""
    year, month = now.year, now.month
    for _ in range(13):
        found = _safe(year, month, day)
        if found and found < now:
            return found
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return None


def day_of(question: str, now: date) -> date | None:
    """The single day a question names, or None."""
    q = question.lower()
    iso = _ISO.findall(q)
    if len(iso) == 1:
        try:
            return date.fromisoformat(iso[0])
        except ValueError:
            return None
    if match := _MONTH_DAY.search(q):
        return _latest_month_day(_MONTHS[match.group(1)], int(match.group(2)), now)
    if match := _DAY_MONTH.search(q):
        return _latest_month_day(_MONTHS[match.group(2)], int(match.group(1)), now)
    if match := _THE_DAY.search(q):
        return _latest_day(int(match.group(1)), now)
    if "yesterday" in q:
        return now - timedelta(days=1)
    return None
