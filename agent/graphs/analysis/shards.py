"""Many accounts: the collect step's fan-out of (account x region) shards with LangGraph's `Send`, and the gather.

With `AWS_ACCOUNTS` set, collect asks Cost Explorer once at the payer and names the shards; `route` sends one
`collect_shard` task per shard (LangGraph runs them side by side); each runs `tools.aws.shard.collect_shard`
through the configured executor (threads here, or a Celery worker) and leaves its result in the run cache under
its own key, returning only a summary; `gather` merges them with the payer's spend and the list prices into the
one collection the rules read. Without `AWS_ACCOUNTS` the graph goes collect -> utilize as before.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Send
from typing_extensions import TypedDict

from agent.graphs.analysis.run_data import COLLECTION, collection_summary
from agent.graphs.analysis.state import AnalysisState
from agent.graphs.analysis.steps import (
    billed_factory,
    failure,
    keep,
    ledger_update,
    settings_of,
    store,
    utilization_specs,
)
from agent.graphs.context import Context
from tools.aws.collect import collect_inventory, with_list_quotes
from tools.aws.live_prices import run_prices
from tools.aws.org import AccountDiscoveryError, discover_accounts, shared_sessions
from tools.aws.shard import Shard, ShardResult, merge_shards
from tools.executors import ExecutorUnavailable, get_executor
from tools.models import CollectionError, CollectionResult, PriceSheet
from tools.pricing.book import PriceBook
from tools.settings import Settings
from tools.storage.run_cache import get_run_cache

SHARDS = "shards"
"""Run-cache key of the planned shards (account, region), put by collect in organization mode."""


def shard_key(shard: Shard) -> str:
    return f"shard/{shard.account_id}/{shard.region}"


class ShardTask(TypedDict):
    """What `Send` hands one `collect_shard` task: the run, and the shard as JSON."""

    run_id: str
    shard: dict[str, Any]


class ShardPlan(CollectionResult):
    """The payer's part of an organization's run (its spend) and the shards to collect."""

    shards: list[Shard] = []


def plan(settings: Settings, run_id: str, refresh: bool, progress: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Organization mode's collect: the accounts (AWS_ACCOUNTS), the payer's spend grouped by linked account, and
    one shard per account and region. (state update, graph errors)"""
    factory, biller = billed_factory(settings, run_id)
    errors: list[dict[str, Any]] = []
    try:
        accounts = discover_accounts(shared_sessions(settings))
    except AccountDiscoveryError as exc:
        errors.append(failure("organizations/list_accounts", exc))
        accounts = []
    regions = factory.regions()
    # Cost Explorer only: list prices are asked once, in gather, for the resources the shards found.
    payer = collect_inventory(factory, settings, PriceBook.load(), regions=regions, refresh=refresh, progress=progress,
                              inventory=False)
    shards = [Shard(account_id=a.account_id, region=r, bucket_regions=list(regions) if i == 0 else [])
              for a in accounts for i, r in enumerate(regions)]
    keep(errors, settings, run_id, SHARDS, ShardPlan(**payer.model_dump(), shards=shards))
    keep(errors, settings, run_id, COLLECTION, payer)  # what utilize reads when no account could be listed
    store(errors, settings, "store_collection", payer, run_id)
    return {"run_id": run_id, "collected": collection_summary(payer),
            "planned_shards": [s.model_dump(mode="json") for s in shards], **ledger_update(factory, biller)}, errors


def route(state: AnalysisState) -> list[Send] | str:
    """After collect: one `collect_shard` per planned shard, or straight to utilize for a single account."""
    planned = state.get("planned_shards") or []
    if not planned:
        return "utilize"
    return [Send("collect_shard", ShardTask(run_id=state["run_id"], shard=s)) for s in planned]


def collect_shard(state: ShardTask, runtime: Runtime[Context]) -> dict[str, Any]:
    """One account in one region, on the configured executor; its result waits in the run cache for gather."""
    settings = settings_of(runtime)
    shard = Shard.model_validate(state["shard"])
    try:
        result = get_executor(settings).run([shard], state["run_id"], specs=utilization_specs())[0]
    except ExecutorUnavailable as exc:
        result = ShardResult(shard=shard, run_id=state["run_id"], collected_at=datetime.now(UTC),
                             errors=[CollectionError(scope=f"executor/{settings.executor}", error=str(exc))])
    get_run_cache(settings).put(state["run_id"], shard_key(shard), result)
    paid = sum(c.paid_usd for c in result.api_calls)
    return {"shards_done": [{"shard": shard.key, "resources": len(result.resources), "errors": len(result.errors),
                             "worker": result.worker, "seconds": result.seconds}],
            "aws_api_usd": paid, "api_calls": [c.model_dump(mode="json") for c in result.api_calls]}


def gather(state: AnalysisState, runtime: Runtime[Context]) -> dict[str, Any]:
    """The shards' inventories and utilization, the payer's spend and the run's list prices as one collection."""
    settings = settings_of(runtime)
    run_id = state["run_id"]
    cache = get_run_cache(settings)
    plan = cache.get(run_id, SHARDS, ShardPlan)
    results = [cache.get(run_id, shard_key(s), ShardResult) for s in plan.shards]
    merged = merge_shards(results, account_id=plan.account_id, regions=plan.regions)
    factory, biller = billed_factory(settings, run_id)
    prices = run_prices(factory, settings)
    sheet = with_list_quotes(plan.price_sheet or PriceSheet(), prices, merged.resources)
    notes = [n for n in prices.notes() if n not in plan.missing]
    gathered = plan.model_copy(update={
        "resources": merged.resources, "collected_at": merged.collected_at, "price_sheet": sheet,
        "missing": list(dict.fromkeys([*plan.missing, *merged.missing, *notes])),
        "errors": sorted([*plan.errors, *merged.errors], key=lambda e: e.scope),
        "api_calls": [*plan.api_calls, *merged.api_calls]})
    collection = CollectionResult.model_validate(gathered.model_dump(exclude={"shards"}))
    errors: list[dict[str, Any]] = []
    keep(errors, settings, run_id, COLLECTION, collection)
    store(errors, settings, "store_collection", collection, run_id)
    return {"collected": collection_summary(collection), "graph_errors": errors, **ledger_update(factory, biller)}

