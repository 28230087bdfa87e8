"""MCP: the chat's read-only tools through the official SDK's own client, over stdio against a real
`cost-agent mcp` subprocess and over streamable HTTP at `/mcp` under a real `cost-agent serve`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import httpx
import httpx2
from chat_data import EC2
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from agent.graphs.chat.tools import TOOLS, SpendArgs, tools_for
from tools.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
# The first six chat tools; the chat may offer more, and every one it offers is listed (in its order).
NAMES = ["spend", "spend_trend", "forecast", "top_opportunities", "anomalies", "resource_details"]
KEY = "mcp-test-key-8d2e41"


def _text(result: Any) -> list[str]:
    return [block.text for block in result.content]


async def _exercise(session: ClientSession, seeded) -> None:
    """List the tools, call three against the seeded data, and two that fail; exact values throughout."""
    start, end = seeded.start, seeded.end
    days = (end - start).days + 1
    listed = (await session.list_tools()).tools
    names = [t.name for t in listed]
    assert names == [t.name for t in tools_for(load_settings())]
    assert [n for n in names if n in NAMES] == NAMES and "cur_spend" not in names  # CUR: only with Redshift
    spend_tool = next(t for t in listed if t.name == "spend")
    assert spend_tool.input_schema == SpendArgs.model_json_schema()
    assert {"service", "region", "tag"} <= set(spend_tool.input_schema["properties"]["group_by"]["enum"])
    assert spend_tool.input_schema["additionalProperties"] is False
    assert spend_tool.description == next(t.description for t in TOOLS if t.name == "spend")
    assert spend_tool.annotations is not None and spend_tool.annotations.read_only_hint is True

    spend = await session.call_tool("spend", {"start": str(start), "end": str(end), "service": "EC2",
                                              "group_by": "region"})
    source = f"cost_summary {start}..{end}, service='{EC2}' (ClickHouse cost_metrics)"
    figures = {"total_usd": round(12.5 * days, 2), "by_region": {"us-east-1": 10.0 * days, "eu-west-1": 2.5 * days},
               "period": f"{start}..{end}", "source": source}
    assert spend.is_error is False
    assert {k: spend.structured_content[k] for k in figures} == figures
    assert json.loads(_text(spend)[0]) == spend.structured_content
    assert _text(spend)[1] == f"[Source: {source}]"

    trend = await session.call_tool("spend_trend", {"start": str(start), "end": str(start), "service": "lambda"})
    assert (trend.structured_content["series"], trend.structured_content["source"]) == (
        [{"period": str(start), "cost_usd": 1.25}],
        f"query_cost_trends {start}..{start} by day, service='AWS Lambda' (ClickHouse cost_metrics)")

    top = await session.call_tool("top_opportunities", {"limit": 1})
    body = top.structured_content
    assert (body["matching"], len(body["opportunities"])) == (2, 1)
    idle = body["opportunities"][0]
    assert (idle["type"], idle["service"], idle["resources"], idle["monthly_savings_usd"], idle["priority"]) == (
        "idle_resource", "EC2", 10, 100.45, "high")
    assert [(r["resource_id"], r["savings_usd"]) for r in idle["largest"][:2]] == [("i-00000009", 10.09),
                                                                                 ("i-00000008", 10.08)]
    assert body["source"] == "latest report opportunities 2026-10-25..2026-11-23 (generated 2026-11-24T06:00:00+00:00)"

    bad = await session.call_tool("spend", {"start": str(end), "end": str(start)})
    assert bad.is_error is True
    assert _text(bad) == [f"spend: arguments: Value error, start {end} is after end {start}"]
    unknown = await session.call_tool("drop_tables", {})
    assert unknown.is_error is True
    assert _text(unknown) == [f"unknown tool 'drop_tables'; this server offers: {', '.join(names)}"]


async def test_stdio_server_lists_and_answers_with_the_sdk_client(seeded, cli_env, tmp_path) -> None:
    params = StdioServerParameters(command=sys.executable, args=["-m", "agent.surfaces.mcp"],
                                   env=cli_env(seeded.data_dir), cwd=str(ROOT))
    with (tmp_path / "mcp-stderr.log").open("w+") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            await _exercise(session, seeded)
        errlog.seek(0)
        assert "Traceback" not in errlog.read()


async def test_streamable_http_under_serve_behind_the_api_key(seeded, serve) -> None:
    served = serve(seeded.data_dir, API_KEY=KEY)
    refused = httpx.post(f"{served.url}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert (refused.status_code, refused.headers["content-type"], refused.json()["title"]) == (
        401, "application/problem+json", "Unauthorized")
    wrong = httpx.post(f"{served.url}/mcp", headers={"Authorization": "Bearer nope"}, json={})
    assert wrong.status_code == 401
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {KEY}"}, timeout=60) as client, \
            streamable_http_client(f"{served.url}/mcp", http_client=client) as (read, write), \
            ClientSession(read, write) as session:
        await session.initialize()
        await _exercise(session, seeded)
    assert served.stop() == 0
    log = served.log.read_text()
    assert KEY not in log and "Traceback" not in log
    assert "POST /mcp 401" in log and "POST /mcp 200" in log
