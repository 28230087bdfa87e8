"""The analysis graph: collect -> utilize -> analyze -> prioritize -> summarize.

With AWS_ACCOUNTS set (many accounts), collect fans out one `collect_shard` per (account x region) with `Send`
and `gather` joins them instead of utilize (each shard measures its own resources): collect -> collect_shard* ->
gather -> analyze -> prioritize -> summarize.

`graph` is compiled without a checkpointer (the LangGraph server brings its own);
`build_graph().compile(checkpointer=...)` persists threads elsewhere (see `agent.graphs.checkpoint`).
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from agent.graphs.analysis import nodes, shards
from agent.graphs.analysis.state import AnalysisState, InputState, OutputState
from agent.graphs.context import Context

NODES = ("collect", "utilize", "analyze", "prioritize", "summarize")
SHARD_NODES = ("collect_shard", "gather")


def build_graph() -> StateGraph[AnalysisState, Context, InputState, OutputState]:
    builder = StateGraph(AnalysisState, context_schema=Context, input_schema=InputState, output_schema=OutputState)
    for name in NODES:
        builder.add_node(name, getattr(nodes, name))
    builder.add_node("collect_shard", shards.collect_shard)
    builder.add_node("gather", shards.gather)
    builder.add_edge(START, "collect")
    builder.add_conditional_edges("collect", shards.route, ["utilize", "collect_shard"])
    builder.add_edge("collect_shard", "gather")
    builder.add_edge("utilize", "analyze")
    builder.add_edge("gather", "analyze")
    builder.add_edge("analyze", "prioritize")
    builder.add_edge("prioritize", "summarize")
    builder.add_edge("summarize", END)
    return builder


graph = build_graph().compile(name="analysis")
