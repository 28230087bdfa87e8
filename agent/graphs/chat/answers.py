"""The deterministic chat: plan each part of a question (`planner.parse`) and answer it with the read-only tools
the LLM has (`run_query`), each figure cited. Used without an LLM, when Bedrock fails, and for the parts of a
question the LLM's tools returned no data for. Says plainly what it cannot answer, with two questions that work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from agent.graphs.chat import answers_change, answers_findings, answers_spend
from agent.graphs.chat.args import today
from agent.graphs.chat.entities import Known, name_candidates
from agent.graphs.chat.plan import Plan, ThreadFilters, remembered
from agent.graphs.chat.planner import normalise, parse, parts_of
from agent.graphs.chat.reply import Reply, cannot, ce_name
from agent.graphs.context import base_settings

log = logging.getLogger(__name__)
Handler = Callable[[Plan, Known, Reply, date], None]
HANDLERS: dict[str, Handler] = {
    "spend": answers_spend.spend, "change": answers_change.change, "anomalies": answers_change.anomalies,
    "forecast": answers_change.forecast, "run_cost": answers_change.run_cost, "savings": answers_findings.savings,
    "findings": answers_findings.findings, "resources": answers_findings.resources,
    "details": answers_findings.details, "actions": answers_findings.actions,
}
NOTHING_TO_LOOK_UP = ("the question names nothing I can look up (a service, region, team, finding type, resource "
                      "or period) or asks for something no tool computes")


@dataclass
class Answered:
    """A deterministic answer: its text, the sources it cites, the filters the thread keeps, the tool results."""

    text: str
    sources: list[str]
    filters: ThreadFilters | None = None
    payloads: list[dict[str, Any]] = field(default_factory=list)
    """Every tool result the answer read (its figures come from these only)."""
    tools: list[str] = field(default_factory=list)
    """The tools it called, in order (the LLM's own: `TOOLS`)."""


def known_data(reply: Reply, question: str) -> Known:
    """The catalogue of stored names the planner reads a question against (names only when it may hold one)."""
    result = reply.ask("catalog", {"names": name_candidates(normalise(question))})
    reply.payloads.pop()  # a lookup of names, not data the answer quotes
    reply.calls.pop()
    return Known.of(result) if "error" not in result else Known()


def plan_of(question: str, thread: ThreadFilters | None, known: Known, now: date) -> Plan:
    return parse(question, thread, known, now, base_settings().aws_cost_lookback_days)


def _inherited(plan: Plan) -> str:
    f, said = plan.filters, []
    if "region" in plan.inherited:
        said.append(f"region {f.region}")
    if "service" in plan.inherited:
        said.append(str(ce_name(f.service)))
    if "subject" in plan.inherited:
        said.append(", ".join(f.finding_types) or str(f.kind))
    if "tag" in plan.inherited:
        said.append(f"{f.tag_key}={f.tag_value}" if f.tag_value else f"by {f.tag_key}")
    if "resource" in plan.inherited:
        said.append(str(f.resource))
    if "period" in plan.inherited and f.period:
        said.append(f"{f.period.words}")
    return f"(Still about {', '.join(said)}, as in the previous question.)" if said else ""


def answer_one(plan: Plan, known: Known, reply: Reply, now: date) -> None:
    handler = HANDLERS.get(plan.measure)
    if handler is None:
        cannot(reply, known, now, NOTHING_TO_LOOK_UP)
        return
    note = _inherited(plan)
    if note:
        reply.say(note)
    handler(plan, known, reply, now)


def answer(question: str, thread: ThreadFilters | None = None) -> Answered:
    """The answer to a question (each part of a compound one in turn), the thread's filters carried along."""
    parts = parts_of(question)
    return answer_parts(parts if len(parts) > 1 else [("", question)], thread)


def answer_parts(parts: list[tuple[str, str]], thread: ThreadFilters | None = None) -> Answered:
    """(answer) of (measure, text) parts, one paragraph each, each part planned with the filters before it."""
    now, texts, sources, payloads, tools = today(), [], [], [], []
    for _, text in parts:
        reply = Reply()
        known = known_data(reply, text)
        plan = plan_of(text, thread, known, now)
        answer_one(plan, known, reply, now)
        texts.append(reply.text())
        sources += [s for s in reply.sources if s not in sources]
        payloads += reply.payloads
        tools += ["catalog", *reply.calls]
        if plan.measure != "unknown":
            thread = remembered(plan)
    return Answered("\n\n".join(texts), sources, thread, payloads, tools)


def remember(question: str, thread: ThreadFilters | None) -> ThreadFilters | None:
    """The filters a question leaves for the next turn (the LLM answered it; nothing is queried but names)."""
    now = today()
    for _, text in parts_of(question):
        reply = Reply()
        plan = plan_of(text, thread, known_data(reply, text), now)
        if plan.measure != "unknown":
            thread = remembered(plan)
    return thread
