"""Spend read from storage, in the seed's Cost Explorer shape, saying what it rests on."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from agent.surfaces.api.deps import AuthDep, SettingsDep, StorageDep
from agent.surfaces.api.problems import responses
from agent.surfaces.api.schemas import CostQuery, CostsResponse, Period

router = APIRouter(prefix="/api/v1/aws", tags=["costs"], dependencies=[AuthDep], responses=responses(401, 422, 503))


@router.get("/costs", response_model=CostsResponse)
def costs(query: Annotated[CostQuery, Query()], storage: StorageDep, settings: SettingsDep) -> CostsResponse:
    """Total, by service, by region and by tag for the period (default: the 30 days ending yesterday).

    `has_data` is false while nothing is collected for the period (then `total_cost` 0 is no spend figure);
    `by_account` is the spend per linked account that collections of several accounts stored; `account_id` restricts
    the figures to one account; `by_tag` is Cost Explorer's spend by tag value ('' untagged) for each `tag_key`
    (default COST_ALLOCATION_TAGS) over `by_tag_period`; `notes` say what else a reader must know."""
    assert query.start_date is not None and query.end_date is not None
    start, end = query.start_date, query.end_date
    summary = storage.cost_summary(start, end, query.service, query.region, account_id=query.account_id)
    coverage = storage.cost_coverage(start, end)
    notes = _coverage_notes(start, end, coverage)
    by_account = _by_account(storage, start, end, query, notes)
    keys = list(dict.fromkeys(query.tag_key or settings.cost_allocation_tags))
    by_tag, tag_period = _by_tag(storage, start, end, keys,
                                 filtered=bool(query.service or query.region or query.account_id),
                                 has_data=coverage is not None, notes=notes)
    return CostsResponse(
        time_period={"start": summary.time_period.start, "end": summary.time_period.end},
        total_cost=summary.total_cost, by_service=summary.by_service, by_region=summary.by_region,
        by_account=by_account, by_tag=by_tag, currency=summary.currency, has_data=coverage is not None,
        data_period=Period(start=coverage.start, end=coverage.end) if coverage else None,
        by_tag_period=tag_period, notes=notes,
    )


def _coverage_notes(start: date, end: date, coverage: Any) -> list[str]:
    if coverage is None:
        return [f"No cost data is stored for {start}..{end} yet: run a collection "
                "(POST /api/v1/aws/collect or cost-agent run)."]
    if (coverage.start, coverage.end) != (start, end):
        return [f"Costs are stored for {coverage.start}..{coverage.end} only; the rest of {start}..{end} has no "
                "collected data."]
    return []


def _by_account(storage: Any, start: date, end: date, query: CostQuery, notes: list[str]) -> dict[str, float]:
    """Spend per linked account, and what `account_id` restricted; storage refuses account_id with region when the
    accounts' rows exist (they are by service only)."""
    if not storage.has_account_costs(start, end):
        if query.account_id:
            notes.append(f"No spend by linked account is stored for {start}..{end} (only collections of several "
                         f"accounts store it): the figures are what collections made by account {query.account_id} "
                         "stored.")
        return {}
    if query.region:
        notes.append("by_account is by service only: ask without region to see it.")
        return {}
    if query.account_id:
        notes.append(f"total_cost and by_service are account {query.account_id}'s spend by service from Cost "
                     "Explorer's rows by linked account; they have no region, so by_region is empty.")
    return storage.cost_by_account(start, end, query.service, query.account_id)


def _by_tag(storage: Any, start: date, end: date, keys: list[str], *, filtered: bool, has_data: bool,
            notes: list[str]) -> tuple[dict[str, dict[str, float]], Period | None]:
    """Cost Explorer's spend by tag as the collections stored it (the whole bill's, per collection period)."""
    if filtered:
        notes.append("by_tag is the whole bill's: ask without service, region and account_id to see it.")
        return {}, None
    stored = storage.tag_costs(start, end, keys)
    if stored is None:
        if has_data:
            notes.append(f"No spend by tag is stored for a period overlapping {start}..{end}: each collection "
                         "stores it for the COST_ALLOCATION_TAGS keys over its report period.")
        return {key: {} for key in keys}, None
    period, found = stored
    if (period.start, period.end) != (start, end):
        notes.append(f"by_tag covers {period.start}..{period.end}, the report period of the latest collection "
                     "that overlaps the period asked.")
    for key in keys:
        if key not in found:
            notes.append(f"Tag key {key!r} was not collected: add it to COST_ALLOCATION_TAGS and collect again.")
    return {key: found.get(key, {}) for key in keys}, Period(start=period.start, end=period.end)
