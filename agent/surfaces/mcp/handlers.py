"""The chat's read-only tools as MCP tools: listed with their argument models' JSON schemas, called through the
same validation as the chat graph, answered as JSON (plus the `[Source: ...]` citation), errors as tool errors.

Built over whatever `agent.graphs.chat.tools` exports, so a tool added there appears here without a change.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import mcp.types as types
from langchain_core.tools import BaseTool
from pydantic import BaseModel

from agent.graphs.chat import tools as chat_tools
from agent.graphs.context import use_settings
from tools.settings import Settings

log = logging.getLogger(__name__)

READ_ONLY = types.ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                                  open_world_hint=False)


class UnknownToolError(LookupError):
    """A call named no tool this server offers."""


def offered(settings: Settings) -> list[BaseTool]:
    """The tools a model may call with these settings (the chat's own choice: the CUR tool needs Redshift)."""
    return list(chat_tools.tools_for(settings))


def input_schema(tool: BaseTool) -> dict[str, Any]:
    """The tool's arguments as JSON Schema: its pydantic model's own schema (constraints, enums, formats)."""
    schema = tool.args_schema
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return schema.model_json_schema()
    if isinstance(schema, dict):
        return schema
    return {"type": "object", "properties": tool.args}


def listing(settings: Settings) -> list[types.Tool]:
    return [types.Tool(name=t.name, description=t.description, input_schema=input_schema(t), annotations=READ_ONLY)
            for t in offered(settings)]


def run_tool(name: str, arguments: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The tool's JSON result; `{"error": ...}` for bad arguments or a failed query (never raises for those)."""
    tools = {t.name: t for t in offered(settings)}
    if name not in tools:
        raise UnknownToolError(f"unknown tool {name!r}; this server offers: {', '.join(tools)}")
    with use_settings(settings):
        if name in chat_tools.QUERIES:
            return chat_tools.run_query(name, arguments)
        raw = tools[name].invoke(arguments)  # a tool defined another way: its own validation
    result = json.loads(raw) if isinstance(raw, str) else raw
    return result if isinstance(result, dict) else {"result": result}


def as_result(result: dict[str, Any]) -> types.CallToolResult:
    """JSON text and structured content; the citation as its own text block; an `error` as a tool error."""
    if "error" in result:
        return error_result(str(result["error"]))
    text = json.dumps(result, default=str)
    content = [types.TextContent(text=text)]
    if result.get("source"):
        content.append(types.TextContent(text=f"[Source: {result['source']}]"))
    return types.CallToolResult(content=content, structured_content=json.loads(text))


def error_result(message: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=message)], is_error=True)


def call(name: str, arguments: dict[str, Any] | None, settings: Settings) -> types.CallToolResult:
    """One tool call at the edge: whatever goes wrong becomes a tool error the caller can read."""
    try:
        return as_result(run_tool(name, dict(arguments or {}), settings))
    except UnknownToolError as exc:
        return error_result(str(exc))
    except Exception as exc:
        log.warning("MCP tool %s failed: %s: %s", name, type(exc).__name__, str(exc).splitlines()[:1])
        first = str(exc).splitlines()[0] if str(exc) else ""
        return error_result(f"{name}: {type(exc).__name__}: {first}"[:400])
