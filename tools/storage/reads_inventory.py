"""Queries over the latest inventory snapshot: resources with their kind, state and tags, the tag keys and values
in use, and what the stored spend covers (for the chat: which names a question may use, which days hold data)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tools.storage import validation as check

MAX_RESOURCES = 5000
"""At most this many resources in one answer."""
MAX_TAG_VALUES = 100
_SKIPPED_TAG_KEYS = ("Name",)
_LATEST_SNAPSHOT = "(SELECT max(snapshot_date) FROM resources)"
_INVENTORY = ("SELECT resource_id, kind, service, region, resource_type, state, name, tags, monthly_cost, "
              "snapshot_date FROM resources FINAL WHERE snapshot_date = " + _LATEST_SNAPSHOT)


def _resource(row: tuple) -> dict[str, Any]:
    rid, kind, service, region, rtype, state, name, tags, monthly, snapshot = row
    return {"resource_id": rid, "kind": kind, "service": service, "region": region, "resource_type": rtype,
            "state": state, "name": name, "tags": dict(tags), "monthly_cost": float(monthly),
            "snapshot_date": snapshot.isoformat()}


class InventoryReads:
    """Mixin: the latest inventory and the catalogue of stored names. Needs `self._rows(sql, params)`."""

    def _rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:  # pragma: no cover
        raise NotImplementedError

    def inventory(self, kind: str | None = None, service: str | None = None, region: str | None = None,
                  state: str | None = None, tag_key: str | None = None, tag_value: str | None = None,
                  resource_ids: list[str] | None = None) -> list[dict[str, Any]]:
        """Resources of the latest inventory snapshot matching every filter given (tag value '' = untagged),
        ordered by monthly cost (largest first), then id: [{resource_id, kind, service, region, resource_type,
        state, name, tags, monthly_cost, snapshot_date}]."""
        sql, params = _INVENTORY, dict[str, Any]()
        for column, value in (("kind", kind), ("service", check.service(service)), ("region", check.region(region)),
                              ("state", state)):
            if value is not None:
                sql += f" AND {column} = {{{column}:String}}"
                params[column] = value
        if tag_key is not None:
            params["tag_key"] = check.tag_key(tag_key)
            if tag_value is None:
                sql += " AND mapContains(tags, {tag_key:String})"
            else:
                sql += " AND tags[{tag_key:String}] = {tag_value:String}"
                params["tag_value"] = tag_value
        if resource_ids is not None:
            sql += " AND resource_id IN {ids:Array(String)}"
            params["ids"] = [check.resource_id(r) for r in resource_ids]
        rows = self._rows(sql + f" ORDER BY monthly_cost DESC, resource_id LIMIT {MAX_RESOURCES}", params)
        return [_resource(row) for row in rows]

    def tag_catalog(self) -> dict[str, list[str]]:
        """Tag key -> its values in the latest inventory (Name and aws: keys left out), sorted."""
        rows = self._rows(
            "SELECT k, arraySort(groupUniqArray(" + str(MAX_TAG_VALUES) + ")(v)) FROM (SELECT tags FROM resources "
            "FINAL WHERE snapshot_date = " + _LATEST_SNAPSHOT + ") ARRAY JOIN mapKeys(tags) AS k, mapValues(tags) AS v "
            "WHERE NOT startsWith(k, 'aws:') AND k NOT IN {skipped:Array(String)} GROUP BY k ORDER BY k",
            {"skipped": list(_SKIPPED_TAG_KEYS)})
        return {key: list(values) for key, values in rows}

    def resource_names(self) -> dict[str, list[str]]:
        """Name (lower case) -> resource ids of the latest inventory that carry it."""
        rows = self._rows("SELECT lower(name), groupArray(resource_id) FROM resources FINAL WHERE snapshot_date = "
                          + _LATEST_SNAPSHOT + " AND name != '' GROUP BY lower(name)")
        return {name: sorted(ids) for name, ids in rows}

    def cost_catalog(self) -> dict[str, Any]:
        """What the stored daily spend covers: its first and last day, and each service's and region's."""
        rows = self._rows("SELECT service, region, min(toDate(timestamp)), max(toDate(timestamp)) FROM cost_metrics "
                          "FINAL WHERE granularity = 'day' AND breakdown = 'region' GROUP BY service, region")
        services: dict[str, list[date]] = {}
        regions: dict[str, list[date]] = {}
        for service, region, first, last in rows:
            for table, key in ((services, service), (regions, region)):
                seen = table.setdefault(key, [first, last])
                table[key] = [min(seen[0], first), max(seen[1], last)]
        span = [d for pair in services.values() for d in pair]
        return {"first": min(span).isoformat() if span else None, "last": max(span).isoformat() if span else None,
                "services": {k: [d.isoformat() for d in v] for k, v in sorted(services.items())},
                "regions": {k: [d.isoformat() for d in v] for k, v in sorted(regions.items()) if k}}

    def cost_days(self, start: Any, end: Any) -> int:
        """How many days of start..end hold stored daily spend (any service, any region)."""
        first, last = check.period(start, end)
        rows = self._rows("SELECT uniqExact(toDate(timestamp)) FROM cost_metrics FINAL WHERE granularity = 'day' "
                          "AND breakdown = 'region' AND toDate(timestamp) BETWEEN {start:Date} AND {end:Date}",
                          {"start": first, "end": last})
        return int(rows[0][0]) if rows else 0

    def resource_cost_days(self, start: Any, end: Any) -> int:
        """How many days of start..end hold per-resource costs (what spend by tag is made of)."""
        first, last = check.period(start, end)
        rows = self._rows("SELECT uniqExact(toDate(timestamp)) FROM resource_costs FINAL "
                          "WHERE toDate(timestamp) BETWEEN {start:Date} AND {end:Date}", {"start": first, "end": last})
        return int(rows[0][0]) if rows else 0
