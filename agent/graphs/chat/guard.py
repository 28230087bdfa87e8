"""The chat's guards: an LLM answer may quote only dollar figures of this turn's tool results, and each part
of the question must rest on some data.

`verify_answer` returns the figures it could not find (the caller then answers deterministically) or, for a
verified answer that quotes figures without any `[Source: ...]`, the text with the sources of the tool results
that contain them appended. `unanswered_parts` names the parts of a question (as the offline planner
splits it) for which no tool of the turn returned data, e.g. when the model's tool call failed validation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.graphs.chat.planner import parts_of
from agent.llm.figures import dollar_figures, known_amounts, quotes, unverified

# The tools whose data answers each kind of question (the planner's measures).
ANSWERED_BY = {
    "spend": {"spend", "spend_trend", "compare_spend", "forecast", "cur_spend", "resource_details", "resources"},
    "change": {"compare_spend", "spend_trend", "anomalies", "spend", "cur_spend"},
    "anomalies": {"anomalies", "spend_trend", "compare_spend"},
    "forecast": {"forecast", "spend_trend"},
    "run_cost": {"agent_costs", "report_summary"},
    "savings": {"findings", "top_opportunities", "report_summary", "resource_details"},
    "findings": {"findings", "top_opportunities", "resource_details"},
    "resources": {"resources", "resource_details", "findings"},
    "details": {"resource_details", "resources"},
}
_CITATION = re.compile(r"\[source:\s*[^\]]+\]", re.IGNORECASE)


@dataclass
class Verdict:
    """The checked answer: its (possibly cited) text, the figures not found, the sources appended."""

    text: str
    unverified: list[str] = field(default_factory=list)
    appended: list[str] = field(default_factory=list)


def cite(source: str) -> str:
    # Capitalised: terminals that read '[lowercase ...]' as markup (rich) would swallow the citation.
    return f"[Source: {source}]"


def _data(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The successful tool results (an error payload holds no figures to quote)."""
    return [p for p in payloads if "error" not in p]


def _sources_of(figures: list[Any], payloads: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    for payload in payloads:
        source = payload.get("source")
        if not source or source in found:
            continue
        known = known_amounts({k: v for k, v in payload.items() if k != "source"})
        if any(quotes(value, known) for _, value in figures):
            found.append(str(source))
    return found


def verify_answer(text: str, payloads: list[dict[str, Any]]) -> Verdict:
    """Check every dollar figure of `text` against the tool results; cite them when the LLM did not."""
    data = _data(payloads)
    bad = unverified(text, data)
    if bad:
        return Verdict(text=text, unverified=bad)
    figures = dollar_figures(text)
    if not figures or _CITATION.search(text):
        return Verdict(text=text)
    sources = _sources_of(figures, data)
    if not sources:
        return Verdict(text=text)
    return Verdict(text=text.rstrip() + "\n" + " ".join(cite(s) for s in sources), appended=sources)


def unanswered_parts(question: str, answered_by: set[str]) -> list[tuple[str, str]]:
    """The (intent, text) parts of `question` that no tool in `answered_by` (the tools that returned data this
    turn) can answer; parts of no known kind are left to the LLM."""
    return [(kind, text) for kind, text in parts_of(question)
            if kind in ANSWERED_BY and not ANSWERED_BY[kind] & answered_by]
