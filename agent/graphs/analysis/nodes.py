"""The analysis graph's nodes: collect -> utilize -> analyze -> prioritize -> summarize.

Each node reads its run settings from `runtime.context` and its run's data from the run cache (by `run_id`: the
collection once validated, never re-parsed from the state), does one job, writes its results to ClickHouse,
puts what the next node needs back in the run cache, and returns small summaries for the state. A failing
storage or run-cache write, or analysis step, is recorded in `graph_errors` (and so in the report, which becomes
partial); it never stops the run silently.
"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal
from typing import Any

from langgraph.runtime import Runtime

from agent.analysis import AWSCostAnalyzer
from agent.analysis.prices import analysis_prices
from agent.analysis.report import build_report
from agent.analysis.savings import with_counted_flags
from agent.graphs.analysis import shards
from agent.graphs.analysis.run_data import (
    ANALYSIS,
    COLLECTION,
    REPORT,
    Analyzed,
    analysis_summary,
    collection_summary,
)
from agent.graphs.analysis.state import AnalysisState
from agent.graphs.analysis.steps import (
    billed_factory,
    emit,
    failure,
    keep,
    ledger_update,
    settings_of,
    store,
    utilization_specs,
)
from agent.graphs.context import Context
from agent.graphs.run_bill import RunBill
from agent.llm.narration import write_summary
from tools.aws.collect import collect_inventory, collect_utilization
from tools.aws.live_prices import run_prices
from tools.models import ApiCallCount, CollectionError, CollectionResult, Report
from tools.pricing.book import PriceBook
from tools.storage.run_cache import get_run_cache

log = logging.getLogger(__name__)


def collect(state: AnalysisState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Spend from Cost Explorer, the inventory of every region and its list prices; stored as collected."""
    settings = settings_of(runtime)
    context = runtime.context or Context()
    run_id = state.get("run_id") or uuid.uuid4().hex
    if settings.aws_accounts:
        update, planned_errors = shards.plan(settings, run_id, context.refresh, emit("collect"))
        return {**update, "graph_errors": planned_errors}
    factory, biller = billed_factory(settings, run_id)
    errors: list[dict[str, Any]] = []
    prices = run_prices(factory, settings)
    collection = collect_inventory(factory, settings, prices, regions=factory.regions(),
                                   refresh=context.refresh, progress=emit("collect"))
    notes = [n for n in prices.notes() if n not in collection.missing]
    collection = collection.model_copy(update={"missing": [*collection.missing, *notes]})
    keep(errors, settings, run_id, COLLECTION, collection)
    store(errors, settings, "store_collection", collection, run_id)
    return {"run_id": run_id, "collected": collection_summary(collection), "graph_errors": errors,
            **ledger_update(factory, biller)}


def utilize(state: AnalysisState, runtime: Runtime[Context]) -> dict[str, Any]:
    """CloudWatch utilization of every resource (batched GetMetricData); stored as collected."""
    settings = settings_of(runtime)
    run_id = state["run_id"]
    collection = get_run_cache(settings).get(run_id, COLLECTION, CollectionResult)
    factory, biller = billed_factory(settings, run_id)
    errors: list[dict[str, Any]] = []
    try:
        collection = collect_utilization(factory, settings, collection, progress=emit("utilize"),
                                         specs=utilization_specs())
    except Exception as exc:  # the inventory and spend stay valid; the report says utilization failed
        errors.append(failure("cloudwatch/utilization", exc))
    keep(errors, settings, run_id, COLLECTION, collection)  # replaces the unmeasured one, which can go
    store(errors, settings, "store_collection", collection, run_id)
    return {"collected": collection_summary(collection), "graph_errors": errors, **ledger_update(factory, biller)}


def analyze(state: AnalysisState, runtime: Runtime[Context]) -> dict[str, Any]:
    """The rules (docs/rules.md) and the anomaly detector, over the collection; anomalies stored."""
    settings = settings_of(runtime)
    run_id = state["run_id"]
    collection = get_run_cache(settings).get(run_id, COLLECTION, CollectionResult)
    # Prices are data gathered by the collect node (billed usage, list quotes): the rules do no I/O.
    analyzer = AWSCostAnalyzer(settings, analysis_prices(collection))
    errors: list[dict[str, Any]] = []
    result = analyzer.analyze_all_services(collection)
    anomalies = []
    if collection.costs is not None:
        try:
            anomalies = analyzer.detect_anomalies(collection.costs)
        except Exception as exc:
            errors.append(failure("analysis/anomalies", exc))
    analyzed = Analyzed(result=result, anomalies=anomalies)
    keep(errors, settings, run_id, ANALYSIS, analyzed)
    store(errors, settings, "store_anomalies", anomalies, run_id, generated_at=collection.collected_at)
    return {"analyzed": analysis_summary(analyzed), "graph_errors": errors}


def _merge_calls(calls: list[dict[str, Any]]) -> list[ApiCallCount]:
    totals: dict[tuple[str, str, str, str], list[Decimal]] = {}
    for raw in calls:
        c = ApiCallCount.model_validate(raw)
        entry = totals.setdefault((c.service, c.operation, c.region, c.outcome), [Decimal(0), Decimal(0)])
        entry[0] += c.calls
        entry[1] += Decimal(str(c.paid_usd))
    return [ApiCallCount(service=s, operation=o, region=r, outcome=out, calls=int(n), paid_usd=float(p))
            for (s, o, r, out), (n, p) in sorted(totals.items())]


def prioritize(state: AnalysisState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Rank the opportunities against the month's spend, store them, and build the report (totals reconcile
    to the cent) for the summary."""
    settings = settings_of(runtime)
    run_id = state["run_id"]
    cache = get_run_cache(settings)
    collection = cache.get(run_id, COLLECTION, CollectionResult)
    analyzed = cache.get(run_id, ANALYSIS, Analyzed)
    total = collection.costs.total_cost if collection.costs else 0.0
    ranked = with_counted_flags(AWSCostAnalyzer(settings, PriceBook.load()).prioritize_opportunities(
        analyzed.result.opportunities, total))
    analysis = analyzed.result.model_copy(update={"opportunities": ranked})  # the cached result stays as put
    errors: list[dict[str, Any]] = []
    store(errors, settings, "store_optimization_opportunities", ranked, run_id=run_id,
           generated_at=collection.collected_at)
    graph_errors = [CollectionError.model_validate(e) for e in [*state.get("graph_errors", []), *errors]]
    collection = collection.model_copy(update={
        "errors": list(collection.errors) + graph_errors,
        "api_calls": _merge_calls(state.get("api_calls", [])) or collection.api_calls,
    })
    report = build_report(collection, analysis, analyzed.anomalies, settings)
    keep(errors, settings, run_id, REPORT, report)
    return {"graph_errors": errors}


def _with_errors(report: Report, errors: list[dict[str, Any]]) -> Report:
    """The report with these failures added (and so partial)."""
    if not errors:
        return report
    return report.model_copy(update={"errors": report.errors + [CollectionError.model_validate(e) for e in errors],
                                     "partial": True})


def summarize(state: AnalysisState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Bedrock's executive summary (or the labelled deterministic one), the run's bill, and the stored report;
    the run's data leaves the run cache."""
    settings = settings_of(runtime)
    run_id = state["run_id"]
    report = get_run_cache(settings).get(run_id, REPORT, Report)
    # Failures recorded after the report was built (prioritize keeping it in the run cache) join it here.
    report = _with_errors(report, [e for e in state.get("graph_errors", [])
                                   if CollectionError.model_validate(e) not in report.errors])
    bill = RunBill(settings, session_id=run_id)
    text, source = write_summary(report, settings, callbacks=bill.callbacks("summary"))
    run_cost = bill.run_cost(aws_api_usd=Decimal(str(state.get("aws_api_usd", 0.0))))
    errors: list[dict[str, Any]] = []
    store(errors, settings, "store_agent_costs",
           bill.records(run_cost, run_id=run_id, trigger=state.get("trigger", "")))
    report = report.model_copy(update={"executive_summary": text, "summary_source": source, "run_cost": run_cost})
    report = _with_errors(report, errors)
    late: list[dict[str, Any]] = []  # a report that could not be stored cannot say so itself: the output does
    store(late, settings, "store_report", report, run_id)
    get_run_cache(settings).drop(run_id)
    return {"report": report.model_dump(mode="json"),
            "errors": [e.model_dump(mode="json") for e in report.errors] + late, "graph_errors": errors + late}
