"""The analysis graph: collect -> utilize -> analyze -> prioritize -> summarize.

`graph` is compiled without a checkpointer (the LangGraph server brings its own);
`build_graph().compile(checkpointer=...)` persists threads elsewhere (see `agent.graphs.checkpoint`).
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from agent.graphs.analysis import nodes
from agent.graphs.analysis.state import AnalysisState, InputState, OutputState
from agent.graphs.context import Context

NODES = ("collect", "utilize", "analyze", "prioritize", "summarize")


def build_graph() -> StateGraph[AnalysisState, Context, InputState, OutputState]:
    builder = StateGraph(AnalysisState, context_schema=Context, input_schema=InputState, output_schema=OutputState)
    previous = START
    for name in NODES:
        builder.add_node(name, getattr(nodes, name))
        builder.add_edge(previous, name)
        previous = name
    builder.add_edge(previous, END)
    return builder


graph = build_graph().compile(name="analysis")
