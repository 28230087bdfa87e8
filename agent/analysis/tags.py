"""What a resource's tags say: its environment (production or not) and whether to ignore it (docs/rules.md)."""

from __future__ import annotations

from tools.models import Resource
from tools.settings import Settings


def environment(resource: Resource, settings: Settings) -> tuple[str, str] | None:
    """(tag key, value in lower case) of the first environment tag the settings name, any key case."""
    tags = {key.strip().lower(): (key, value) for key, value in resource.tags.items()}
    for wanted in settings.production_tag_keys:
        found = tags.get(wanted.strip().lower())
        if found is not None and found[1].strip():
            return found[0], found[1].strip().lower()
    return None


def is_production(resource: Resource, settings: Settings) -> bool:
    env = environment(resource, settings)
    return env is not None and env[1] in {v.lower() for v in settings.production_tag_values}


def is_non_production(resource: Resource, settings: Settings) -> bool:
    """Explicitly tagged as an environment other than production (untagged is not non-production)."""
    env = environment(resource, settings)
    return env is not None and env[1] in {v.lower() for v in settings.non_production_tag_values}


def is_ignored(resource: Resource, settings: Settings) -> bool:
    key, value = settings.ignore_tag_pair
    tag = resource.tags.get(key)
    return tag is not None and tag.strip().lower() == value.strip().lower()
