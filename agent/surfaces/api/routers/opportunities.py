"""Optimization opportunities from storage, filtered."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from agent.surfaces.api.deps import AuthDep, StorageDep
from agent.surfaces.api.problems import responses
from agent.surfaces.api.schemas import OpportunitiesResponse, OpportunityQuery
from tools.models import cents

router = APIRouter(prefix="/api/v1/aws", tags=["opportunities"], dependencies=[AuthDep],
                   responses=responses(401, 422, 503))


def _plain(item: Any) -> dict[str, Any]:
    if isinstance(item, BaseModel):
        return item.model_dump(mode="json", by_alias=True)
    return dict(item)


@router.get("/opportunities", response_model=OpportunitiesResponse)
def opportunities(query: Annotated[OpportunityQuery, Query()], storage: StorageDep) -> OpportunitiesResponse:
    """The latest collection's opportunities with at least `min_savings` USD a month, largest first."""
    found = [_plain(o) for o in storage.query_opportunities(query.min_savings, query.service, query.priority)]
    total = sum(float(o.get("estimated_savings", 0) or 0) for o in found)
    return OpportunitiesResponse(count=len(found), total_savings=cents(total), opportunities=found)
