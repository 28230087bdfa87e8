"""The HTTP API (`cost-agent serve`): FastAPI, one router per resource, RFC 7807 problems for every error."""

from agent.surfaces.api.app import create_app

__all__ = ["create_app"]
