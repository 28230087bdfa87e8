"""Liveness and Prometheus metrics: the two endpoints that need no API key."""

from __future__ import annotations

from fastapi import APIRouter, Response

from agent import metrics
from agent.surfaces.api.deps import JobsDep, SettingsDep
from agent.surfaces.api.schemas import Health
from tools import __version__

router = APIRouter(tags=["operations"])


@router.get("/health", response_model=Health)
def health(jobs: JobsDep, settings: SettingsDep) -> Health:
    running = jobs.running()
    return Health(status="ok", version=__version__, running_job=running.job_id if running else None,
                  schedule=settings.aws_collection_schedule)


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {metrics.CONTENT_TYPE: {}}, "description": "Prometheus text exposition"}})
def prometheus() -> Response:
    return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)
