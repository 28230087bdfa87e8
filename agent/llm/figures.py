"""Dollar figures in LLM text, checked against the numbers computed by code (the summary and chat guards).

A figure is verified when it equals a number of the data to the cent, or that number rounded to the dollar.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from tools.models import cents

_DOLLARS = re.compile(r"\$\s?(\d[\d,]*(?:\.\d+)?)\s*(k|K|M|thousand|million)?")
_SCALE = {"k": 1000, "K": 1000, "thousand": 1000, "M": 1_000_000, "million": 1_000_000}


def numbers(value: Any) -> Iterator[float]:
    """Every number in a JSON-like value (dicts, lists), booleans excepted."""
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        yield float(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from numbers(item)


def dollar_figures(text: str) -> list[tuple[str, Decimal]]:
    """Every '$1,234.56' (or '$1.2k') in the text, with its value."""
    found = []
    for match in _DOLLARS.finditer(text):
        try:
            value = Decimal(match.group(1).replace(",", ""))
        except InvalidOperation:
            continue
        found.append((match.group(0).strip(), value * _SCALE.get(match.group(2) or "", 1)))
    return found


def known_amounts(data: Any) -> set[Decimal]:
    """The amounts a text may quote from `data`: each number to the cent and rounded to the dollar."""
    known: set[Decimal] = set()
    for number in numbers(data):
        known.add(Decimal(str(cents(number))))
        known.add(Decimal(round(number)))
    return known


def quotes(value: Decimal, known: set[Decimal]) -> bool:
    """Whether a quoted dollar value is one of the known amounts."""
    return Decimal(str(cents(value))) in known


def unverified(text: str, data: Any) -> list[str]:
    """Dollar figures in `text` (as written) that are not a number of `data`."""
    known = known_amounts(data)
    return [raw for raw, value in dollar_figures(text) if not quotes(value, known)]
