"""`/mcp` under the HTTP API: the SDK's streamable HTTP transport behind the API's own key check.

Stateless with JSON responses: every POST is answered on its own, so the API keeps no MCP sessions and any
worker can answer any request. Add its `route()` to the app; the app's lifespan must enter `running()` (the
transport's task group).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi.security import APIKeyHeader, HTTPBearer
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from agent.surfaces.api.deps import require_api_key
from agent.surfaces.api.problems import ProblemError, problem_response
from agent.surfaces.mcp.server import build_server
from tools.settings import Settings

PATH = "/mcp"
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False)
_bearer = HTTPBearer(auto_error=False)


def _security(host: str) -> TransportSecuritySettings | None:
    """On loopback, the SDK's own DNS-rebinding guard: Host and Origin must be loopback too (an in-process test
    client must use a base URL such as http://127.0.0.1, not its default host name)."""
    if host not in _LOOPBACK:
        return None
    return TransportSecuritySettings(enable_dns_rebinding_protection=True,
                                     allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
                                     allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"])


class McpEndpoint:
    """An ASGI app: 401 (the API's problem document) without the key, else the MCP transport."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.manager = StreamableHTTPSessionManager(app=build_server(settings), json_response=True, stateless=True,
                                                    security_settings=_security(settings.api_host))
        self._running = False

    def route(self) -> Route:
        """`PATH`, every method, answered by this endpoint (an ASGI app, so no FastAPI dependencies apply)."""
        return Route(PATH, endpoint=self, include_in_schema=False)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        async with self.manager.run():
            self._running = True
            try:
                yield
            finally:
                self._running = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            require_api_key(self.settings, await _api_key(request), await _bearer(request))
            if not self._running:  # an app run without its lifespan (Lambda): no transport to hand over to
                raise ProblemError(503, "Service Unavailable", "MCP is served by `cost-agent serve` (or `mcp`).")
        except ProblemError as exc:
            await problem_response(request, exc.status, exc.title, exc.detail, headers=exc.headers)(
                scope, receive, send)
            return
        await self.manager.asgi_app(scope, receive, send)
