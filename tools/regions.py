"""Region names AWS knows, from botocore's own endpoint data (no network call)."""

from __future__ import annotations

import botocore.session


def _known_regions() -> frozenset[str]:
    data = botocore.session.get_session().get_data("endpoints")
    return frozenset(region for partition in data["partitions"] for region in partition.get("regions", {}))


KNOWN_REGIONS: frozenset[str] = _known_regions()
