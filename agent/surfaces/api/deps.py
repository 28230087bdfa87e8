"""Dependencies as typed aliases: settings, storage, jobs, and the API key check."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from agent.surfaces.api.jobs import JobManager
from agent.surfaces.api.problems import ProblemError
from tools.settings import Settings

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="the server's API_KEY")
_bearer = HTTPBearer(auto_error=False, description="the server's API_KEY as a bearer token")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_jobs(request: Request) -> JobManager:
    return request.app.state.jobs


def get_storage(request: Request) -> Any:
    """The process's one ClickHouse storage, opened on first use (chDB allows one engine per process)."""
    return request.app.state.storage_factory()


SettingsDep = Annotated[Settings, Depends(get_settings)]
JobsDep = Annotated[JobManager, Depends(get_jobs)]
StorageDep = Annotated[Any, Depends(get_storage)]


def require_api_key(
    settings: SettingsDep,
    api_key: Annotated[str | None, Security(_api_key_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> None:
    """401 unless X-API-Key or `Authorization: Bearer` carries API_KEY (compared in constant time).

    Without API_KEY the protected endpoints stay closed (an app embedded elsewhere, e.g. in Lambda, is never
    open by accident); `cost-agent serve` on loopback makes a one-session key and prints it.
    """
    if settings.api_key is None:
        raise ProblemError(401, "Unauthorized", "This server has no API_KEY configured; set API_KEY and restart.",
                           headers={"WWW-Authenticate": "Bearer"})
    expected = settings.api_key.get_secret_value().encode()
    offered = [v for v in (api_key, bearer.credentials if bearer else None) if v]
    # Compare every offered key so timing does not reveal which header was checked.
    ok = False
    for value in offered:
        ok |= hmac.compare_digest(value.encode(), expected)
    if not ok:
        raise ProblemError(401, "Unauthorized",
                           "Send the API key as 'X-API-Key: KEY' or 'Authorization: Bearer KEY'.",
                           headers={"WWW-Authenticate": "Bearer"})


AuthDep = Depends(require_api_key)
