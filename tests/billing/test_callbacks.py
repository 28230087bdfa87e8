"""BillingCallbackHandler with the real ChatBedrockConverse against a local Converse server."""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from pathlib import Path

from langchain_aws import ChatBedrockConverse
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.tools import tool

from tools.billing import BillingCallbackHandler, BillingEvent, CostLogger, CostTracker, TokenUsage
from tools.billing.callbacks import token_usage
from tools.settings import CostSettings

SONNET = "anthropic.claude-3-5-sonnet-20240620-v1:0"


def _model(url: str, **kwargs) -> ChatBedrockConverse:
    return ChatBedrockConverse(model_id=SONNET, region_name="us-east-1", endpoint_url=url, max_tokens=256, **kwargs)


def test_converse_call_is_billed_to_the_cent(converse_server, tmp_path: Path) -> None:
    tracker = CostTracker(CostSettings())
    logger = CostLogger(tmp_path / "cost.log")
    events: list[BillingEvent] = []
    handler = BillingCallbackHandler(tracker, logger, "run-1", "summarize", SONNET, on_cost=events.append)

    answer = _model(converse_server.url).invoke("Summarize the report", config={"callbacks": [handler]})

    assert answer.content == "EC2 spend was $1,234.56."
    assert converse_server.requests[0][0] == f"/model/{SONNET}/converse"
    assert (handler.input_tokens, handler.output_tokens, handler.calls) == (1000, 500, 1)
    assert handler.cost.bedrock_cost == 0.0105  # 1,000 / 1000 x 0.003 + 500 / 1000 x 0.015
    assert round(handler.cost.total_cost, 2) == 0.01
    assert tracker.get_cost_summary("run-1")["breakdown"]["bedrock"] == 0.0105
    assert [(e.session_id, e.component, e.model_id, e.cost.total_cost) for e in events] == [
        ("run-1", "summarize", SONNET, 0.0105)]
    entry = json.loads((tmp_path / "cost.log").read_text())
    assert entry["query_type"] == "LLM_CALL" and entry["session_id"] == "run-1"
    assert entry["costs"] == {"bedrock": 0.0105, "redshift": 0.0, "lambda": 0.0, "total": 0.0105, "aws_api": 0.0}
    assert entry["tokens"] == {"input": 1000, "output": 500, "total": 1500}
    assert entry["details"]["component"] == "summarize" and entry["details"]["model_id"] == SONNET
    assert 0 < entry["execution_time"] < 5


def test_per_model_price_and_handler_on_the_model(converse_server, tmp_path: Path) -> None:
    converse_server.usage = {"inputTokens": 2000, "outputTokens": 1000}
    tracker = CostTracker(CostSettings(bedrock_model_prices={SONNET: {"input": 0.006, "output": 0.03}}))
    handler = BillingCallbackHandler(tracker, None, "run-2", "chat", SONNET)
    model = _model(converse_server.url, callbacks=[handler])
    model.invoke("one")
    model.invoke("two")
    assert (handler.calls, handler.input_tokens, handler.output_tokens) == (2, 4000, 2000)
    assert handler.cost.bedrock_cost == 0.084  # 2 x (2 x 0.006 + 1 x 0.03)


def test_concurrent_calls_keep_exact_totals(converse_server) -> None:
    tracker = CostTracker(CostSettings())
    handler = BillingCallbackHandler(tracker, None, "run-3", "analyze", SONNET)
    model = _model(converse_server.url, callbacks=[handler])
    threads = [threading.Thread(target=lambda: [model.invoke("q") for _ in range(5)]) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (handler.calls, handler.input_tokens, handler.output_tokens) == (30, 30_000, 15_000)
    assert handler.cost.bedrock_cost == 0.315
    assert tracker.get_cost_summary("run-3")["total_cost"] == 0.315


def test_failing_on_cost_hook_does_not_break_the_call(converse_server) -> None:
    def broken(event: BillingEvent) -> None:
        raise RuntimeError("prometheus down")

    handler = BillingCallbackHandler(CostTracker(CostSettings()), None, "run-4", "summarize", SONNET, on_cost=broken)
    assert _model(converse_server.url).invoke("x", config={"callbacks": [handler]}).content
    assert handler.cost.bedrock_cost == 0.0105


def test_usage_fallback_to_llm_output() -> None:
    bare = LLMResult(generations=[[ChatGeneration(message=AIMessage(content="x"))]],
                     llm_output={"usage": {"prompt_tokens": 10, "completion_tokens": 4}})
    assert token_usage(bare) == TokenUsage(10, 4)
    camel = LLMResult(generations=[[]], llm_output={"usage": {"inputTokens": 7, "outputTokens": 3}})
    assert token_usage(camel) == TokenUsage(7, 3)
    assert token_usage(LLMResult(generations=[[]])) == TokenUsage(0, 0)


def test_streamed_and_tool_calls_are_billed_with_the_sandbox_server(monkeypatch, tmp_path: Path) -> None:
    """The sandbox's Converse server (event-stream frames for `.stream()`), reached via the endpoint variable."""
    from tools.sandbox import bedrock_server as bedrock

    state = bedrock.BedrockState()
    with bedrock.serve_bedrock(state) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.url)
        tracker = CostTracker(CostSettings())
        handler = BillingCallbackHandler(tracker, None, "run-5", "chat", SONNET)
        model = ChatBedrockConverse(model_id=SONNET, region_name="us-east-1", callbacks=[handler])
        text = "".join(str(chunk.content) for chunk in model.stream("What did we spend on EC2?"))
        assert text
        streamed = state.last["usage"]
        assert state.last["stream"] is True
        assert (handler.input_tokens, handler.output_tokens) == (streamed["inputTokens"], streamed["outputTokens"])

        @tool
        def spend_by_service(service: str) -> str:
            """Spend by service for the last 30 days."""
            return service

        model.bind_tools([spend_by_service]).invoke("spend by service for EC2")
        used = state.last["usage"]
        assert state.last["stopReason"] == "tool_use"
    tokens = TokenUsage(streamed["inputTokens"] + used["inputTokens"], streamed["outputTokens"] + used["outputTokens"])
    assert (handler.calls, handler.input_tokens, handler.output_tokens) == (2, tokens.input_tokens,
                                                                          tokens.output_tokens)
    expected = (Decimal(tokens.input_tokens) / 1000 * Decimal("0.003")
                + Decimal(tokens.output_tokens) / 1000 * Decimal("0.015"))
    assert handler.cost.bedrock_cost == float(expected)
