"""What a question names, read against what the store holds (`Known`): services, regions, tags, resource kinds,
states, finding types, resources, the period and a stated baseline. Pure functions over lower-case text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from agent.graphs.chat import vocabulary as vocab
from agent.graphs.chat.dates import period_of
from agent.graphs.chat.plan import Baseline, Period
from tools.models import OpportunityType
from tools.regions import KNOWN_REGIONS

_STATES = {"ec2_instance": {"running": "running", "stopped": "stopped", "turned off": "stopped",
                            "shut down": "stopped", "powered off": "stopped"},
           "ebs_volume": {"attached": "in-use", "in-use": "in-use", "in use": "in-use", "available": "available"},
           "elastic_ip": {"associated": "associated", "unassociated": "unassociated"}}
_COMMON_VALUES = {"data", "web", "dev", "test", "true", "false", "none", "main", "app", "api", "default", "shared",
                  "core", "platform", "prod", "production", "stage", "yes", "no", "on", "off"}
_VALUE_SYNONYMS = {"production": "prod", "development": "dev", "stage": "staging"}
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "fourteen": 14, "thirty": 30}
_N = r"(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")"
_DAYS_BEFORE = re.compile(
    r"(?:(?:compared (?:with|to)|against|vs\.?|versus|relative to|than|over)\s+)?(?:the\s+)?(?:(?:daily\s+)?"
    r"(?:average|mean|typical|usual|normal)\s+(?:daily\s+)?(?:cost\s+|spend\s+)?(?:of|over|for|in|across)\s+)?"
    r"(?:the\s+)?(?:(?:previous|prior|preceding|last)\s+" + _N + r"\s+days?(?:\s+before(?:\s+(?:it|that|then))?)?|"
    + _N + r"\s+days?\s+(?:before|prior|preceding|earlier)(?:\s+(?:it|that|then))?)")
_VERSUS = r"(?:compared? (?:with|to)|against|vs\.?|versus|relative to|than)"
_PREVIOUS = re.compile(
    rf"{_VERSUS}\s+(?:the\s+)?(?:previous|prior|last|preceding)\s+(?:month|week|period|year)|{_VERSUS}\s+the\s+"
    r"(?:month|week|period|year)\s+before|month[- ]over[- ]month|week[- ]over[- ]week")
ID = re.compile(r"\b(?:i|vol|snap|eipalloc|eni|nat|igw|ami)-[0-9a-f]{6,17}\b|\barn:aws[\w-]*:[a-z0-9-]+:[^\s,;?]+")
_NAME = re.compile(r"(?<![\w-])[a-z0-9][a-z0-9_.]*(?:-[a-z0-9_.]+)+(?![\w-])")


@dataclass
class Known:
    """What is stored, as the `catalog` tool returns it."""

    services: list[str] = field(default_factory=list)
    spend_regions: list[str] = field(default_factory=list)
    collected: list[str] = field(default_factory=list)
    tags: dict[str, list[str]] = field(default_factory=dict)
    names: dict[str, list[str]] = field(default_factory=dict)
    first: str | None = None
    last: str | None = None
    reported: bool = False
    """Whether a report is stored."""

    @classmethod
    def of(cls, catalog: dict[str, Any]) -> Known:
        return cls(services=list(catalog.get("services", {})), spend_regions=list(catalog.get("regions", {})),
                   collected=list(catalog.get("collected_regions", [])), tags=dict(catalog.get("tags", {})),
                   names=dict(catalog.get("names", {})), first=catalog.get("spend_first_day"),
                   last=catalog.get("spend_last_day"), reported=catalog.get("report_period") is not None)


def number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


def baseline_of(text: str) -> tuple[Baseline | None, str]:
    """A stated baseline and the text without it (so its days are not read as the period)."""
    if m := _PREVIOUS.search(text):
        return Baseline(kind="previous_period"), text[:m.start()] + text[m.end():]
    m = _DAYS_BEFORE.search(text)
    if m and (m.group(1) or m.group(2)) and re.search(r"average|mean|typical|usual|normal|before|prior|preceding"
                                                      r"|compared|against|vs|versus|than", m.group(0)):
        return Baseline(kind="days_before", days=number(m.group(1) or m.group(2))), text[:m.start()] + text[m.end():]
    return None, text


def period_in(text: str, now: date) -> Period | None:
    found = period_of(text, now)
    return Period(start=found.start, end=found.end, words=found.words) if found else None


def regions(text: str) -> list[str]:
    return [m.value for m in vocab.regions_in(text, KNOWN_REGIONS)]


def services(text: str, known: Known) -> list[str]:
    return list(dict.fromkeys(m.value for m in vocab.services_in(text, known.services)))


def kinds(text: str) -> list[str]:
    return list(dict.fromkeys(m.value for m in vocab.find(text, {k: w for k, (_, w) in vocab.KINDS.items()})))


def finding_types(text: str, kind: str | None, service: str | None) -> tuple[list[OpportunityType], str]:
    """Finding types named (and the text without their words), 'idle' read through the kind or service."""
    found = vocab.find_patterns(text, vocab.FINDING_WORDS)
    types: list[OpportunityType] = [m.value for m in found]  # type: ignore[misc]
    rest = text
    for m in reversed(found):
        rest = rest[:m.start] + " " + rest[m.end:]
    if vocab.IDLE_WORDS.search(rest):
        by_service = {"ec2": "idle_resource", "rds": "idle_database", "nat": "idle_nat_gateway",
                      "vpc": "unused_elastic_ip", "ebs": "unattached_volume"}
        if kind and kind in vocab.IDLE_BY_KIND:
            types.append(vocab.IDLE_BY_KIND[kind])
        elif service in by_service:
            types.append(by_service[service])  # type: ignore[arg-type]
        else:
            types += vocab.IDLE_TYPES
        rest = vocab.IDLE_WORDS.sub(" ", rest)
    return list(dict.fromkeys(types)), rest


def state_of(text: str, kind: str | None) -> str | None:
    for word, state in _STATES.get(kind or "ec2_instance", {}).items():
        if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text):
            return state
    return None


def _value_pattern(value: str) -> str:
    return rf"(?<![\w-]){re.escape(value.lower())}(?![\w-])"


def tags(text: str, known: Known) -> tuple[str | None, str | None, str | None]:
    """(tag key, tag value, the key to group by) a question names: 'team data', 'the data team', 'team=data',
    'by team', 'which team'; a distinctive value alone ('payments') too."""
    for key, values in known.tags.items():
        keywords = vocab.TAG_KEY_WORDS.get(key, (key.lower(),))
        key_words = "|".join(re.escape(k) for k in sorted(keywords, key=len, reverse=True))
        for value in sorted(values, key=len, reverse=True):
            v = _value_pattern(value)
            for spelled in [v] + [_value_pattern(s) for s, t in _VALUE_SYNONYMS.items() if t == value.lower()]:
                if re.search(rf"(?<![\w-])(?:{key_words})\s*(?:[=:]|is|of)?\s*{spelled}|{spelled}\s+(?:{key_words})"
                             rf"(?![\w-])|tagged\s+{spelled}", text):
                    return key, value, None
                distinctive = value.lower() not in _COMMON_VALUES and len(value) >= 4
                if (distinctive and re.search(rf"(?<!non-)(?<!non ){spelled}", text)) or re.search(
                        rf"(?<!non-)(?<!non )\b(?:in|for|on)\s+(?:the\s+)?{spelled}(?![\w-])", text):
                    return key, value, None
        if re.search(rf"(?<![\w-])(?:by|per|each|every|which|what|across|all|for each)\s+(?:{key_words})"
                     rf"(?![\w-])|(?<![\w-])(?:{key_words})s(?![\w-])", text):
            return None, None, key
    return None, None, None


def resources(text: str, known: Known) -> list[str]:
    """Resource ids, ARNs and stored names a question names."""
    found = [m.group(0).rstrip(".") for m in ID.finditer(text)]
    for m in _NAME.finditer(text):
        token = m.group(0).rstrip(".")
        if token in known.names and token not in found:
            found.append(token)
    return found


def name_candidates(text: str) -> bool:
    """Whether the text holds a token that could be a stored name (worth fetching the names for)."""
    return any(not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d|\d{4}-\d\d-\d\d|multi-az|non-prod\w*|ec2-other|right-siz\w*"
                                r"|over-\w+|under-\w+|month-to-date|year-to-date|week-to-date|cost-center|[a-z]+-gen\w*"
                                r"|previous-\w+|(i|vol|snap|eipalloc|nat)-[0-9a-f]+", m.group(0))
               for m in _NAME.finditer(text))
