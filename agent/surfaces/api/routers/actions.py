""""Do this first": the latest report's single actions, ranked, paged."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from agent.analysis.actions import CONFIDENCE, ranked_actions
from agent.analysis.report import with_savings
from agent.analysis.savings import of_account, savings_totals
from agent.surfaces.api.deps import AuthDep, StorageDep
from agent.surfaces.api.problems import ProblemError, responses
from tools.models import Action

router = APIRouter(prefix="/api/v1/aws", tags=["analysis"], dependencies=[AuthDep],
                   responses=responses(401, 422, 503))
MAX_PAGE = 500


class ActionQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(20, ge=1, le=MAX_PAGE, description="actions per page")
    offset: int = Field(0, ge=0, le=1_000_000, description="actions to skip")
    account_id: str | None = Field(None, pattern=r"^\d{12}$", description="only this account's actions")


class ActionsResponse(BaseModel):
    count: int = Field(description="actions in all pages")
    total_savings: float = Field(description="the report's savings total: the sum of every action's saving")
    actions: list[Action]
    confidence: str = Field(description="what the confidence figure means")


@router.get("/actions", response_model=ActionsResponse, responses=responses(404))
def actions(query: Annotated[ActionQuery, Query()], storage: StorageDep) -> ActionsResponse:
    """One action per resource (its counted finding), ranked by saving x confidence: what to do first."""
    report = storage.latest_report()
    if report is None:
        raise ProblemError(404, "Not Found", "No analysis yet: start one with POST /api/v1/aws/collect.")
    report = with_savings(report)
    opportunities = report.opportunities
    total = report.savings.total
    if query.account_id is not None:
        opportunities = of_account(opportunities, query.account_id)
        total = savings_totals(opportunities).total
    ranked = ranked_actions(opportunities)
    return ActionsResponse(count=len(ranked), total_savings=total,
                           actions=ranked[query.offset:query.offset + query.limit], confidence=CONFIDENCE)
