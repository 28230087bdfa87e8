"""Cost queries: parameterized SQL over deduplicated rows (FINAL), money summed as Decimal and
rounded to the cent only at the edge."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from tools.models import CENT, CostRow, CostSummary, TimePeriod, cents
from tools.storage import validation as check
from tools.storage.errors import StorageQueryError

_COST_WHERE = ("granularity = 'day' AND breakdown = {breakdown:String} "
               "AND toDate(timestamp) BETWEEN {start:Date} AND {end:Date}")
TAG_COSTS_KIND = "cost_by_tag"
"""`raw_responses` kind of a collection's Cost Explorer spend by tag: {"start", "end", "by_tag": {key: {value:
cost}}}, the report period's totals ('' untagged), written with `store_raw` when the collection is stored."""


def allocate_cents(values: dict[str, Decimal], total: Decimal | None = None) -> dict[str, float]:
    """Round each value to the cent so that the parts add up to the rounded total exactly
    (largest remainder), whatever the number of parts."""
    exact_total = sum(values.values(), Decimal(0)) if total is None else total
    target = int((exact_total / CENT).to_integral_value(rounding=ROUND_HALF_UP))
    floors = {k: int((v / CENT).to_integral_value(rounding=ROUND_FLOOR)) for k, v in values.items()}
    remainder = target - sum(floors.values())
    order = sorted(values, key=lambda k: (-(values[k] / CENT - floors[k]), k))
    for key in order[:max(remainder, 0)]:
        floors[key] += 1
    return {k: float(Decimal(floors[k]) * CENT) for k in sorted(values)}


def _filters(service: str | None, region: str | None, account_id: str | None = None) -> tuple[str, dict[str, Any]]:
    sql, params = "", {}
    if service is not None:
        sql += " AND service = {service:String}"
        params["service"] = check.service(service)
    if region is not None:
        sql += " AND region = {region:String}"
        params["region"] = check.region(region)
    if account_id is not None:
        sql += " AND account_id = {account_id:String}"
        params["account_id"] = check.account_id(account_id)
    return sql, params


class CostReads:
    """Mixin: cost time-series queries. Needs `self._rows(sql, params)`."""

    def _rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:  # pragma: no cover
        raise NotImplementedError

    def _grouped(self, start: Any, end: Any, service: str | None, region: str | None,
                 group: str, breakdown: str = "region", account_id: str | None = None) -> list[tuple]:
        first, last = check.period(start, end)
        extra, params = _filters(service, region, account_id)
        sql = (f"SELECT {group}, sum(cost) FROM cost_metrics FINAL WHERE {_COST_WHERE}{extra} "
               f"GROUP BY {group} ORDER BY {group}")
        return self._rows(sql, {"start": first, "end": last, "breakdown": breakdown, **params})

    def query_cost_trends(self, start: Any, end: Any, service: str | None = None, region: str | None = None,
                          granularity: str = "day") -> list[dict[str, Any]]:
        """Cost per day (or month) per service and region: [{period, service, region, cost}], ordered."""
        check.choice(granularity, ("day", "month"), "granularity")
        bucket = "toDate(timestamp)" if granularity == "day" else "toStartOfMonth(timestamp)"
        rows = self._grouped(start, end, service, region, f"{bucket} AS period, service, region")
        return [{"period": p.isoformat(), "service": s, "region": r, "cost": cents(c)} for p, s, r, c in rows]

    def query_by_service(self, start: Any, end: Any, region: str | None = None) -> dict[str, float]:
        """Cost per service over the period (inclusive days); parts add up to the total to the cent."""
        return allocate_cents({s: c for s, c in self._grouped(start, end, None, region, "service")})

    def query_by_region(self, start: Any, end: Any, service: str | None = None) -> dict[str, float]:
        """Cost per region over the period (inclusive days); parts add up to the total to the cent."""
        return allocate_cents({r: c for r, c in self._grouped(start, end, service, None, "region")})

    def service_daily_trend(self, service: str, start: Any, end: Any) -> list[dict[str, Any]]:
        """One service's cost per day over all regions, every day of the period (0.0 when no row)."""
        first, last = check.period(start, end)
        rows = dict(self._grouped(first, last, check.service(service), None, "toDate(timestamp) AS d"))
        return [{"date": d.isoformat(), "cost": cents(rows.get(d, 0))} for d in check.days_between(first, last)]

    def cost_summary(self, start: Any, end: Any, service: str | None = None, region: str | None = None,
                     tag_key: str | None = None, account_id: str | None = None) -> CostSummary:
        """The seed's Cost Explorer shape from storage; by_service and by_region add up to total_cost.

        `account_id`: one account's spend. From the rows by linked account when the period has any (a collection of
        several accounts): those are by service, so `by_region` is empty and `region` is refused; otherwise from the
        rows the collections of that account stored."""
        first, last = check.period(start, end)
        if account_id is not None and self.has_account_costs(first, last):
            return self._account_summary(first, last, service, region, account_id)
        daily = self._grouped(first, last, service, region, "toDate(timestamp) AS d, service, region",
                              account_id=account_id)
        total = sum((c for *_, c in daily), Decimal(0))
        by_service: dict[str, Decimal] = defaultdict(Decimal)
        by_region: dict[str, Decimal] = defaultdict(Decimal)
        for _, s, r, c in daily:
            by_service[s] += c
            by_region[r] += c
        usage = self._grouped(first, last, service, None, "toDate(timestamp) AS d, service, usage_type",
                              breakdown="usage_type", account_id=account_id)
        return CostSummary(
            time_period=TimePeriod(start=first, end=last), total_cost=cents(total),
            by_service=allocate_cents(by_service, total), by_region=allocate_cents(by_region, total),
            by_tag=self._by_tag(first, last, service, region, tag_key) if tag_key else {},
            daily=[CostRow(day=d, service=s, region=r, cost=cents(c)) for d, s, r, c in daily],
            daily_by_usage_type=[CostRow(day=d, service=s, region="", usage_type=u, cost=cents(c))
                                 for d, s, u, c in usage],
            daily_by_account=[] if region is not None else self._account_rows(first, last, service),
        )

    def _by_account_day(self, first: date, last: date, service: str | None,
                        account_id: str | None = None) -> list[tuple]:
        return self._grouped(first, last, service, None, "toDate(timestamp) AS d, account_id, service",
                             breakdown="account", account_id=account_id)

    def _account_rows(self, first: date, last: date, service: str | None) -> list[CostRow]:
        return [CostRow(day=d, account_id=a, service=s, region="", cost=cents(c))
                for d, a, s, c in self._by_account_day(first, last, service)]

    def _account_summary(self, first: date, last: date, service: str | None, region: str | None,
                         account_id: str) -> CostSummary:
        if region is not None:
            raise StorageQueryError("region: the spend of one linked account is stored by service, not by region; "
                                    "ask for account_id without region")
        rows = self._by_account_day(first, last, service, account_id)
        by_service: dict[str, Decimal] = defaultdict(Decimal)
        for _, _, s, c in rows:
            by_service[s] += c
        total = sum(by_service.values(), Decimal(0))
        return CostSummary(time_period=TimePeriod(start=first, end=last), total_cost=cents(total),
                           by_service=allocate_cents(by_service, total),
                           daily_by_account=[CostRow(day=d, account_id=a, service=s, region="", cost=cents(c))
                                             for d, a, s, c in rows])

    def has_account_costs(self, start: Any, end: Any) -> bool:
        """Whether a collection of several accounts stored spend by linked account for a day of start..end."""
        first, last = check.period(start, end)
        [(count,)] = self._rows(f"SELECT count() FROM cost_metrics FINAL WHERE {_COST_WHERE}",
                                {"start": first, "end": last, "breakdown": "account"})
        return bool(count)

    def cost_by_account(self, start: Any, end: Any, service: str | None = None,
                        account_id: str | None = None) -> dict[str, float]:
        """Linked account -> its usage spend over the period (inclusive days), parts adding up to their total to the
        cent; {} when no collection of several accounts stored spend by account for the period."""
        rows = self._grouped(start, end, service, None, "account_id", breakdown="account", account_id=account_id)
        return allocate_cents(dict(rows))

    def cost_coverage(self, start: Any, end: Any) -> TimePeriod | None:
        """The first and last day with stored daily costs within start..end; None when nothing is stored."""
        first, last = check.period(start, end)
        [(count, low, high)] = self._rows(
            "SELECT count(), min(toDate(timestamp)), max(toDate(timestamp)) FROM cost_metrics FINAL "
            f"WHERE {_COST_WHERE}",
            {"start": first, "end": last, "breakdown": "region"})
        return TimePeriod(start=low, end=high) if count else None

    def tag_costs(self, start: Any, end: Any,
                  tag_keys: Sequence[str]) -> tuple[TimePeriod, dict[str, dict[str, float]]] | None:
        """Cost Explorer's spend by tag value for each of `tag_keys` that was collected, over the report period of
        the latest collection overlapping start..end (one covering exactly start..end first), with that period;
        None when no such collection stored tag costs."""
        first, last = check.period(start, end)
        keys = [key for key in tag_keys if check.tag_key(key)]
        rows = self._rows(
            "SELECT payload FROM raw_responses FINAL WHERE kind = {kind:String} "
            "AND JSONExtractString(payload, 'start') <= {last:String} "
            "AND JSONExtractString(payload, 'end') >= {first:String} "
            "ORDER BY (JSONExtractString(payload, 'start') = {first:String} "
            "AND JSONExtractString(payload, 'end') = {last:String}) DESC, collected_at DESC, version DESC LIMIT 1",
            {"kind": TAG_COSTS_KIND, "first": first.isoformat(), "last": last.isoformat()})
        if not rows:
            return None
        stored = json.loads(rows[0][0])
        by_tag = stored.get("by_tag") or {}
        found = {key: {value: cents(cost) for value, cost in sorted(by_tag[key].items())}
                 for key in keys if key in by_tag}
        return TimePeriod(start=stored["start"], end=stored["end"]), found

    def _by_tag(self, first: date, last: date, service: str | None, region: str | None,
                tag_key: str) -> dict[str, dict[str, float]]:
        """Per-resource (price-book) cost grouped by one tag's value in the latest inventory; '' untagged."""
        extra, params = _filters(service, region)
        rows = self._rows(
            "SELECT i.value, sum(c.total) FROM (SELECT resource_id, sum(cost) AS total FROM resource_costs FINAL "
            f"WHERE toDate(timestamp) BETWEEN {{start:Date}} AND {{end:Date}}{extra} GROUP BY resource_id) AS c "
            "LEFT JOIN (SELECT resource_id, argMax(tags[{tag:String}], snapshot_date) AS value FROM resources FINAL "
            "GROUP BY resource_id) AS i ON c.resource_id = i.resource_id GROUP BY i.value",
            {"tag": check.tag_key(tag_key), "start": first, "end": last, **params})
        return {tag_key: allocate_cents(dict(rows))}

    def top_resources(self, n: int = 20, start: Any = None, end: Any = None) -> list[dict[str, Any]]:
        """The n resources that cost most over the period (price-book daily cost per resource), with kind,
        type and name from the latest inventory ('' when the resource is not in it)."""
        first, last = check.optional_period(start, end)
        months = check.whole_months(first, last)
        top = self._rows(
            "SELECT resource_id, any(service), any(region), sum(c) AS total, sum(d) FROM ("
            "SELECT resource_id, service, region, cost AS c, days AS d FROM resource_costs_monthly FINAL "
            "WHERE month >= {m0:Date} AND month < {m1:Date} UNION ALL "
            "SELECT resource_id, service, region, cost AS c, toUInt32(1) AS d FROM resource_costs FINAL "
            "WHERE toDate(timestamp) BETWEEN {start:Date} AND {end:Date} AND (toDate(timestamp) < {m0:Date} "
            "OR toDate(timestamp) >= {m1:Date})) GROUP BY resource_id ORDER BY total DESC, resource_id "
            "LIMIT {n:UInt32}",
            {"start": first, "end": last, "m0": months[0], "m1": months[1], "n": check.count(n)})
        if not top:
            return []
        inventory = {row[0]: row[1:] for row in self._rows(
            "SELECT resource_id, argMax(kind, snapshot_date), argMax(resource_type, snapshot_date), "
            "argMax(name, snapshot_date) FROM resources FINAL WHERE resource_id IN {ids:Array(String)} "
            "GROUP BY resource_id", {"ids": [row[0] for row in top]})}
        return [{"resource_id": rid, "service": service, "region": region,
                 **dict(zip(("kind", "resource_type", "name"), inventory.get(rid, ("", "", "")), strict=True)),
                 "cost": cents(total), "days": int(days)} for rid, service, region, total, days in top]
