"""Whole-account collection: Cost Explorer plus every region x service concurrently, each one isolated.

A failing region or service is logged and recorded in `errors` (the result is then `partial`); the rest
complete. An operation the account or endpoint does not offer is recorded in `missing`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import UTC, date, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from tools.aws import ce_rates
from tools.aws.autoscaling import AutoScalingCollector
from tools.aws.ce_cache import Cache
from tools.aws.clients import ClientFactory
from tools.aws.cloudwatch import fetch_utilization
from tools.aws.cost_explorer import CostExplorerClient, CostExplorerUnavailable
from tools.aws.ec2 import EC2CostCollector
from tools.aws.lambda_costs import LambdaCostCollector
from tools.aws.metric_specs import METRIC_SPECS
from tools.aws.network import NetworkCostCollector
from tools.aws.rds import RDSCostCollector
from tools.aws.s3 import S3CostCollector
from tools.models import CollectionError, CollectionResult, MetricSpec, PriceSheet, Resource
from tools.pricing.book import PriceBook
from tools.pricing.needs import price_calls
from tools.settings import Settings

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
REGIONAL = ("ec2", "vpc", "rds", "lambda", "autoscaling")
EC2_COMPUTE = "Amazon Elastic Compute Cloud - Compute"


def error_of(scope: str, exc: BaseException) -> CollectionError:
    code = ""
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
    log.warning("collection of %s failed: %s: %s", scope, type(exc).__name__, exc)
    return CollectionError(scope=scope, error=f"{type(exc).__name__}: {exc}"[:500], code=code or type(exc).__name__)


def _costs(ce: CostExplorerClient, refresh: bool) -> tuple[dict[str, Any], list[str], list[CollectionError]]:
    """Every Cost Explorer part on its own: one failing leaves the others."""
    parts: dict[str, Any] = {}
    missing: list[str] = []
    errors: list[CollectionError] = []

    def services() -> list[str]:
        costs = parts.get("costs")
        return list(costs.by_service) if costs is not None else list(ce_rates.RI_SERVICES)

    steps: list[tuple[str, str, Callable[[], Any]]] = [
        ("costs", "get_cost_and_usage", lambda: ce.collect_summary(refresh=refresh)),
        ("billed_usage", "get_cost_and_usage", lambda: ce_rates.billed_usage(ce, refresh=refresh)),
        ("forecast", "get_cost_forecast", lambda: ce.get_cost_forecast(refresh=refresh)),
        ("reservations_by_service", "get_reservation_utilization",
         lambda: ce_rates.reservations_by_service(ce, services(), refresh=refresh)),
        ("savings_plans", "get_savings_plans_utilization", lambda: ce.get_savings_plans_utilization(refresh=refresh)),
        ("purchase_recommendations", "get_reservation_purchase_recommendation",
         lambda: ce_rates.purchase_recommendations(ce, services(), refresh=refresh)),
        ("aws_rightsizing", "get_right_sizing_recommendations",
         lambda: ce.get_right_sizing_recommendations(refresh=refresh)),
    ]
    for field, operation, fetch in steps:
        try:
            parts[field] = fetch()
        except CostExplorerUnavailable as exc:
            if not exc.recorded:
                missing.append(f"{field}: {exc.code}")
        except Exception as exc:  # isolation: one Cost Explorer part failing leaves the others
            errors.append(error_of(f"cost_explorer/{operation}", exc))
    missing += ce.missing
    by_service = parts.get("reservations_by_service") or {}
    if EC2_COMPUTE in by_service:
        parts["reservations"] = by_service[EC2_COMPUTE]
    billed = parts.pop("billed_usage", None)
    if billed is not None:
        parts["price_sheet"] = PriceSheet(period=ce.report_period(), billed=billed)
    return parts, missing, errors


def _regional_task(service: str, region: str, factory: ClientFactory, settings: Settings,
                   prices: PriceBook) -> Callable[[], list[Resource]]:
    collectors: dict[str, Any] = {"ec2": EC2CostCollector, "vpc": NetworkCostCollector, "rds": RDSCostCollector,
                                  "lambda": LambdaCostCollector, "autoscaling": AutoScalingCollector}
    collector = collectors[service](factory, prices, settings)
    return lambda: collector.collect(region)


def collect_inventory(factory: ClientFactory, settings: Settings, prices: PriceBook, *, regions: Sequence[str],
                      refresh: bool = False, progress: Progress | None = None, cache: Cache | None = None,
                      today: date | None = None, cost_explorer: bool = True,
                      inventory: bool = True, bucket_regions: Sequence[str] | None = None) -> CollectionResult:
    """Costs (Cost Explorer) and the inventory of every region, concurrently within COLLECTION_CONCURRENCY.

    `cost_explorer=False`: the inventory only (an organization's shards: Cost Explorer is asked once, at the payer);
    `inventory=False`: Cost Explorer only (the payer's part of an organization's run); `bucket_regions`: the regions
    whose S3 buckets to read (default `regions`; [] none: S3 lists every bucket of the account at once, so an
    organization's run reads them in one shard per account)."""
    regions = list(regions)
    errors: list[CollectionError] = []
    account_id = ""
    try:
        account_id = factory.account_id()
    except (ClientError, BotoCoreError) as exc:
        errors.append(error_of("sts/get_caller_identity", exc))
    s3 = S3CostCollector(factory, prices, settings)
    tasks: list[tuple[str, Callable[[], Any]]] = []
    if cost_explorer:
        ce = CostExplorerClient(factory, settings, cache, today=today)
        tasks.append(("cost_explorer", lambda: _costs(ce, refresh)))
    if inventory:
        tasks += [(f"{service}/{region}", _regional_task(service, region, factory, settings, prices))
                  for region in regions for service in REGIONAL]
        buckets = regions if bucket_regions is None else list(bucket_regions)
        if buckets:
            tasks.append(("s3/global", lambda: s3.collect_bucket_costs(buckets)))
    outcomes: dict[str, Any] = {}
    with ThreadPoolExecutor(max_workers=settings.collection_concurrency, thread_name_prefix="collect") as pool:
        futures = {pool.submit(fn): scope for scope, fn in tasks}
        for done, future in enumerate(as_completed(futures), start=1):
            scope = futures[future]
            try:
                outcomes[scope] = future.result()
            except Exception as exc:  # isolation: any failure of one scope must not lose the others
                errors.append(error_of(scope, exc))
            if progress:
                progress("inventory", done, len(tasks))
    parts, missing, ce_errors = outcomes.get("cost_explorer", ({}, [], []))
    resources = [r for scope, _ in tasks if scope != "cost_explorer" for r in outcomes.get(scope, [])]
    parts["price_sheet"] = with_list_quotes(parts.get("price_sheet") or PriceSheet(), prices, resources)
    return CollectionResult(
        account_id=account_id, collected_at=datetime.now(UTC), regions=regions, resources=resources,
        missing=missing, errors=sorted(errors + ce_errors + s3.errors, key=lambda e: e.scope),
        api_calls=factory.ledger.snapshot(), **parts,
    )


def with_list_quotes(sheet: PriceSheet, prices: PriceBook, resources: Sequence[Resource]) -> PriceSheet:
    """The sheet with every list price the rules may need, asked now (Pricing API when it answers, else the book),
    so the analysis prices from data and never calls out."""
    calls = price_calls(resources, PriceBook.load())
    prefetch = getattr(prices, "prefetch", None)
    if callable(prefetch):
        prefetch(calls)
    snapshot = getattr(prices, "snapshot", None)
    return sheet.model_copy(update={"list_quotes": snapshot() if callable(snapshot) else {}})


def collect_utilization(factory: ClientFactory, settings: Settings, result: CollectionResult, *,
                        progress: Progress | None = None, prices: PriceBook | None = None,
                        today: date | None = None,
                        specs: Mapping[str, Sequence[MetricSpec]] | None = None) -> CollectionResult:
    """Fill `utilization` with one batched GetMetricData routine per region (regions concurrently).

    `specs`: resource kind -> the metrics to fetch; the analysis passes what its rules read
    (`agent.analysis.rules.registry.metric_specs()`), the default is docs/rules.md's table (`METRIC_SPECS`)."""
    specs = METRIC_SPECS if specs is None else specs
    prices = prices or PriceBook.load()
    # Utilization and derived attributes are set on copies; the rest of each resource is shared, not duplicated.
    resources = [r.model_copy(update={"attributes": dict(r.attributes), "utilization": {}}) for r in result.resources]
    by_region: dict[str, list[Resource]] = defaultdict(list)
    for r in resources:
        if specs.get(r.kind):
            by_region[r.region].append(r)
    errors: list[CollectionError] = []
    with ThreadPoolExecutor(max_workers=settings.collection_concurrency, thread_name_prefix="metrics") as pool:
        futures = {
            pool.submit(fetch_utilization, factory, region, members, specs, settings.metrics_lookback_days,
                        settings.min_data_days, today=today, progress=progress): region
            for region, members in sorted(by_region.items())
        }
        for future in as_completed(futures):
            region = futures[future]
            try:
                measured = future.result()
            except Exception as exc:  # one region's CloudWatch failing leaves the others measured
                errors.append(error_of(f"cloudwatch/{region}", exc))
                continue
            for r in by_region[region]:
                r.utilization = measured.get(r.resource_id, {})
    _derive(resources, settings, prices, factory, failed={e.scope.split("/", 1)[1] for e in errors})
    return result.model_copy(update={
        "resources": resources, "errors": sorted(result.errors + errors, key=lambda e: e.scope),
        "api_calls": factory.ledger.snapshot(),
    })


def _derive(resources: list[Resource], settings: Settings, prices: PriceBook, factory: ClientFactory,
            failed: set[str]) -> None:
    """What needs measured data: running fraction (unknown where CloudWatch failed), Lambda and S3 costs."""
    lambdas = LambdaCostCollector(factory, prices, settings)
    buckets = S3CostCollector(factory, prices, settings)
    for r in resources:
        if r.kind == "ec2_instance" and r.region not in failed:
            cpu = r.utilization.get("cpu")
            days = cpu.days if cpu is not None else 0
            r.attributes["running_fraction"] = min(1.0, days / settings.metrics_lookback_days)
        elif r.kind == "lambda_function":
            lambdas.price_function(r)
        elif r.kind == "s3_bucket":
            buckets.price_bucket(r)
