"""A loopback Bedrock Converse server: answers `POST /model/<id>/converse` with queued replies and
known token counts, and keeps every request body (for exact assertions on prompts and tool specs)."""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    text: str = ""
    tool: str | None = None
    tool_input: dict[str, Any] = field(default_factory=dict)
    input_tokens: int = 1000
    output_tokens: int = 200
    status: int = 200
    error_code: str = ""


class ConverseStub:
    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                stub.requests.append(body)
                stub.paths.append(self.path)
                reply = stub.replies.popleft() if stub.replies else Reply(text="no reply queued")
                if reply.status != 200:
                    payload = json.dumps({"message": f"stub {reply.error_code}"}).encode()
                    self.send_response(reply.status)
                    self.send_header("x-amzn-ErrorType", reply.error_code)
                else:
                    if reply.tool:
                        content = [{"toolUse": {"toolUseId": f"t{len(stub.requests)}", "name": reply.tool,
                                                "input": reply.tool_input}}]
                        stop = "tool_use"
                    else:
                        content, stop = [{"text": reply.text}], "end_turn"
                    payload = json.dumps({
                        "output": {"message": {"role": "assistant", "content": content}}, "stopReason": stop,
                        "usage": {"inputTokens": reply.input_tokens, "outputTokens": reply.output_tokens,
                                  "totalTokens": reply.input_tokens + reply.output_tokens},
                        "metrics": {"latencyMs": 5}}).encode()
                    self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True  # botocore keeps connections open; do not wait for them on close
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def queue(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
