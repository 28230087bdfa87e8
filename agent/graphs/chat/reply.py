"""One deterministic answer as it is built: the tool calls it made (through `run_query`, as the LLM's), the lines
it says, each figure's source cited, and the plain words for what it cannot answer with two questions that work."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from agent.analysis.summary import money
from agent.graphs.chat import vocabulary as vocab
from agent.graphs.chat.entities import Known
from agent.graphs.chat.plan import Period
from agent.graphs.chat.tools import run_query

LIST_CAP = 20
"""Items listed before "... and N more" unless the question asks for all."""


def cite(source: str) -> str:
    # Capitalised: terminals that read '[lowercase ...]' as markup (rich) would swallow the citation.
    return f"[Source: {source}]"


def small_money(value: float) -> str:
    """Dollars to the cent, or to a hundredth of a cent under a dollar (what the agent itself costs)."""
    return f"${value:,.4f}" if 0 < abs(value) < 1 else money(value)


def when(period: Period) -> str:
    """'for last month (2026-11-01..2026-11-30)', 'on 2026-10-14', 'yesterday (2026-12-04)'."""
    if period.start == period.end:
        return period.words if period.words.startswith("on ") else f"{period.words} ({period.start})"
    return f"for {period.words} ({period.start}..{period.end})"


def ce_name(service: str | None) -> str | None:
    found = vocab.SERVICE_BY_KEY.get(service or "")
    return found.ce if found else service


def service_label(service: str | None) -> str | None:
    found = vocab.SERVICE_BY_KEY.get(service or "")
    return found.label or None if found else None


@dataclass
class Reply:
    """The lines and sources of one answer, and every tool result it read."""

    lines: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    payloads: list[dict[str, Any]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    def ask(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        """One tool call, as the LLM makes it (`run_query`: validated arguments, errors as payloads)."""
        result = run_query(name, {k: v for k, v in args.items() if v is not None})
        self.payloads.append(result)
        self.calls.append(name)
        return result

    def cite(self, result: dict[str, Any]) -> str:
        source = str(result["source"])
        if source not in self.sources:
            self.sources.append(source)
        return cite(source)

    def say(self, *lines: str) -> None:
        self.lines.extend(lines)

    def failed(self, result: dict[str, Any], what: str) -> bool:
        if "error" in result:
            self.say(f"I could not read {what}: {result['error']}")
            return True
        return False

    def text(self) -> str:
        return "\n".join(self.lines)


def examples(known: Known, now: date) -> tuple[str, str]:
    """Two questions the stored data answers."""
    stored = [s for s in vocab.SERVICES if s.ce in known.services]
    name = (stored[0].words[0].upper() if stored[0].key in ("ec2", "rds", "s3") else stored[0].ce) if stored else ""
    recent = known.last is not None and date.fromisoformat(known.last) >= now - timedelta(days=2)
    when_words = "in the last 7 days" if recent or not known.first else f"between {known.first} and {known.last}"
    first = f"What did we spend on {name} {when_words}?" if name else f"What did we spend {when_words}?"
    second = "What is the total waste you found?" if known.reported else f"What did we spend by region {when_words}?"
    return first, second


NOTHING_STORED = ("Nothing is stored yet: run an analysis first (`cost-agent run`, or `cost-agent demo` for the "
                  "simulated account), then ask again.")


def cannot(reply: Reply, known: Known, now: date, why: str) -> None:
    if not known.first and not known.reported:
        reply.say(f"I can't answer that from the stored data without an LLM: {why}. {NOTHING_STORED}")
        return
    one, two = examples(known, now)
    reply.say(f"I can't answer that from the stored data without an LLM: {why}. "
              f'Questions that work: "{one}" and "{two}"')


def no_data(reply: Reply, known: Known, now: date, period: Period, subject: str = "") -> None:
    stored = f"stored spend covers {known.first}..{known.last}" if known.first else "no spend is stored yet"
    reply.say(f"No data for that period yet: nothing is stored{subject} {when(period)}; {stored}.")
    if not known.first and not known.reported:
        reply.say(NOTHING_STORED)
        return
    one, two = examples(known, now)
    reply.say(f'Questions that work: "{one}" and "{two}"')


def region_not_collected(reply: Reply, known: Known, now: date, region: str) -> None:
    spend = ", ".join(vocab.region_label(r) for r in known.spend_regions) or "none"
    collected = ", ".join(known.collected) or "none"
    reply.say(f"No data for {vocab.region_label(region)}: that region was not collected (stored spend covers "
              f"{spend}; the latest run collected {collected}).")
    where = known.collected[0] if known.collected else (known.spend_regions[0] if known.spend_regions else "")
    one = f"What did we spend in {where} last month?" if where else examples(known, now)[0]
    reply.say(f'Questions that work: "{one}" and "{examples(known, now)[1]}"')
