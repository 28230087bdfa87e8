"""Plain functions the CLI and the API call: one analysis run, one chat turn."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from langchain_core.messages import HumanMessage

from agent.graphs.analysis.graph import build_graph
from agent.graphs.chat.graph import ChatAnswer, ChatInput, answer_from_state, build_chat_graph
from agent.graphs.checkpoint import open_checkpointer
from agent.graphs.context import Context, use_settings
from tools.models import Report
from tools.settings import Settings
from tools.storage.run_cache import get_run_cache

Progress = Callable[[dict[str, Any]], None]


def run_analysis(settings: Settings, *, regions: list[str] | None = None, lookback_days: int | None = None,
                 refresh: bool = False, thread_id: str | None = None, progress: Progress | None = None,
                 trigger: str = "cli") -> Report:
    """Run collect -> utilize -> analyze -> prioritize -> summarize and return the report.

    `progress` receives `{"node": ..., "message": ...}` events as the run goes. With a `thread_id` the run's
    state persists in the thread store (SQLite or PostgreSQL); without one nothing is kept but ClickHouse.
    Raises when the run fails as a whole; partial failures are in the report (`partial`, `errors`).
    """
    context = Context(regions=regions, lookback_days=lookback_days, refresh=refresh)
    with use_settings(settings):
        run_settings = context.settings()  # a bad region or lookback fails here, as a ConfigError, before any AWS call
        if thread_id is None:
            return _stream(build_graph().compile(name="analysis"), context, None, progress, trigger, run_settings)
        with open_checkpointer(settings) as saver:
            graph = build_graph().compile(checkpointer=saver, name="analysis")
            return _stream(graph, context, thread_id, progress, trigger, run_settings)


def _stream(graph: Any, context: Context, thread_id: str | None, progress: Progress | None, trigger: str,
            settings: Settings) -> Report:
    config: dict[str, Any] = {"configurable": {"thread_id": thread_id}} if thread_id else {}
    # Many accounts: the collect_shard tasks LangGraph runs side by side (each account's API calls are bounded
    # apart, by AWS_CALLS_IN_FLIGHT).
    config["max_concurrency"] = settings.executor_concurrency
    final: dict[str, Any] = {}
    try:
        for mode, chunk in graph.stream({"trigger": trigger}, config, context=context,
                                        stream_mode=["custom", "updates", "values"]):
            if mode == "values":
                final = chunk
            elif progress is None:
                continue
            elif mode == "custom":
                progress(chunk)
            else:
                for node in chunk:
                    progress({"node": node, "message": "done"})
    finally:
        if final.get("run_id"):  # a run that failed half-way is never resumed from here: free its data now
            get_run_cache(settings).drop(final["run_id"])
    if "report" not in final:
        raise RuntimeError("the analysis graph finished without a report")
    return Report.model_validate(final["report"])


def ask(question: str, thread_id: str | None, settings: Settings) -> ChatAnswer:
    """One chat turn in a persisted thread: the answer, its cited sources, and how it was produced."""
    thread_id = thread_id or uuid.uuid4().hex
    with use_settings(settings), open_checkpointer(settings) as saver:
        graph = build_chat_graph().compile(checkpointer=saver, name="chat")
        turn: ChatInput = {"messages": [HumanMessage(content=question)]}
        state = graph.invoke(turn, {"configurable": {"thread_id": thread_id}}, context=Context())
    answer: ChatAnswer = answer_from_state(state, thread_id)
    return answer
