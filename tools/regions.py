"""Region names AWS knows, read from the endpoint data file botocore ships (no client, no network)."""

from __future__ import annotations

import json
from importlib import resources


def _known_regions() -> frozenset[str]:
    # The data file itself, not botocore.session: settings and the analysis stay free of AWS client machinery.
    data = json.loads((resources.files("botocore") / "data" / "endpoints.json").read_text(encoding="utf-8"))
    return frozenset(region for partition in data["partitions"] for region in partition.get("regions", {}))


KNOWN_REGIONS: frozenset[str] = _known_regions()


def known_region(value: str) -> str:
    """`value` when AWS knows the region; `ValueError` naming it otherwise (for pydantic validators)."""
    if value not in KNOWN_REGIONS:
        raise ValueError(f"unknown region {value!r}")
    return value
