"""A setting's accepted values said in words, from its type and bounds: what a bad value's one-line error says is
expected (never pydantic's own wording)."""

from __future__ import annotations

from pathlib import Path
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic.fields import FieldInfo


def describe(info: FieldInfo) -> str:
    """'a whole number between 1 and 20', 'a number above 0', 'true or false', 'one of a, b' ..."""
    kind = info.annotation
    if get_origin(kind) in (Union, UnionType):  # X | None -> X
        kind = next(a for a in get_args(kind) if a is not type(None))
    if get_origin(kind) is Literal:
        return "one of " + ", ".join(str(a) for a in get_args(kind))
    if kind is bool:
        return "true or false"
    if kind in (int, float):
        return _number(kind is int, info.metadata)
    if get_origin(kind) is list:
        return "a comma-separated list"
    if get_origin(kind) is dict:
        return "a JSON object"
    if kind is Path:
        return "a directory path"
    return "a single text value"


def _number(whole: bool, metadata: list[Any]) -> str:
    noun = "a whole number" if whole else "a number"
    low = high = None
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            low = f"of at least {item.ge}"
        elif isinstance(item, annotated_types.Gt):
            low = f"above {item.gt}"
        elif isinstance(item, annotated_types.Le):
            high = f"at most {item.le}"
        elif isinstance(item, annotated_types.Lt):
            high = f"below {item.lt}"
    bounds = [b for b in (low, high) if b]
    if low and high and low.startswith("of at least") and high.startswith("at most"):
        return f"{noun} between {low.removeprefix('of at least ')} and {high.removeprefix('at most ')}"
    return " ".join([noun, " and ".join(bounds)]) if bounds else noun
