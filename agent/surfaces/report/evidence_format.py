"""How evidence values read in a sentence: numbers as measured, percentages, counts, raw values."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

Evidence = dict[str, Any]
Reader = Callable[[str, Evidence], list[str]]
"""(finding type, evidence) -> the sentences of the keys it reads."""


def num(value: Any) -> str:
    """1,148.8 / 500 / 0.224: as measured, without trailing zeros (a value that is not a number, as it is)."""
    try:
        return f"{Decimal(str(value)).normalize():,f}"
    except (InvalidOperation, ValueError):
        return str(value)


def pct(value: Any) -> str:
    """A percentage with at least one decimal: 3.0, 1.57, 28.7."""
    text = num(value)
    return text if "." in text else f"{text}.0"


def share(fraction: Any) -> str:
    """A fraction (0.5) as a percentage (50.0), computed in decimal so 0.07 stays 7.0."""
    return pct(Decimal(str(fraction)) * 100)


def count(value: Any) -> str:
    """A whole number with thousands separators: 239,198."""
    try:
        return f"{round(float(value)):,}"
    except (TypeError, ValueError, OverflowError):
        return str(value)


def raw(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def sentence(text: str) -> str:
    """Capitalised, ending with one full stop."""
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def rest(value: dict[str, Any], known: set[str]) -> str:
    """Sub-keys of a nested evidence value that no sentence names: kept as 'key: value'."""
    return "".join(f"; {k}: {raw(v)}" for k, v in value.items() if k not in known)
