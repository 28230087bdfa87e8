"""Cost Explorer: spend, forecast, RI and Savings Plans utilization, AWS's rightsizing; cached, validated first.

Every Cost Explorer request costs $0.01 (each page is a request), so requests AWS would reject are refused
here before any call, and answers are cached for an hour keyed by the normalized request.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from tools.aws.ce_cache import Cache, cache_key, make_cache
from tools.aws.ce_summary import (
    parse_forecast,
    parse_reservations,
    parse_rightsizing,
    parse_savings_plans,
    to_summary,
)
from tools.aws.clients import ClientFactory
from tools.aws.paginate import pages
from tools.models import USAGE_RECORD_TYPES, AwsRightsizing, CostSummary, Forecast, TimePeriod, Utilization
from tools.settings import Settings

log = logging.getLogger(__name__)

GRANULARITIES = ("DAILY", "MONTHLY", "HOURLY")
DIMENSIONS = ("SERVICE", "USAGE_TYPE", "INSTANCE_TYPE", "REGION", "LINKED_ACCOUNT", "RECORD_TYPE", "OPERATION",
              "PURCHASE_TYPE")
USAGE_FILTER: dict[str, Any] = {"Dimensions": {"Key": "RECORD_TYPE", "Values": list(USAGE_RECORD_TYPES)}}
SPEND_METRIC = "AmortizedCost"
DEFAULT_METRICS = ("UnblendedCost", "AmortizedCost")
MAX_MONTHS_BACK = 13
MAX_HOURLY_DAYS = 14
HISTORY_DAYS = 28
ACCOUNT_GROUPS = ("LINKED_ACCOUNT", "SERVICE")
FORECAST_DAYS = 30
# Error codes meaning "this account or endpoint does not offer it" -> missing data, not a failure.
UNSUPPORTED_CODES = {
    "NotImplemented", "NotImplementedException", "DataUnavailableException", "UnsupportedOperation",
    "UnknownOperationException", "InvalidAction", "404", "500", "501",
}

__all__ = ["CostExplorerClient", "CostExplorerRequestError", "CostExplorerUnavailable", "to_summary"]


class CostExplorerRequestError(ValueError):
    """A request Cost Explorer would reject; raised before any (paid) call."""


class CostExplorerUnavailable(RuntimeError):
    """The account or endpoint does not offer this operation (missing data, not a crash)."""

    def __init__(self, operation: str, code: str, recorded: bool = False) -> None:
        super().__init__(f"{operation}: {code}")
        self.operation = operation
        self.code = code
        self.recorded = recorded
        """True when the parts are already listed in `CostExplorerClient.missing`."""


def months_back(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (clamped to that month's length)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def group_definition(group: str) -> dict[str, str]:
    """'SERVICE' -> a dimension; 'TAG:env' (or any other name) -> a tag key."""
    if group.startswith("TAG:"):
        return {"Type": "TAG", "Key": group[4:]}
    if group in DIMENSIONS:
        return {"Type": "DIMENSION", "Key": group}
    return {"Type": "TAG", "Key": group}


class CostExplorerClient:
    """Thin, validated, cached access to Cost Explorer; every call through the factory's counted client."""

    def __init__(self, factory: ClientFactory, settings: Settings, cache: Cache | None = None, *,
                 today: date | None = None) -> None:
        self.factory = factory
        self.settings = settings
        self.cache = cache if cache is not None else make_cache(settings)
        self._scope: str | None = None
        self.today = today or datetime.now(UTC).date()
        self.missing: list[str] = []
        """Optional parts an operation could not get ('savings_plans_coverage: DataUnavailableException')."""

    # ------------------------------------------------------------------ periods and validation
    def report_period(self) -> TimePeriod:
        """The lookback days ending yesterday (docs/architecture.md's clock)."""
        return TimePeriod(start=self.today - timedelta(days=self.settings.aws_cost_lookback_days),
                          end=self.today - timedelta(days=1))

    def validate(self, start: date, end: date, granularity: str = "DAILY", group_by: Sequence[str] = ()) -> None:
        """Refuse what AWS would refuse, before spending a cent. `end` is inclusive."""
        if granularity not in GRANULARITIES:
            raise CostExplorerRequestError(
                f"granularity must be one of {', '.join(GRANULARITIES)}, got {granularity!r}")
        if start > end:
            raise CostExplorerRequestError(f"start {start} is after end {end}")
        earliest = months_back(self.today, MAX_MONTHS_BACK)
        if start < earliest:
            raise CostExplorerRequestError(
                f"start {start} is more than {MAX_MONTHS_BACK} months back (earliest {earliest})")
        if granularity == "HOURLY" and (end - start).days + 1 > MAX_HOURLY_DAYS:
            raise CostExplorerRequestError(f"HOURLY granularity covers at most {MAX_HOURLY_DAYS} days, "
                                           f"asked {(end - start).days + 1}")
        if len(group_by) > 2:
            raise CostExplorerRequestError(f"at most 2 group-by keys, got {len(group_by)}")

    # ------------------------------------------------------------------ calls
    def _pages(self, operation: str, params: dict[str, Any], refresh: bool, paginated: bool = True) -> list[dict]:
        """Every page of one request, from the cache unless `refresh` (which rewrites the entry)."""
        key = cache_key(operation, params, self._cache_scope())
        cached = None if refresh else self.cache.get(key)
        if isinstance(cached, dict) and "unavailable" in cached:
            raise CostExplorerUnavailable(operation, cached["unavailable"])
        if isinstance(cached, list):
            return cached
        try:
            return self._fetch(key, operation, params, paginated)
        except CostExplorerUnavailable as exc:
            self.cache.set(key, {"unavailable": exc.code})  # asking again within the hour would not change it
            raise

    pages = _pages
    """Every page of one request, cached (for modules adding Cost Explorer requests, e.g. tools.aws.ce_rates)."""

    def _cache_scope(self) -> str:
        """Answers belong to one account seen through one endpoint: never serve one account's spend to another."""
        if self._scope is None:
            try:
                account = self.factory.account_id()
            except (ClientError, BotoCoreError):
                account = "unknown-account"
            self._scope = f"{account}@{self.factory.client('ce').meta.endpoint_url}"
        return self._scope

    def _fetch(self, key: str, operation: str, params: dict[str, Any], paginated: bool) -> list[dict]:
        client = self.factory.client("ce")
        try:
            if paginated:
                answer = [_strip(page) for page in pages(client, operation, **params)]
            else:
                answer = [_strip(getattr(client, operation)(**params))]
        except NotImplementedError as exc:
            raise CostExplorerUnavailable(operation, "NotImplemented") from exc
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in UNSUPPORTED_CODES:
                raise CostExplorerUnavailable(operation, code) from exc
            raise
        self.cache.set(key, answer)
        return answer

    def cost_and_usage_pages(self, start: date | None = None, end: date | None = None, *,
                             granularity: str = "DAILY", group_by: Sequence[str] = ("SERVICE",),
                             metrics: Sequence[str] = DEFAULT_METRICS, refresh: bool = False,
                             filter_: dict[str, Any] | None = None) -> list[dict]:
        """Every page of one GetCostAndUsage request; `end` inclusive (sent as Cost Explorer's exclusive end + 1)."""
        period = self.report_period()
        start, end = start or period.start, end or period.end
        self.validate(start, end, granularity, group_by)
        params: dict[str, Any] = {
            "TimePeriod": {"Start": start.isoformat(), "End": (end + timedelta(days=1)).isoformat()},
            "Granularity": granularity, "Metrics": list(metrics),
        }
        if group_by:
            params["GroupBy"] = [group_definition(g) for g in group_by]
        if filter_:
            params["Filter"] = filter_
        return self._pages("get_cost_and_usage", params, refresh)

    def get_cost_and_usage(self, start: date | None = None, end: date | None = None, *,
                           granularity: str = "DAILY", group_by: Sequence[str] = ("SERVICE",),
                           metrics: Sequence[str] = DEFAULT_METRICS, refresh: bool = False,
                           filter_: dict[str, Any] | None = None) -> list[dict]:
        """ResultsByTime of every page; `end` inclusive (sent as Cost Explorer's exclusive end + 1 day)."""
        pages_ = self.cost_and_usage_pages(start, end, granularity=granularity, group_by=group_by, metrics=metrics,
                                           refresh=refresh, filter_=filter_)
        return [r for page in pages_ for r in page.get("ResultsByTime", [])]

    def get_cost_forecast(self, days: int = FORECAST_DAYS, refresh: bool = False) -> Forecast:
        start, end = self.today, self.today + timedelta(days=days)
        params = {"TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
                  "Metric": "UNBLENDED_COST", "Granularity": "MONTHLY", "PredictionIntervalLevel": 80}
        page = self._pages("get_cost_forecast", params, refresh, paginated=False)[0]
        return parse_forecast(page, TimePeriod(start=start, end=end - timedelta(days=1)))

    def _period_params(self) -> dict[str, Any]:
        period = self.report_period()
        return {"TimePeriod": {"Start": period.start.isoformat(),
                               "End": (period.end + timedelta(days=1)).isoformat()}}

    def _optional(self, name: str, fetch: Callable[[], list[dict]]) -> list[dict] | None:
        try:
            return fetch()
        except CostExplorerUnavailable as exc:
            self.missing.append(f"{name}: {exc.code}")
            return None

    optional = _optional
    """Run a fetch whose 'not offered here' answer is a `missing` line, not a failure."""

    def get_savings_plans_utilization(self, refresh: bool = False) -> Utilization:
        """Utilization and coverage over the report period; raises CostExplorerUnavailable when neither exists."""
        params = self._period_params()
        util = self._optional("savings_plans_utilization", lambda: self._pages(
            "get_savings_plans_utilization", params, refresh, paginated=False))
        cover = self._optional("savings_plans_coverage", lambda: self._pages(
            "get_savings_plans_coverage", params, refresh))
        if util is None and cover is None:
            raise CostExplorerUnavailable("get_savings_plans_utilization", "no utilization or coverage data", True)
        return parse_savings_plans(util, cover)

    def get_reservation_utilization(self, refresh: bool = False, service: str | None = None) -> Utilization:
        """RI utilization and coverage; Cost Explorer answers for EC2 alone unless a SERVICE filter names another."""
        params = self._period_params()
        label = "reservation"
        if service:
            params["Filter"] = {"Dimensions": {"Key": "SERVICE", "Values": [service]}}
            label = f"reservation[{service}]"
        util = self._optional(f"{label}_utilization", lambda: self._pages(
            "get_reservation_utilization", params, refresh))
        cover = self._optional(f"{label}_coverage", lambda: self._pages(
            "get_reservation_coverage", params, refresh))
        if util is None and cover is None:
            raise CostExplorerUnavailable("get_reservation_utilization", "no utilization or coverage data", True)
        return parse_reservations(util, cover)

    def get_right_sizing_recommendations(self, refresh: bool = False) -> list[AwsRightsizing]:
        params = {"Service": "AmazonEC2",
                  "Configuration": {"RecommendationTarget": "SAME_INSTANCE_FAMILY", "BenefitsConsidered": True}}
        return parse_rightsizing(self._pages("get_rightsizing_recommendation", params, refresh))

    # ------------------------------------------------------------------ the collection's spend
    def collect_summary(self, tags: Iterable[str] | None = None, refresh: bool = False) -> CostSummary:
        """The report period's usage spend plus 28 days of daily history, by service x region and x usage type
        (and x linked account when several accounts are read); credits, refunds, tax and fees apart
        (docs/money.md)."""
        period = self.report_period()
        history_start = period.start - timedelta(days=HISTORY_DAYS)
        daily = self.get_cost_and_usage(history_start, period.end, group_by=("SERVICE", "REGION"), refresh=refresh,
                                        filter_=USAGE_FILTER)
        usage = self.get_cost_and_usage(history_start, period.end, group_by=("SERVICE", "USAGE_TYPE"),
                                        refresh=refresh, filter_=USAGE_FILTER)
        by_account = None
        if self.settings.aws_accounts:  # once, here at the payer, for every linked account (docs/money.md)
            # Over the report period only: by_account needs the month, not the anomaly history (pages grow with
            # accounts x services x days).
            by_account = self._optional("costs_by_account", lambda: self.cost_and_usage_pages(
                period.start, period.end, group_by=ACCOUNT_GROUPS, refresh=refresh, filter_=USAGE_FILTER))
        tags = list(self.settings.cost_allocation_tags if tags is None else tags)
        by_tag = {tag: self.get_cost_and_usage(period.start, period.end, granularity="MONTHLY",
                                               group_by=(f"TAG:{tag}",), refresh=refresh, filter_=USAGE_FILTER)
                  for tag in tags}
        adjustments = self._optional("adjustments", lambda: self.get_cost_and_usage(
            period.start, period.end, granularity="MONTHLY", group_by=("RECORD_TYPE",), metrics=("UnblendedCost",),
            refresh=refresh))
        return to_summary(period, daily, usage, by_tag, adjustments or [], account_pages=by_account or [])


def _strip(page: dict) -> dict:
    return {k: v for k, v in page.items() if k != "ResponseMetadata"}
