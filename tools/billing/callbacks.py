"""A LangChain callback that bills every chat-model call from the token usage in its response.

Attach it to a model (`ChatBedrockConverse(..., callbacks=[handler])`) or pass it in a run's config
(`graph.invoke(..., config={"callbacks": [handler]})`): each `on_llm_end` computes the call's cost with the
tracker's prices, adds it to the session, writes one log line (query_type `LLM_CALL`) and calls `on_cost`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import ChatGeneration, LLMResult

from tools.billing.cost_logger import CostLogger, record_cost
from tools.billing.cost_tracker import Cost, CostTracker, TokenUsage

log = logging.getLogger(__name__)

LLM_CALL = "LLM_CALL"


@dataclass(frozen=True)
class BillingEvent:
    """One billed LLM call, handed to `on_cost` (Prometheus, the `agent_costs` table ...)."""

    session_id: str
    component: str
    model_id: str | None
    cost: Cost
    execution_time: float


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _from_mapping(usage: Mapping[str, Any]) -> TokenUsage:
    """Converse's camelCase, LangChain's snake_case, or OpenAI-style prompt/completion keys."""
    for inp, out in (("input_tokens", "output_tokens"), ("inputTokens", "outputTokens"),
                     ("prompt_tokens", "completion_tokens")):
        if inp in usage or out in usage:
            return TokenUsage(_int(usage.get(inp)), _int(usage.get(out)))
    return TokenUsage()


def token_usage(response: LLMResult) -> TokenUsage:
    """Tokens of one call: summed over the generations' `usage_metadata`, else `llm_output['usage']`."""
    total = TokenUsage()
    found = False
    for generations in response.generations:
        for generation in generations:
            usage = getattr(generation.message, "usage_metadata", None) if isinstance(
                generation, ChatGeneration) else None
            if usage:
                total = total + _from_mapping(usage)
                found = True
    if found:
        return total
    output = response.llm_output or {}
    usage = output.get("usage") or output.get("token_usage") or {}
    return _from_mapping(usage) if isinstance(usage, Mapping) else TokenUsage()


def response_model_id(response: LLMResult) -> str | None:
    for generations in response.generations:
        for generation in generations:
            if isinstance(generation, ChatGeneration):
                meta = generation.message.response_metadata or {}
                model = meta.get("model_id") or meta.get("model_name")
                if model:
                    return str(model)
    output = response.llm_output or {}
    model = output.get("model_id") or output.get("model_name")
    return str(model) if model else None


class BillingCallbackHandler(BaseCallbackHandler):
    """Bills each LLM call of a run; keeps the run's totals (`input_tokens`, `output_tokens`, `cost`, `calls`)."""

    raise_error = False

    def __init__(self, tracker: CostTracker, logger: CostLogger | None, session_id: str,
                 component_label: str = "llm", model_id: str | None = None,
                 on_cost: Callable[[BillingEvent], None] | None = None, persona: str = "cost-agent") -> None:
        self.tracker = tracker
        self.logger = logger
        self.session_id = session_id
        self.component_label = component_label
        self.model_id = model_id
        self.on_cost = on_cost
        self.persona = persona
        self._lock = threading.Lock()
        self._started: dict[UUID, float] = {}
        self._cost = Cost()
        self.calls = 0

    # ------------------------------------------------------------------ running totals

    @property
    def cost(self) -> Cost:
        with self._lock:
            return self._cost + Cost()

    @property
    def input_tokens(self) -> int:
        with self._lock:
            return self._cost.tokens_used.input_tokens

    @property
    def output_tokens(self) -> int:
        with self._lock:
            return self._cost.tokens_used.output_tokens

    # ------------------------------------------------------------------ callbacks

    def on_chat_model_start(self, serialized: dict[str, Any], messages: list[list[Any]], *, run_id: UUID,
                            **kwargs: Any) -> None:
        with self._lock:
            self._started[run_id] = time.perf_counter()

    def on_llm_start(self, serialized: dict[str, Any], prompts: list[str], *, run_id: UUID, **kwargs: Any) -> None:
        with self._lock:
            self._started[run_id] = time.perf_counter()

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        with self._lock:
            self._started.pop(run_id, None)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        with self._lock:
            began = self._started.pop(run_id, None)
        elapsed = time.perf_counter() - began if began is not None else 0.0
        tokens = token_usage(response)
        model_id = self.model_id or response_model_id(response)
        cost = self.tracker.calculate_query_cost(bedrock_tokens=tokens, model_id=model_id)
        with self._lock:
            self._cost = self._cost + cost
            self.calls += 1
        record_cost(self.tracker, self.logger, self.session_id, self.persona, self.component_label, cost,
                    elapsed, LLM_CALL,
                    {"component": self.component_label, "model_id": model_id, "run_id": str(run_id)})
        if self.on_cost is not None:
            event = BillingEvent(self.session_id, self.component_label, model_id, cost, elapsed)
            try:
                self.on_cost(event)
            except Exception:  # a metrics sink must never break the model call it meters
                log.exception("on_cost hook failed for %s", self.component_label)
