"""The chat graph: a tool-calling agent over read-only queries, with a deterministic fallback.

`chat_graph` is compiled without a checkpointer for the LangGraph server; `build_chat_graph()` is compiled
with one by `agent.graphs.runner.ask`. Without an LLM (model 'none', no credentials) or when Bedrock fails, the
fallback's planner answers, and the state's `mode` says which of the two did. An LLM answer quoting a
dollar figure that is not in this turn's tool results is replaced by the fallback's answer, and the parts of a
question no tool returned data for are answered by the fallback (`agent.graphs.chat.guard`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any, Literal

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.config import get_config
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode
from langgraph.runtime import Runtime
from langgraph.types import Command
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from agent.graphs.chat import answers as chat_fallback
from agent.graphs.chat.guard import unanswered_parts, verify_answer
from agent.graphs.chat.plan import ThreadFilters
from agent.graphs.chat.planner import parts_of
from agent.graphs.chat.tools import CE_SERVICES, TOOLS, today, tools_for
from agent.graphs.context import Context
from agent.graphs.run_bill import RunBill
from agent.llm.model import error_code, make_chat_model, unavailable_reason, with_retry
from agent.llm.prompts import CHAT_SYSTEM
from tools.models import RunCost
from tools.storage import get_storage

log = logging.getLogger(__name__)
MAX_TOOL_ROUNDS = 6
HISTORY_MESSAGES = 24


class ChatInput(TypedDict):
    """A chat turn: the user's question as a message."""

    messages: Annotated[Sequence[AnyMessage], add_messages]
    """The conversation; send the new question as a user message."""


class ChatState(ChatInput, total=False):
    """The conversation and how its last answer was produced."""

    mode: str
    """'bedrock:<model id>' or 'deterministic (<why>)' for the last answer."""
    sources: list[str]
    """Where the last answer's figures come from (query and period), one entry per query."""
    run_cost: dict[str, Any]
    """What the last turn cost (`tools.models.RunCost` as JSON): Bedrock tokens of every LLM call."""
    filters: ThreadFilters
    """The filters of the last question (region, service, period, tag, subject): a follow-up inherits them."""


class ChatAnswer(BaseModel):
    """One answer, as the CLI and the API return it."""

    answer: str
    thread_id: str
    sources: list[str] = Field(default_factory=list)
    mode: str = ""
    run_cost: RunCost = Field(default_factory=RunCost)


def _turn(messages: Sequence[AnyMessage]) -> list[AnyMessage]:
    """The messages since the last user message (inclusive)."""
    for i in range(len(messages) - 1, -1, -1):
        if isinstance(messages[i], HumanMessage):
            return list(messages[i:])
    return list(messages)


def _recent(messages: list[AnyMessage]) -> list[AnyMessage]:
    """The conversation the model sees: the latest messages, starting at a user message (bounded input)."""
    start = 0
    for i, message in enumerate(messages):
        if isinstance(message, HumanMessage) and len(messages) - i <= HISTORY_MESSAGES:
            start = i
            break
    else:
        return _turn(messages)
    return messages[start:]


def _tool_payloads(turn: list[AnyMessage]) -> list[dict[str, Any]]:
    payloads = []
    for message in turn:
        if isinstance(message, ToolMessage):
            try:
                payload = json.loads(str(message.content))
            except ValueError:
                continue
            if isinstance(payload, dict):
                payloads.append(payload)
    return payloads


def _sources(turn: list[AnyMessage]) -> list[str]:
    found: list[str] = []
    for payload in _tool_payloads(turn):
        source = payload.get("source")
        if source and source not in found:
            found.append(source)
    return found


def _redshift_cost(payloads: list[dict[str, Any]]) -> RunCost:
    """What the turn's Redshift statements were billed (their tool results carry it)."""
    paid = sum((Decimal(str(p.get("redshift_cost_usd") or 0)) for p in payloads), Decimal(0))
    return RunCost(redshift=float(paid), total=float(paid))


def _add_cost(previous: dict[str, Any] | None, extra: RunCost) -> dict[str, Any]:
    base = RunCost.model_validate(previous or {})
    fields = ("bedrock", "redshift", "lambda_", "aws_api", "total")
    summed = {f: float(Decimal(str(getattr(base, f))) + Decimal(str(getattr(extra, f)))) for f in fields}
    summed["input_tokens"] = base.input_tokens + extra.input_tokens
    summed["output_tokens"] = base.output_tokens + extra.output_tokens
    return RunCost.model_validate(summed).model_dump(mode="json", by_alias=True)


def agent(state: ChatState, runtime: Runtime[Context]) -> Command[Literal["tools", "fallback", "__end__"]]:
    """Ask the LLM (with the tools bound); route to the tools, the fallback, or the end."""
    settings = (runtime.context or Context()).settings()
    reason = unavailable_reason(settings)
    if reason:
        return Command(goto="fallback", update={"mode": f"deterministic ({reason})"})
    messages = list(state["messages"])
    turn = _turn(messages)
    first_call = len(turn) == 1
    if sum(1 for m in turn if isinstance(m, AIMessage) and m.tool_calls) >= MAX_TOOL_ROUNDS:
        return Command(goto="fallback", update={"mode": "deterministic (too many tool calls)"})
    thread_id = str(get_config().get("configurable", {}).get("thread_id") or "chat")
    bill = RunBill(settings, session_id=thread_id)
    system = CHAT_SYSTEM.format(today=today().isoformat(), services=", ".join(sorted(set(CE_SERVICES.values()))),
                                regions=", ".join(settings.aws_regions) or "the account's enabled regions")
    try:
        model = make_chat_model(settings, max_tokens=800, callbacks=bill.callbacks("chat"))
        reply = with_retry(model.bind_tools(tools_for(settings))).invoke([SystemMessage(system), *_recent(messages)])
    except Exception as exc:
        log.warning("chat LLM failed: %s", error_code(exc))
        return Command(goto="fallback", update={"mode": f"deterministic (Bedrock failed: {error_code(exc)})"})
    cost = bill.run_cost()
    _store_cost(settings, bill, cost, thread_id)
    run_cost = _add_cost(None if first_call else state.get("run_cost"), cost)
    update: dict[str, Any] = {"messages": [reply], "run_cost": run_cost, "mode": f"bedrock:{settings.bedrock_model_id}"}
    if isinstance(reply, AIMessage) and reply.tool_calls:
        return Command(goto="tools", update=update)
    update["run_cost"] = _add_cost(run_cost, _redshift_cost(_tool_payloads(turn)))
    checked, paid = _checked(reply, turn, update["mode"], state.get("filters"))
    update["run_cost"] = _add_cost(update["run_cost"], paid)
    return Command(goto=END, update={**update, **checked})  # type: ignore[arg-type]


def _checked(reply: AnyMessage, turn: list[AnyMessage], mode: str,
             thread: ThreadFilters | None) -> tuple[dict[str, Any], RunCost]:
    """The LLM's answer when every dollar figure is in this turn's tool results (cited), else the fallback's;
    the parts of the question no tool returned data for (a failed or missing call) answered by the fallback.
    With the state update, what the fallback's own billed statements (a CUR query) cost."""
    question = _question(turn)
    verdict = verify_answer(_text(reply.content), _tool_payloads(turn))
    missing = unanswered_parts(question, _answered_by(turn))
    if verdict.unverified or (missing and len(missing) == len(parts_of(question))):
        why = f"LLM answer quoted figures not in the data: {', '.join(verdict.unverified)}" if verdict.unverified \
            else f"the LLM's tools returned no data for: {', '.join(kind for kind, _ in missing)}"
        log.warning("chat: %s", why)
        answered = chat_fallback.answer(question, thread)
        return ({"messages": [AIMessage(content=answered.text, name="deterministic")], "sources": answered.sources,
                 "mode": f"deterministic ({why})", **_kept(answered.filters)}, _redshift_cost(answered.payloads))
    sources, text = _sources(turn), verdict.text
    filters, paid = chat_fallback.remember(question, thread), RunCost()
    if missing:
        extra = chat_fallback.answer_parts(missing, thread)
        paid = _redshift_cost(extra.payloads)
        text = f"{text.rstrip()}\n\n{extra.text}"
        sources += [s for s in extra.sources if s not in sources]
        mode = f"{mode} + deterministic ({', '.join(kind for kind, _ in missing)})"
    if text != _text(reply.content):
        reply = reply.model_copy(update={"content": text})
    return {"messages": [reply], "sources": sources, "mode": mode, **_kept(filters)}, paid


def _kept(filters: ThreadFilters | None) -> dict[str, Any]:
    return {"filters": filters} if filters else {}


def _answered_by(turn: list[AnyMessage]) -> set[str]:
    """The tools that returned data (not an error) this turn."""
    names = set()
    for message in turn:
        if isinstance(message, ToolMessage) and message.name:
            try:
                payload = json.loads(str(message.content))
            except ValueError:
                continue
            if isinstance(payload, dict) and "error" not in payload:
                names.add(message.name)
    return names


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)


def _question(turn: list[AnyMessage]) -> str:
    return _text(turn[0].content) if turn and isinstance(turn[0], HumanMessage) else ""


def _store_cost(settings: Any, bill: Any, cost: RunCost, thread_id: str) -> None:
    try:
        get_storage(settings).store_agent_costs(bill.records(cost, session_id=thread_id, trigger="chat"))
    except Exception as exc:  # the answer matters more than the row; the cost log still has the call
        log.warning("could not store the chat's cost: %s", exc)


def fallback(state: ChatState) -> dict[str, Any]:
    """The deterministic planner's answer to the last user message, with the thread's filters."""
    turn = _turn(list(state["messages"]))
    answered = chat_fallback.answer(_question(turn), state.get("filters"))
    update: dict[str, Any] = {"messages": [AIMessage(content=answered.text, name="deterministic")],
                              "sources": answered.sources, "mode": state.get("mode") or "deterministic",
                              **_kept(answered.filters)}
    # A turn the LLM made no call in starts its bill at zero; the planner's billed statements (a CUR query) add to it.
    update["run_cost"] = _add_cost(None if len(turn) <= 1 else state.get("run_cost"),
                                   _redshift_cost(answered.payloads))
    return update


def build_chat_graph() -> StateGraph[ChatState, Context, ChatInput, ChatState]:
    builder = StateGraph(ChatState, context_schema=Context, input_schema=ChatInput, output_schema=ChatState)
    builder.add_node("agent", agent)
    builder.add_node("tools", ToolNode(TOOLS))
    builder.add_node("fallback", fallback)
    builder.add_edge(START, "agent")
    builder.add_edge("tools", "agent")
    builder.add_edge("fallback", END)
    return builder


def answer_from_state(state: dict[str, Any], thread_id: str) -> ChatAnswer:
    return ChatAnswer(answer=_text(state["messages"][-1].content), thread_id=thread_id,
                      sources=state.get("sources", []), mode=state.get("mode", ""),
                      run_cost=RunCost.model_validate(state.get("run_cost") or {}))


chat_graph = build_chat_graph().compile(name="chat")
