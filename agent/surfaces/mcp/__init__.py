"""The chat's read-only tools over the Model Context Protocol: `cost-agent mcp` (stdio) and `/mcp` under
`cost-agent serve` (streamable HTTP, behind the API key)."""

from agent.surfaces.mcp.server import build_server, serve_stdio

__all__ = ["build_server", "serve_stdio"]
