"""The executive summary: Bedrock narrates a bounded aggregate of the report; code checks every dollar figure.

The prompt holds totals, the top services and regions, the ten largest opportunities, the largest anomalies
and the errors, so it stays the same size whatever the fleet. A summary quoting a dollar figure that is not
in the report is rejected and the deterministic summary is used instead, labelled as such.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import HumanMessage, SystemMessage

from agent.analysis import deterministic_summary
from agent.llm.figures import dollar_figures, unverified
from agent.llm.model import error_code, make_chat_model, unavailable_reason, with_retry
from agent.llm.prompts import SUMMARY_SYSTEM, SUMMARY_USER
from tools.models import Report
from tools.resource_label import display
from tools.settings import Settings

log = logging.getLogger(__name__)
TOP_OPPORTUNITIES = 10
TOP_ANOMALIES = 10
TOP_BREAKDOWN = 12
TOP_ERRORS = 10
TOP_ACTIONS = 3
__all__ = ["dollar_figures", "summary_facts", "summary_prompt", "unverified_figures", "write_summary"]


class UnverifiedFigures(ValueError):
    """The LLM quoted dollar figures that the report does not contain."""

    def __init__(self, figures: list[str]) -> None:
        super().__init__(", ".join(figures))
        self.figures = figures


def _top(mapping: dict[str, float], n: int) -> dict[str, float]:
    return dict(sorted(mapping.items(), key=lambda kv: -kv[1])[:n])


def summary_facts(report: Report) -> dict[str, Any]:
    """The bounded aggregate the LLM sees: only numbers already in the report, never new sums."""
    counted = {(c.type, c.service): c.counted for c in report.savings.by_opportunity}
    opportunities = sorted(report.opportunities, key=lambda o: (-counted.get((o.type, o.service), 0.0),
                                                                 -o.estimated_savings))[:TOP_OPPORTUNITIES]
    anomalies = sorted(report.anomalies, key=lambda a: -abs(a.actual_cost - a.expected_cost))[:TOP_ANOMALIES]
    return {
        "total_spend": report.total_monthly_cost,
        "total_savings": report.savings.total,
        "savings_rule": "each resource counted once; total_savings = total_waste + pricing_levers",
        "total_waste": report.total_waste,
        "waste_percentage": report.waste_percentage,
        "pricing_levers": report.savings.pricing_levers,
        "do_first": [{"resource": display(a.resource_id, a.region, a.name), "action": a.action,
                      "effort": a.effort, "monthly_saving": a.monthly_saving, "confidence": a.confidence}
                     for a in report.do_first[:TOP_ACTIONS]],
        "spend_by_service": _top(report.by_service, TOP_BREAKDOWN),
        "services_not_listed": max(0, len(report.by_service) - TOP_BREAKDOWN),
        "spend_by_region": _top(report.by_region, TOP_BREAKDOWN),
        "regions_not_listed": max(0, len(report.by_region) - TOP_BREAKDOWN),
        "opportunity_count": len(report.opportunities),
        "top_opportunities": [
            {"type": o.type, "service": o.service, "resources": o.resource_count,
             "monthly_savings": counted.get((o.type, o.service), 0.0), "priority": o.priority,
             "largest": [display(f.resource_id, f.region, f.name)
                         for f in sorted(o.resources, key=lambda f: -f.savings)[:3]]}
            for o in opportunities
        ],
        "anomaly_count": len(report.anomalies),
        "anomalies": [
            {"service": a.service, "region": a.region, "date": a.date.isoformat(), "expected": a.expected_cost,
             "actual": a.actual_cost, "change_percentage": a.change_percentage,
             "driver": a.drivers[0].usage_type if a.drivers else ""}
            for a in anomalies
        ],
        "forecast_next_period": report.forecast.mean if report.forecast else None,
        "partial": report.partial,
        "error_count": len(report.errors),
        "errors": [{"scope": e.scope, "code": e.code or e.error[:80]} for e in report.errors[:TOP_ERRORS]],
        "insufficient_data_resources": len(report.insufficient_data),
        "missing": report.missing[:TOP_ERRORS],
    }


def summary_prompt(report: Report) -> list[SystemMessage | HumanMessage]:
    facts = json.dumps(summary_facts(report), separators=(",", ":"), default=str)
    user = SUMMARY_USER.format(period_start=report.time_period.start, period_end=report.time_period.end,
                               account_id=report.account_id or "unknown", facts_json=facts)
    return [SystemMessage(content=SUMMARY_SYSTEM), HumanMessage(content=user)]


def unverified_figures(text: str, report: Report) -> list[str]:
    """Dollar figures in `text` that are not a number of the report (to the cent, or rounded to the dollar)."""
    return unverified(text, report.model_dump(mode="json"))


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


def write_summary(report: Report, settings: Settings,
                  callbacks: Sequence[BaseCallbackHandler] = ()) -> tuple[str, str]:
    """(summary, source): Bedrock's narration when available and verified, else the deterministic one."""
    reason = unavailable_reason(settings)
    if reason:
        return deterministic_summary(report), f"deterministic ({reason})"
    try:
        model = make_chat_model(settings, max_tokens=600, callbacks=list(callbacks))
        reply = with_retry(model).invoke(summary_prompt(report))
        text = _text(reply.content).strip()
        bad = unverified_figures(text, report)
        if bad:
            raise UnverifiedFigures(bad)
        if not text:
            raise ValueError("empty summary")
    except UnverifiedFigures as exc:
        log.warning("Bedrock summary quoted figures not in the report: %s", exc)
        return deterministic_summary(report), f"deterministic (Bedrock summary rejected: figures not in report: {exc})"
    except Exception as exc:
        log.warning("Bedrock summary failed: %s", error_code(exc))
        return deterministic_summary(report), f"deterministic (Bedrock failed: {error_code(exc)})"
    return text, f"bedrock:{settings.bedrock_model_id}"
