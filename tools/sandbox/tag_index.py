"""A fast path for moto's EC2 tag lookup, so describing thousands of instances is not quadratic.

moto renders every resource's tags with `describe_tags(filters={"resource-id": [id]})`, which scans
every tag of every resource with a regex. For that exact call with a literal id (no wildcard), the
answer is the resource's own tags in their stored order; anything else runs moto's code unchanged.
Used only inside the sandbox process.
"""

from __future__ import annotations

from typing import Any

from moto.ec2.models.tags import TagBackend
from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, get_prefix

_ORIGINAL = TagBackend.describe_tags
_WILDCARDS = set("*?[]\\")


def fast_describe_tags(self: TagBackend, filters: dict[str, list[str]] | None = None) -> list[dict[str, str]]:
    """Same answer as moto's describe_tags; O(tags of one resource) for a single literal resource id."""
    if filters is None or list(filters) != ["resource-id"] or len(filters["resource-id"]) != 1:
        return _ORIGINAL(self, filters)
    resource_id = filters["resource-id"][0]
    if not isinstance(resource_id, str) or _WILDCARDS & set(resource_id) or resource_id not in self.tags:
        return _ORIGINAL(self, filters) if not isinstance(resource_id, str) or _WILDCARDS & set(resource_id) else []
    kind = EC2_PREFIX_TO_RESOURCE.get(get_prefix(resource_id), "")
    tags: dict[str, Any] = self.tags[resource_id]
    return [{"resource_id": resource_id, "key": k, "value": v, "resource_type": kind} for k, v in tags.items()]


def install() -> None:
    """Patch moto's EC2 tag backend in this process (idempotent)."""
    TagBackend.describe_tags = fast_describe_tags  # type: ignore[method-assign]


def uninstall() -> None:
    TagBackend.describe_tags = _ORIGINAL  # type: ignore[method-assign]
