"""Columnar, idempotent writes. Each row's sorting key is its identity and `version` its collection
time, so writing a period again replaces its rows (the newer version wins on read)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any

from tools.models import Anomaly, CollectionResult, CostRow, Opportunity, Report, Resource
from tools.pricing.book import HOURS_PER_MONTH
from tools.storage import validation as check
from tools.storage.errors import StorageQueryError
from tools.storage.reads import TAG_COSTS_KIND

BREAKDOWNS = ("region", "usage_type", "account")
"""How `cost_metrics` rows are grouped; one breakdown's rows add up to the whole usage spend."""
BATCH_RESOURCES = 2000
"""Resources per insert: large enough for ClickHouse to like the batch, small enough to keep memory flat."""


def batched(items: Iterable[Resource], size: int) -> Iterable[list[Resource]]:
    """Lists of at most `size` items (itertools.batched arrives with Python 3.12)."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def columns_of(rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """Row dicts (all with the same keys) to column lists."""
    names = list(rows[0])
    return {name: [row[name] for row in rows] for name in names}


def daily_cost(resource: Resource) -> Decimal:
    """A resource's price-book cost for one day: monthly (730 h) / 730 x 24."""
    return check.money(Decimal(str(resource.monthly_cost)) / HOURS_PER_MONTH * 24)


def owner(resource: Resource, default: str) -> str:
    """The account a resource lives in: its own (a shard of several accounts sets it), else the collection's."""
    return str(resource.attributes.get("account_id") or default)


class StorageWrites:
    """Mixin: every `store_*` method. Needs `self._insert(table, rows)`."""

    def _insert(self, table: str, rows: list[dict[str, Any]]) -> int:  # pragma: no cover - provided by the class
        raise NotImplementedError

    def _command(self, sql: str, params: dict[str, Any]) -> None:  # pragma: no cover - provided by the class
        raise NotImplementedError

    def refresh_resource_rollup(self, first: date, last: date) -> None:
        """Recompute the monthly per-resource totals of every month touching first..last."""
        begin = check.midnight(first.replace(day=1))
        after = check.midnight(check.next_month(last))
        self._command(
            "INSERT INTO resource_costs_monthly SELECT toStartOfMonth(timestamp) AS month, resource_id, any(service), "
            "any(region), sum(cost), count(), now64(3, 'UTC') FROM resource_costs FINAL "
            "WHERE timestamp >= {begin:DateTime('UTC')} AND timestamp < {after:DateTime('UTC')} "
            "GROUP BY month, resource_id", {"begin": begin, "after": after})

    def store_cost_metrics(self, rows: Iterable[CostRow], *, run_id: str, granularity: str = "day",
                           account_id: str = "", version: datetime | None = None,
                           breakdown: str | None = None) -> int:
        """Daily (or monthly) cost rows. `breakdown` is 'region' (by service and region), 'usage_type'
        (by service and usage type, region '') or 'account' (by linked account and service, region '', each row's
        own account_id); by default a row without region but with a usage type is 'usage_type'. Returns the number
        of rows written."""
        check.choice(granularity, ("day", "month"), "granularity")
        check.choice(breakdown, BREAKDOWNS, "breakdown")
        stamp = check.to_utc(version or datetime.now(UTC))
        out = []
        for row in rows:
            kind = breakdown or ("usage_type" if not row.region and row.usage_type else "region")
            out.append({
                "timestamp": check.midnight(row.day), "granularity": granularity, "breakdown": kind,
                "account_id": row.account_id or account_id, "service": row.service, "region": row.region,
                "usage_type": row.usage_type, "cost": check.money(row.cost),
                "amortized_cost": None if row.amortized_cost is None else check.money(row.amortized_cost),
                "currency": "USD", "run_id": run_id, "version": stamp,
            })
        return self._insert("cost_metrics", out)

    def store_instance_metrics(self, resources: Iterable[Resource], *, collected_at: datetime,
                               run_id: str = "", account_id: str = "") -> int:
        """Per-resource daily utilization series, the price-book monthly cost as metric 'monthly_cost',
        and the resource's cost for the collection day (for top resources). Returns metric rows written.
        Written in batches of resources, so memory stays flat however large the fleet."""
        stamp = check.to_utc(collected_at)
        today = check.midnight(stamp.date())
        written = 0
        costs = 0
        for batch in batched(resources, BATCH_RESOURCES):
            metrics, cost = self._metric_rows(batch, stamp, today, run_id, account_id)
            costs += self._insert("resource_costs", cost)
            written += self._insert("resource_metrics", metrics)
        if costs:
            self.refresh_resource_rollup(today.date(), today.date())
        return written

    def _metric_rows(self, resources: Iterable[Resource], stamp: datetime, today: datetime, run_id: str,
                     account_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        metric_rows: list[dict[str, Any]] = []
        cost_rows: list[dict[str, Any]] = []
        for res in resources:
            base = {"resource_id": res.resource_id, "kind": res.kind, "service": res.service,
                    "region": res.region, "run_id": run_id, "version": stamp}
            for key, summary in sorted(res.utilization.items()):
                for day, value in sorted(summary.daily.items()):
                    metric_rows.append({"timestamp": check.midnight(day), "metric": key,
                                        "statistic": summary.statistic, "value": float(value), **base})
            metric_rows.append({"timestamp": today, "metric": "monthly_cost", "statistic": "price_book",
                                "value": float(res.monthly_cost), **base})
            cost_rows.append({"timestamp": today, "resource_id": res.resource_id, "account_id": owner(res, account_id),
                              "service": res.service, "region": res.region, "cost": daily_cost(res),
                              "run_id": run_id, "version": stamp})
        return metric_rows, cost_rows

    def store_inventory(self, resources: Iterable[Resource], *, collected_at: datetime,
                        run_id: str = "", account_id: str = "") -> int:
        """The inventory snapshot of the collection day (one row per resource and day). The payload leaves out
        the daily series: they are rows of resource_metrics already."""
        stamp = check.to_utc(collected_at)
        written = 0
        for batch in batched(resources, BATCH_RESOURCES):
            written += self._insert("resources", [{
                "snapshot_date": stamp.date(), "collected_at": stamp, "resource_id": res.resource_id,
                "account_id": owner(res, account_id), "kind": res.kind, "service": res.service, "region": res.region,
                "resource_type": res.resource_type, "state": res.state, "name": res.name, "tags": dict(res.tags),
                "monthly_cost": check.money(res.monthly_cost),
                "payload": res.model_dump_json(exclude={"utilization"}), "run_id": run_id, "version": stamp,
            } for res in batch])
        return written

    def store_collection(self, result: CollectionResult, run_id: str) -> dict[str, int]:
        """Everything a collection saw: daily cost rows (by region, by usage type and, several accounts read, by
        linked account), the inventory snapshot and the utilization series, all versioned by `result.collected_at`."""
        stamp = check.to_utc(result.collected_at)
        written = {"cost_rows": 0, "resources": 0, "metric_rows": 0}
        if result.costs is not None:
            for rows, breakdown in ((result.costs.daily, "region"), (result.costs.daily_by_usage_type, "usage_type"),
                                    (result.costs.daily_by_account, "account")):
                written["cost_rows"] += self.store_cost_metrics(rows, run_id=run_id, account_id=result.account_id,
                                                                version=stamp, breakdown=breakdown)
        written["resources"] = self.store_inventory(result.resources, collected_at=stamp, run_id=run_id,
                                                    account_id=result.account_id)
        written["metric_rows"] = self.store_instance_metrics(result.resources, collected_at=stamp, run_id=run_id,
                                                             account_id=result.account_id)
        if result.costs is not None and result.costs.by_tag:
            # Cost Explorer's tag totals for the report period, as collected: what /costs answers by_tag from.
            period = result.costs.time_period
            self.store_raw(TAG_COSTS_KIND, {"start": period.start.isoformat(), "end": period.end.isoformat(),
                                            "by_tag": result.costs.by_tag}, run_id=run_id, collected_at=stamp)
        self._mark_run(run_id, "collection", stamp)
        return written

    def store_optimization_opportunities(self, opportunities: Iterable[Opportunity], *, run_id: str,
                                         generated_at: datetime) -> int:
        """One row per finding (an opportunity without findings keeps one row with no resource)."""
        stamp = check.to_utc(generated_at)
        rows: list[dict[str, Any]] = []
        for o_index, opp in enumerate(opportunities):
            head = {"timestamp": stamp, "run_id": run_id, "opportunity_index": o_index, "type": opp.type,
                    "service": opp.service, "priority": opp.priority,
                    "opportunity_savings": check.money(opp.estimated_savings), "confidence": opp.confidence,
                    "resource_count": opp.resource_count, "description": opp.description, "version": stamp}
            for f_index, finding in enumerate(opp.resources):
                rows.append({**head, "finding_index": f_index, "resource_id": finding.resource_id,
                             "region": finding.region, "monthly_cost": check.money(finding.monthly_cost or 0),
                             "savings": check.money(finding.savings), "counted": int(finding.counted),
                             "recommendation": finding.recommendation, "finding": finding.model_dump_json()})
            if not opp.resources:
                rows.append({**head, "finding_index": 0, "resource_id": "", "region": "",
                             "monthly_cost": Decimal(0), "savings": check.money(opp.estimated_savings),
                             "counted": 1, "recommendation": "", "finding": ""})
        self._mark_run(run_id, "opportunities", stamp)
        return self._insert("optimization_opportunities", rows)

    def store_anomalies(self, anomalies: Iterable[Anomaly], run_id: str,
                        generated_at: datetime | None = None) -> int:
        """Anomalies keyed by service, region, metric and day; a later detection replaces an earlier one."""
        stamp = check.to_utc(generated_at or datetime.now(UTC))
        rows = [{
            "date": a.date, "service": a.service, "region": a.region, "metric": a.metric,
            "expected_cost": check.money(a.expected_cost), "actual_cost": check.money(a.actual_cost),
            "change_percentage": a.change_percentage,
            "drivers": json.dumps([d.model_dump(mode="json") for d in a.drivers]), "baseline": a.baseline,
            "run_id": run_id, "version": stamp,
        } for a in anomalies]
        self._mark_run(run_id, "anomalies", stamp)
        return self._insert("anomalies", rows)

    def store_report(self, report: Report, run_id: str) -> None:
        """The report JSON that `latest_report()` returns."""
        stamp = check.to_utc(report.generated_at or datetime.now(UTC))
        self._insert("reports", [{"run_id": run_id, "generated_at": stamp,
                                  "report": report.model_dump_json(by_alias=True), "version": stamp}])

    def store_agent_costs(self, records: Iterable[dict[str, Any]]) -> int:
        """What the agent spent. Each record: timestamp, run_id and/or session_id, component
        (bedrock|redshift|lambda|aws_api), model, input_tokens, output_tokens, cost; optional `id`
        (default: a hash of the record, so writing the same record twice keeps one)."""
        rows = [_agent_cost_row(record) for record in records]
        return self._insert("agent_costs", rows)

    def store_raw(self, kind: str, payload: dict[str, Any], *, run_id: str, collected_at: datetime) -> None:
        """An API response as received, apart from analyzed rows; kept `raw_retention_days` (TTL)."""
        text = json.dumps(payload, sort_keys=True, default=str)
        stamp = check.to_utc(collected_at)
        self._insert("raw_responses", [{"collected_at": stamp, "run_id": run_id, "kind": kind,
                                        "payload_hash": hashlib.sha256(text.encode()).hexdigest(),
                                        "payload": text, "version": stamp}])

    def _mark_run(self, run_id: str, kind: str, at: datetime) -> None:
        self._insert("runs", [{"run_id": run_id, "kind": kind, "at": at, "version": at}])


def _agent_cost_row(record: dict[str, Any]) -> dict[str, Any]:
    component = record.get("component")
    if component not in check.COMPONENTS:
        raise StorageQueryError(f"component: expected one of {', '.join(check.COMPONENTS)}, got {component!r}")
    stamp = record.get("timestamp") or datetime.now(UTC)
    if isinstance(stamp, str):
        stamp = datetime.fromisoformat(stamp)
    elif isinstance(stamp, date) and not isinstance(stamp, datetime):
        stamp = check.midnight(stamp)
    stamp = check.to_utc(stamp)
    cost = Decimal(str(record.get("cost") or 0)).quantize(Decimal("0.000000001"))
    extra = {k: v for k, v in record.items() if k not in _AGENT_COLUMNS}
    row = {
        "timestamp": stamp, "run_id": str(record.get("run_id") or ""),
        "session_id": str(record.get("session_id") or ""), "component": component,
        "model": str(record.get("model") or ""), "input_tokens": int(record.get("input_tokens") or 0),
        "output_tokens": int(record.get("output_tokens") or 0), "cost": cost,
        "details": json.dumps(extra, sort_keys=True, default=str), "version": stamp,
    }
    identity = json.dumps({k: v for k, v in row.items() if k != "version"}, sort_keys=True, default=str)
    row["record_id"] = str(record.get("id") or hashlib.sha256(identity.encode()).hexdigest()[:32])
    return row


_AGENT_COLUMNS = {"timestamp", "run_id", "session_id", "component", "model", "input_tokens", "output_tokens",
                  "cost", "id"}
