"""The days a chat question names: one day ('on the 15th', 'on Nov 15', '2026-11-15', 'yesterday') or a period
('last month', 'this week', 'last 7 days', 'in October', 'from 2026-10-01 to 2026-10-15'). A day or month named
without a year is the latest such before today, since costs exist only for past days."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_MONTH = (r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
          r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?![a-z])")
_ORD = r"(\d{1,2})(?:st|nd|rd|th)?"
_ISO = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+{_ORD}\b(?!\s*(?:days|weeks|months))")
_DAY_MONTH = re.compile(rf"\b{_ORD}\s+(?:of\s+)?{_MONTH}(?![a-z])")
_THE_DAY = re.compile(r"\bthe (\d{1,2})(?:st|nd|rd|th)\b")
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "thirty": 30, "ninety": 90}
_LAST_N = re.compile(r"\b(?:last|past|previous|recent) (\d{1,3}|" + "|".join(_NUMBERS) + r") (day|week|month)s?\b")
_IN_MONTH = re.compile(rf"\b(?:in|for|during|of|over) {_MONTH}(?:\s+(\d{{4}}))?(?![a-z])|\b{_MONTH}\s+(\d{{4}})\b")
_YEAR = re.compile(r"\b(?:in|for|during|of|over) (\d{4})\b(?!-)")
_SINCE = re.compile(r"\bsince (\d{4}-\d{2}-\d{2})\b")


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    words: str
    """How the answer names it: 'last month', 'the last 7 days', 'on 2026-10-14'."""


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
        return _latest_month_day(_MONTHS[match.group(1)[:3]], int(match.group(2)), now)
    if match := _DAY_MONTH.search(q):
        return _latest_month_day(_MONTHS[match.group(2)[:3]], int(match.group(1)), now)
    if match := _THE_DAY.search(q):
        return _latest_day(int(match.group(1)), now)
    if re.search(r"\byesterday\b", q):
        return now - timedelta(days=1)
    if re.search(r"\btoday\b", q):
        return now
    return None


def month_period(year: int, month: int, words: str) -> Period:
    first = date(year, month, 1)
    after = date(year + month // 12, month % 12 + 1, 1)
    return Period(first, after - timedelta(days=1), words)


def _named_month(q: str, now: date) -> Period | None:
    match = _IN_MONTH.search(q)
    if not match:
        return None
    name, year = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    month = _MONTHS[name[:3]]
    if year:
        return month_period(int(year), month, f"{date(int(year), month, 1):%B %Y}")
    year_of = now.year if month <= now.month else now.year - 1
    return month_period(year_of, month, f"{date(year_of, month, 1):%B %Y}")


def _relative(q: str, now: date) -> Period | None:
    yesterday = now - timedelta(days=1)
    if re.search(r"\b(last|previous|past) month\b|\bthe month before\b", q):
        end = now.replace(day=1) - timedelta(days=1)
        return Period(end.replace(day=1), end, "last month")
    if re.search(r"\bthis month\b|\bmonth[- ]to[- ]date\b|\bmtd\b", q):
        return Period(now.replace(day=1), max(now.replace(day=1), yesterday), "this month")
    if re.search(r"\bthis week\b|\bweek[- ]to[- ]date\b", q):
        monday = now - timedelta(days=now.weekday())
        return Period(monday, max(monday, yesterday), "this week")
    if re.search(r"\blast week\b|\bprevious week\b", q):
        monday = now - timedelta(days=now.weekday() + 7)
        return Period(monday, monday + timedelta(days=6), "last week")
    if re.search(r"\bthis year\b|\byear[- ]to[- ]date\b|\bytd\b", q):
        return Period(now.replace(month=1, day=1), max(now.replace(month=1, day=1), yesterday), "this year")
    if re.search(r"\b(?:last|previous) year\b", q):
        return Period(date(now.year - 1, 1, 1), date(now.year - 1, 12, 31), f"{now.year - 1}")
    if match := _YEAR.search(q):
        year = int(match.group(1))
        return Period(date(year, 1, 1), date(year, 12, 31), f"{year}")
    if match := _LAST_N.search(q):
        count = int(match.group(1)) if match.group(1).isdigit() else _NUMBERS[match.group(1)]
        days = count * {"day": 1, "week": 7, "month": 30}[match.group(2)]
        return Period(now - timedelta(days=days), yesterday, f"the last {days} days")
    return None


def period_of(question: str, now: date) -> Period | None:
    """The period a question names, or None (the caller picks its default)."""
    q = question.lower()
    iso = sorted({d for d in _ISO.findall(q)})
    if _SINCE.search(q) and len(iso) == 1:
        first = date.fromisoformat(iso[0])
        return Period(first, max(first, now - timedelta(days=1)), f"since {first}")
    if len(iso) >= 2:
        first, last = date.fromisoformat(iso[0]), date.fromisoformat(iso[-1])
        return Period(first, last, f"{first}..{last}")
    found = _relative(q, now)
    if found:
        return found
    day = day_of(q, now)
    if day is not None:
        words = {now - timedelta(days=1): "yesterday", now: "today"}.get(day, f"on {day}")
        return Period(day, day, words)
    return _named_month(q, now)
