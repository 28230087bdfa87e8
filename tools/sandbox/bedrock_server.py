"""A local Bedrock Runtime Converse endpoint: deterministic text, tool calls, token usage, event streams.

POST /model/{id}/converse answers JSON; /converse-stream answers AWS event-stream frames. Reached
through AWS_ENDPOINT_URL_BEDROCK_RUNTIME. Token counts: input = ceil(request bytes / 4), output = words.
For tests in another process: GET /sandbox/responses lists every answer (with its usage);
POST /sandbox/throttle with {"count": N} or {"always": true|false} switches the 429 error mode.
"""

from __future__ import annotations

import json
import math
import re
import struct
import time
import zlib
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote

from tools.sandbox.local_server import LocalServer

_PATH = re.compile(r"^/model/(?P<model>[^/]+)/(?P<op>converse|converse-stream)$")
_WORD = re.compile(r"[a-z0-9]+")


class BedrockState:
    """Server settings tests can flip, and the record of every answer."""

    def __init__(self, latency_ms: int = 0) -> None:
        self.latency_ms = latency_ms
        self.throttle_remaining = 0
        """Answer this many next requests with 429 ThrottlingException."""
        self.always_throttle = False
        self.responses: list[dict[str, Any]] = []

    @property
    def last(self) -> dict[str, Any]:
        return self.responses[-1]


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _value(schema: dict[str, Any]) -> Any:
    if "default" in schema:
        return schema["default"]
    if schema.get("enum"):
        return schema["enum"][0]
    return {"string": "sandbox", "integer": 1, "number": 1.0, "boolean": True, "array": [],
            "object": {}}.get(schema.get("type", "string"), "sandbox")


def _tool_input(spec: dict[str, Any]) -> dict[str, Any]:
    schema = (spec.get("inputSchema") or {}).get("json") or {}
    props = schema.get("properties") or {}
    return {name: _value(props.get(name, {})) for name in schema.get("required") or []}


def pick_tool(tools: list[dict[str, Any]], question: str) -> dict[str, Any]:
    """The tool whose name and description share most words with the question (first one on ties)."""
    asked = _words(question)
    specs = [t["toolSpec"] for t in tools if "toolSpec" in t]

    def score(spec: dict[str, Any]) -> int:
        return len(asked & (_words(spec.get("name", "").replace("_", " ")) | _words(spec.get("description", ""))))

    return max(specs, key=score)


def _text_of(message: dict[str, Any]) -> str:
    return " ".join(block["text"] for block in message.get("content", []) if "text" in block)


def _tool_results(message: dict[str, Any]) -> str:
    parts = []
    for block in message.get("content", []):
        for item in (block.get("toolResult") or {}).get("content", []):
            parts.append(item["text"] if "text" in item else json.dumps(item.get("json"), sort_keys=True))
    return " ".join(parts)


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _facts(text: str) -> dict[str, Any] | None:
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        facts = json.loads(text[start:end + 1])
    except ValueError:
        return None
    return facts if isinstance(facts, dict) and "total_spend" in facts else None


def narrate_facts(prompt: str) -> str:
    """A deterministic executive summary built only from the facts in the prompt, as a real model is told to."""
    facts = _facts(prompt)
    if facts is None:
        return ""
    parts = [f"Spend for the period was {_money(facts['total_spend'])}, of which {_money(facts['total_waste'])} "
             f"({facts['waste_percentage']} %) is identified waste."]
    if "total_savings" in facts:
        parts.append(f"With pricing levers ({_money(facts.get('pricing_levers', 0))}) the savings total is "
                     f"{_money(facts['total_savings'])} a month, each resource counted once.")
    top = facts.get("top_opportunities") or []
    if top:
        named = "; ".join(f"{o['type'].replace('_', ' ')} on {o['service']} ({o['resources']} resources, "
                          f"{_money(o['monthly_savings'])} a month, {o['priority']} priority)" for o in top[:3])
        parts.append(f"The largest opportunities are {named}.")
    for anomaly in (facts.get("anomalies") or [])[:2]:
        parts.append(f"{anomaly['service']} in {anomaly['region']} cost {_money(anomaly['actual'])} on "
                     f"{anomaly['date']} against an expected {_money(anomaly['expected'])}, driven by "
                     f"{anomaly['driver'] or 'unknown usage'}.")
    if facts.get("partial"):
        parts.append(f"The collection was partial: {facts.get('error_count', 0)} part(s) failed.")
    return " ".join(parts)


def answer(request: dict[str, Any], raw_size: int) -> dict[str, Any]:
    """The assistant turn: a tool call when tools are offered to a user question, else deterministic text."""
    messages = request.get("messages") or []
    last = messages[-1] if messages else {"role": "user", "content": []}
    tools = (request.get("toolConfig") or {}).get("tools") or []
    question = _text_of(last)
    results = _tool_results(last)
    content: list[dict[str, Any]]
    if tools and last.get("role") == "user" and question and not results:
        spec = pick_tool(tools, question)
        use_id = f"tooluse_{zlib.crc32(json.dumps(request, sort_keys=True).encode()):08x}"
        content = [{"toolUse": {"toolUseId": use_id, "name": spec["name"], "input": _tool_input(spec)}}]
        stop, out_tokens = "tool_use", 1 + len(json.dumps(content[0]["toolUse"]["input"]).split())
    else:
        basis = results or question
        text = narrate_facts(question) if not results else ""
        text = text or f"Sandbox model answer: {' '.join(basis.split()[:40])}".strip()
        content = [{"text": text}]
        stop, out_tokens = "end_turn", len(text.split())
    in_tokens = math.ceil(raw_size / 4)
    usage = {"inputTokens": in_tokens, "outputTokens": out_tokens, "totalTokens": in_tokens + out_tokens}
    return {"output": {"message": {"role": "assistant", "content": content}}, "stopReason": stop,
            "usage": usage, "metrics": {"latencyMs": 1}}


def _header(name: str, value: str) -> bytes:
    n, v = name.encode(), value.encode()
    return struct.pack("B", len(n)) + n + b"\x07" + struct.pack(">H", len(v)) + v


def frame(event_type: str, payload: dict[str, Any]) -> bytes:
    """One AWS event-stream message: prelude + CRC, headers, JSON payload, message CRC."""
    headers = (_header(":event-type", event_type) + _header(":content-type", "application/json")
               + _header(":message-type", "event"))
    body = json.dumps(payload).encode()
    total = 12 + len(headers) + len(body) + 4
    prelude = struct.pack(">II", total, len(headers))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    message = prelude + headers + body
    return message + struct.pack(">I", zlib.crc32(message))


def stream_events(result: dict[str, Any]) -> list[bytes]:
    events = [frame("messageStart", {"role": "assistant"})]
    for index, block in enumerate(result["output"]["message"]["content"]):
        if "toolUse" in block:
            use = block["toolUse"]
            events.append(frame("contentBlockStart", {"start": {"toolUse": {"toolUseId": use["toolUseId"],
                                                                            "name": use["name"]}},
                                                      "contentBlockIndex": index}))
            events.append(frame("contentBlockDelta", {"delta": {"toolUse": {"input": json.dumps(use["input"])}},
                                                      "contentBlockIndex": index}))
        else:
            words = block["text"].split(" ")
            for n, word in enumerate(words):
                piece = word if n == 0 else " " + word
                events.append(frame("contentBlockDelta", {"delta": {"text": piece}, "contentBlockIndex": index}))
        events.append(frame("contentBlockStop", {"contentBlockIndex": index}))
    events.append(frame("messageStop", {"stopReason": result["stopReason"]}))
    events.append(frame("metadata", {"usage": result["usage"], "metrics": result["metrics"]}))
    return events


def _handler(state: BedrockState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            return

        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            if self.path.split("?")[0] != "/sandbox/responses":
                return self._error(404, "ResourceNotFoundException", f"Unknown path {self.path}")
            self._send(200, json.dumps(state.responses).encode(), "application/json")

        def _control(self, raw: bytes) -> None:
            body = json.loads(raw or b"{}")
            state.throttle_remaining = int(body.get("count", state.throttle_remaining))
            state.always_throttle = bool(body.get("always", state.always_throttle))
            self._send(200, json.dumps({"throttle_remaining": state.throttle_remaining,
                                        "always": state.always_throttle}).encode(), "application/json")

        def do_POST(self) -> None:  # noqa: N802 - stdlib name
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.split("?")[0] == "/sandbox/throttle":
                return self._control(raw)
            if state.latency_ms:
                time.sleep(state.latency_ms / 1000)
            match = _PATH.match(self.path.split("?")[0])
            if match is None:
                return self._error(404, "ResourceNotFoundException", f"Unknown path {self.path}")
            if state.always_throttle or state.throttle_remaining > 0:
                state.throttle_remaining = max(0, state.throttle_remaining - 1)
                return self._error(429, "ThrottlingException", "Too many requests, please wait before trying again.")
            try:
                request = json.loads(raw or b"{}")
            except ValueError:
                return self._error(400, "ValidationException", "Malformed JSON body")
            if not request.get("messages"):
                return self._error(400, "ValidationException", "messages must not be empty")
            result = answer(request, len(raw))
            stream = match["op"] == "converse-stream"
            state.responses.append({"model": unquote(match["model"]), "stream": stream, **result})
            if stream:
                return self._stream(stream_events(result))
            self._send(200, json.dumps(result).encode(), "application/json")

        def _stream(self, events: list[bytes]) -> None:
            data = b"".join(events)
            self._send(200, data, "application/vnd.amazon.eventstream")

        def _error(self, status: int, code: str, message: str) -> None:
            self._send(status, json.dumps({"message": message}).encode(), "application/json",
                       {"x-amzn-ErrorType": f"{code}:http://internal.amazon.com/coral/com.amazon.bedrock/"})

        def _send(self, status: int, data: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-amzn-RequestId", "sandbox")
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

    return Handler


def serve_bedrock(state: BedrockState, port: int = 0) -> LocalServer:
    return LocalServer(_handler(state), port)
