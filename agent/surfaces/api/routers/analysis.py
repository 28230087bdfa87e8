"""The latest full report (DESIGN.md's report contract)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from agent.analysis.report import with_savings
from agent.surfaces.api.deps import AuthDep, StorageDep
from agent.surfaces.api.problems import ProblemError, responses

router = APIRouter(prefix="/api/v1/aws", tags=["analysis"], dependencies=[AuthDep], responses=responses(401, 503))


@router.get("/analysis", responses=responses(404))
def analysis(storage: StorageDep) -> dict[str, Any]:
    """The report of the latest collection: totals, opportunities with evidence, anomalies and the run's cost."""
    report = storage.latest_report()
    if report is None:
        raise ProblemError(404, "Not Found", "No analysis yet: start one with POST /api/v1/aws/collect.")
    return with_savings(report).model_dump(mode="json", by_alias=True)
