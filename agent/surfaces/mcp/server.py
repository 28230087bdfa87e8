"""The MCP server (the official `mcp` SDK's low-level `Server`): it only registers the handlers.

The low-level server, not `MCPServer`, because `MCPServer` derives each tool's schema from a Python signature,
while these tools already have pydantic argument models whose schemas (enums, formats, bounds, no extra fields)
and validation are the contract the chat graph uses too.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import anyio
import mcp.types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server

from agent.surfaces.mcp import handlers
from tools import __version__
from tools.settings import Settings

NAME = "optiinfra-cost-agent"
INSTRUCTIONS = ("Read-only questions about AWS spend, savings opportunities, anomalies and resources, answered from "
                "the data the cost agent stored. Every result names its source; cite it.")


def build_server(settings: Settings) -> Server[Any]:
    async def list_tools(ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None,
                         ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=handlers.listing(settings))

    async def call_tool(ctx: ServerRequestContext[Any], params: types.CallToolRequestParams) -> types.CallToolResult:
        # The queries block (chDB, Redshift): off the event loop, so other requests keep flowing.
        return await anyio.to_thread.run_sync(partial(handlers.call, params.name, params.arguments, settings))

    return Server(NAME, version=__version__, title="OptiInfra cost agent", instructions=INSTRUCTIONS,
                  get_tool_input_schema=partial(_schema, settings), on_list_tools=list_tools, on_call_tool=call_tool)


def _schema(settings: Settings, name: str) -> dict[str, Any] | None:
    return next((handlers.input_schema(t) for t in handlers.offered(settings) if t.name == name), None)


async def serve_stdio(settings: Settings) -> None:
    """Serve one client over stdin/stdout until it disconnects (the SDK points fd 1 at stderr meanwhile, so
    nothing but protocol reaches stdout)."""
    server = build_server(settings)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())
