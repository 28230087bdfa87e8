"""Collection jobs: start one (`collect`, `refresh`) and read its status."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Response, status

from agent.surfaces.api.deps import AuthDep, JobsDep
from agent.surfaces.api.jobs import Job
from agent.surfaces.api.problems import ProblemError, responses
from agent.surfaces.api.schemas import CollectResponse

router = APIRouter(prefix="/api/v1/aws", tags=["collection"], dependencies=[AuthDep], responses=responses(401))


def _start(jobs: JobsDep, response: Response, refresh: bool) -> CollectResponse:
    job, started = jobs.start(trigger="refresh" if refresh else "api", refresh=refresh)
    if job.finished_at is not None:  # inline (AWS Lambda): the job ran to its end inside this request
        response.status_code = status.HTTP_200_OK
        return CollectResponse(status=job.status, job_id=job.job_id, started_at=job.started_at)
    response.status_code = status.HTTP_202_ACCEPTED if started else status.HTTP_200_OK
    return CollectResponse(status="started" if started else "running", job_id=job.job_id, started_at=job.started_at)


# The job a start returns is read with GET /jobs/{job_id}: an OpenAPI link, so clients and fuzzers can follow it.
_JOB_LINK = {"GetJob": {"operationId": "get_job", "parameters": {"job_id": "$response.body#/job_id"},
                        "description": "the job's status"}}
_START_DOC: dict[int | str, dict[str, Any]] = {
    200: {"model": CollectResponse, "description": "A collection is already running: that job", "links": _JOB_LINK},
    202: {"model": CollectResponse, "description": "A new collection job was started", "links": _JOB_LINK}}


@router.post("/collect", status_code=202, response_model=CollectResponse, responses=_START_DOC)
def collect(jobs: JobsDep, response: Response) -> CollectResponse:
    """Start collecting and analysing the account in the background (Cost Explorer answers may come from the
    one-hour cache). A second call while a job runs returns that job with status 'running'."""
    return _start(jobs, response, refresh=False)


@router.post("/refresh", status_code=202, response_model=CollectResponse, responses=_START_DOC)
def refresh(jobs: JobsDep, response: Response) -> CollectResponse:
    """Like collect, but bypasses the Cost Explorer cache: every answer is fetched from AWS (paid calls)."""
    return _start(jobs, response, refresh=True)


@router.get("/jobs/{job_id}", response_model=Job, responses=responses(404, 422), operation_id="get_job")
def get_job(jobs: JobsDep, job_id: str = Path(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")) -> Job:
    """A collection job's status: running, succeeded, partial (some region or service failed) or failed."""
    job = jobs.get(job_id)
    if job is None:
        raise ProblemError(404, "Not Found", f"no collection job {job_id!r} (jobs live in the server's memory)")
    return job
