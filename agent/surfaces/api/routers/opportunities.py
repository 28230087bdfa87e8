"""Optimization opportunities from storage, filtered."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from agent.analysis.savings import of_account, savings_totals
from agent.surfaces.api.deps import AuthDep, StorageDep
from agent.surfaces.api.problems import responses
from agent.surfaces.api.schemas import OpportunitiesResponse, OpportunityQuery

router = APIRouter(prefix="/api/v1/aws", tags=["opportunities"], dependencies=[AuthDep],
                   responses=responses(401, 422, 503))


@router.get("/opportunities", response_model=OpportunitiesResponse)
def opportunities(query: Annotated[OpportunityQuery, Query()], storage: StorageDep) -> OpportunitiesResponse:
    """The latest collection's opportunities with at least `min_savings` USD a month, in the report's order.

    `total_savings` counts each resource once (the report's `savings.total` when nothing is filtered out);
    `found_savings` is the plain sum of the listed findings; `merged` says what the difference is."""
    found = storage.query_opportunities(query.min_savings, query.service, query.priority)
    if query.account_id is not None:
        found = of_account(found, query.account_id)
    totals = savings_totals(found)
    counted = {(c.type, c.service): c.counted for c in totals.by_opportunity}
    listed = [{**o.model_dump(mode="json", by_alias=True), "counted_savings": counted[(o.type, o.service)]}
              for o in found]
    return OpportunitiesResponse(count=len(found), total_savings=totals.total, waste=totals.waste,
                                 pricing_levers=totals.pricing_levers, found_savings=totals.found,
                                 merged=totals.merged, rule=totals.rule, opportunities=listed)
