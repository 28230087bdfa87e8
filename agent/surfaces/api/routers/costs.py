"""Spend read from storage, in the seed's Cost Explorer shape."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from agent.surfaces.api.deps import AuthDep, StorageDep
from agent.surfaces.api.problems import responses
from agent.surfaces.api.schemas import CostQuery, CostsResponse

router = APIRouter(prefix="/api/v1/aws", tags=["costs"], dependencies=[AuthDep], responses=responses(401, 422, 503))


@router.get("/costs", response_model=CostsResponse)
def costs(query: Annotated[CostQuery, Query()], storage: StorageDep) -> CostsResponse:
    """Total, by service, by region and by tag for the period (default: the 30 days ending yesterday)."""
    assert query.start_date is not None and query.end_date is not None
    summary = storage.cost_summary(query.start_date, query.end_date, query.service, query.region)
    return CostsResponse(
        time_period={"start": summary.time_period.start, "end": summary.time_period.end},
        total_cost=summary.total_cost, by_service=summary.by_service, by_region=summary.by_region,
        by_tag=summary.by_tag, currency=summary.currency,
    )
