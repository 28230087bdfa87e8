"""The local Converse server with the real langchain-aws ChatBedrockConverse and boto3 (invoke, stream, tools)."""

from __future__ import annotations

import json
import urllib.request
import zlib
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.eventstream import EventStreamBuffer
from botocore.exceptions import ClientError
from langchain_aws import ChatBedrockConverse
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool

from tools.sandbox.bedrock_server import frame

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"


@tool
def get_costs_by_service(period: str) -> str:
    """Return the spend by service for a period."""
    return "EC2 1000"


@tool
def list_idle_resources(region: str, limit: int) -> str:
    """List idle resources (waste) in a region."""
    return "none"


def _llm(url: str) -> ChatBedrockConverse:
    return ChatBedrockConverse(model_id=MODEL, region_name="us-east-1", endpoint_url=url,
                               aws_access_key_id="sandbox", aws_secret_access_key="sandbox")  # type: ignore[arg-type]


def test_invoke_text_and_usage(bedrock_server: Any) -> None:
    state, url = bedrock_server
    reply = _llm(url).invoke([HumanMessage("What did we spend on EC2 last month?")])
    assert reply.content == "Sandbox model answer: What did we spend on EC2 last month?"
    usage = state.last["usage"]
    assert state.last["model"] == MODEL and state.last["stream"] is False
    assert usage["outputTokens"] == 11
    assert reply.usage_metadata == {"input_tokens": usage["inputTokens"], "output_tokens": 11,
                                    "total_tokens": usage["inputTokens"] + 11,
                                    "input_token_details": {"cache_creation": 0, "cache_read": 0}}


def test_stream_text_and_usage(bedrock_server: Any) -> None:
    state, url = bedrock_server
    chunks = list(_llm(url).stream([HumanMessage("Summarise the waste please")]))
    text = "".join(c.content if isinstance(c.content, str) else "".join(
        b.get("text", "") for b in c.content if isinstance(b, dict)) for c in chunks)
    assert text == "Sandbox model answer: Summarise the waste please"
    usage = state.last["usage"]
    assert state.last["stream"] is True
    metadata = [c.usage_metadata for c in chunks if c.usage_metadata]
    assert len(metadata) == 1
    assert metadata[0]["input_tokens"] == usage["inputTokens"] and metadata[0]["output_tokens"] == 7


def test_tool_call_picked_by_keywords_then_answer(bedrock_server: Any) -> None:
    state, url = bedrock_server
    llm = _llm(url).bind_tools([get_costs_by_service, list_idle_resources])
    question = HumanMessage("Which idle resources are in us-east-1?")
    call = llm.invoke([question])
    assert call.tool_calls == [{"name": "list_idle_resources", "args": {"region": "sandbox", "limit": 1},
                                "id": state.last["output"]["message"]["content"][0]["toolUse"]["toolUseId"],
                                "type": "tool_call"}]
    assert state.last["stopReason"] == "tool_use"
    done = llm.invoke([question, call, ToolMessage("i-0abc idle", tool_call_id=call.tool_calls[0]["id"])])
    assert done.content == "Sandbox model answer: i-0abc idle"
    streamed = list(llm.stream([HumanMessage("costs by service for last month")]))
    merged: Any = streamed[0]
    for chunk in streamed[1:]:
        merged = merged + chunk
    assert [(c["name"], c["args"]) for c in merged.tool_calls] == [("get_costs_by_service", {"period": "sandbox"})]


def test_throttling_is_retried_then_surfaces(bedrock_server: Any) -> None:
    state, url = bedrock_server
    client = boto3.client("bedrock-runtime", region_name="us-east-1", endpoint_url=url,
                          aws_access_key_id="sandbox", aws_secret_access_key="sandbox",
                          config=Config(retries={"mode": "standard", "max_attempts": 2}))
    messages = [{"role": "user", "content": [{"text": "hi"}]}]
    state.throttle_remaining = 1
    ok = client.converse(modelId=MODEL, messages=messages)
    assert ok["ResponseMetadata"]["RetryAttempts"] == 1 and ok["usage"]["outputTokens"] == 4
    state.always_throttle = True
    try:
        with pytest.raises(ClientError) as err:
            client.converse(modelId=MODEL, messages=messages)
    finally:
        state.always_throttle = False
    assert err.value.response["Error"]["Code"] == "ThrottlingException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429


def test_control_endpoints(bedrock_server: Any) -> None:
    state, url = bedrock_server
    request = urllib.request.Request(url + "/sandbox/throttle", data=b'{"count": 2}', method="POST")
    with urllib.request.urlopen(request) as answer:
        assert json.loads(answer.read()) == {"throttle_remaining": 2, "always": False}
    state.throttle_remaining = 0
    with urllib.request.urlopen(url + "/sandbox/responses") as answer:
        assert json.loads(answer.read()) == state.responses


def test_event_stream_frame_has_valid_crcs() -> None:
    data = frame("messageStop", {"stopReason": "end_turn"})
    buffer = EventStreamBuffer()
    buffer.add_data(data)
    message = next(iter(buffer))
    assert message.headers == {":event-type": "messageStop", ":content-type": "application/json",
                               ":message-type": "event"}
    assert json.loads(message.payload) == {"stopReason": "end_turn"}
    assert int.from_bytes(data[-4:], "big") == zlib.crc32(data[:-4])
