"""Queries over what analysis produced: opportunities, anomalies, reports, resource details, and what the
agent itself spent."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

from tools.models import Anomaly, Finding, Opportunity, Report, Resource, UsageDriver, cents
from tools.storage import validation as check
from tools.storage.reads_inventory import InventoryReads

MAX_NAME_MATCHES = 20
"""At most this many same-named resources (one per region in practice) in one answer."""
_LATEST_RUN = ("(SELECT run_id FROM runs FINAL WHERE kind = 'opportunities' "
               "ORDER BY at DESC, run_id DESC LIMIT 1)")


class FindingReads(InventoryReads):
    """Mixin: findings, reports and agent cost queries (and the inventory's, `InventoryReads`). Needs
    `self._rows(sql, params)`."""

    def _rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:  # pragma: no cover
        raise NotImplementedError

    def latest_run_id(self) -> str | None:
        """The run whose opportunities were stored last."""
        rows = self._rows(_LATEST_RUN.strip("()"))
        return rows[0][0] if rows else None

    def waste_by_type(self) -> dict[str, float]:
        """Monthly savings per opportunity type counted in the deduplicated total, from the latest run."""
        rows = self._rows(f"SELECT type, sumIf(savings, counted = 1) FROM optimization_opportunities FINAL "
                          f"WHERE run_id = {_LATEST_RUN} GROUP BY type ORDER BY type")
        return {t: cents(s) for t, s in rows}

    def query_opportunities(self, min_savings: float = 0, service: str | None = None,
                            priority: str | None = None, type: str | None = None) -> list[Opportunity]:
        """The latest run's opportunities, filtered on the opportunity's own fields, in stored order."""
        sql = ("SELECT opportunity_index, type, service, priority, opportunity_savings, confidence, resource_count, "
               "description, finding FROM optimization_opportunities FINAL "
               f"WHERE run_id = {_LATEST_RUN} AND opportunity_savings >= {{min_savings:Decimal(18, 6)}}")
        params: dict[str, Any] = {"min_savings": check.amount(min_savings)}
        for name, value, column in (("service", check.service(service), "service"),
                                    ("priority", check.priority(priority), "priority"),
                                    ("type", check.opportunity_type(type), "type")):
            if value is not None:
                sql += f" AND {column} = {{{name}:String}}"
                params[name] = value
        rows = self._rows(sql + " ORDER BY opportunity_index, finding_index", params)
        grouped: dict[int, list[tuple]] = defaultdict(list)
        for row in rows:
            grouped[row[0]].append(row)
        return [_opportunity(group) for _, group in sorted(grouped.items())]

    def query_anomalies(self, start: Any = None, end: Any = None, service: str | None = None) -> list[Anomaly]:
        """Stored anomalies (latest detection of each service, region, metric and day), by date."""
        first, last = check.optional_period(start, end)
        sql = ("SELECT service, region, metric, date, expected_cost, actual_cost, change_percentage, drivers, "
               "baseline FROM anomalies FINAL WHERE date BETWEEN {start:Date} AND {end:Date}")
        params: dict[str, Any] = {"start": first, "end": last}
        if service is not None:
            sql += " AND service = {service:String}"
            params["service"] = check.service(service)
        rows = self._rows(sql + " ORDER BY date, service, region, metric", params)
        return [Anomaly(service=s, region=r, metric=m, date=d, expected_cost=cents(e), actual_cost=cents(a),
                        change_percentage=p, drivers=[UsageDriver(**x) for x in json.loads(dr or "[]")],
                        baseline=b) for s, r, m, d, e, a, p, dr, b in rows]

    def latest_report(self) -> Report | None:
        """The most recently generated report, or None before the first run."""
        rows = self._rows("SELECT report FROM reports FINAL ORDER BY generated_at DESC, run_id DESC LIMIT 1")
        return Report.model_validate_json(rows[0][0]) if rows else None

    def resolve_resource(self, ref: str, region: str | None = None) -> list[str]:
        """Stored resource ids that `ref` names: `ref` itself when stored as an id; else the ARN-identified
        resources (RDS instances and snapshots, Lambda functions) called `ref`, in `region` when given."""
        params: dict[str, Any] = {"rid": check.resource_id(ref)}
        if self._rows("SELECT 1 FROM resources WHERE resource_id = {rid:String} LIMIT 1", params):
            return [ref]
        sql = ("SELECT DISTINCT resource_id FROM resources WHERE name = {rid:String} "
               "AND startsWith(resource_id, 'arn:')")
        if check.region(region) is not None:
            sql += " AND region = {region:String}"
            params["region"] = region
        return [r[0] for r in self._rows(sql + f" ORDER BY resource_id LIMIT {MAX_NAME_MATCHES}", params)]

    def resource_details(self, resource_id: str, region: str | None = None) -> dict[str, Any] | None:
        """Details of one resource given its id, its ARN, or (RDS and Lambda) its name; None when nothing
        stored matches. A name used in several regions returns {"matches": [details, ...], "note"}."""
        ids = self.resolve_resource(resource_id, region)
        if len(ids) <= 1:
            return self._resource_details(ids[0]) if ids else None
        matches = [d for d in (self._resource_details(i) for i in ids) if d is not None]
        regions = sorted({str(d["resource"]["region"]) for d in matches})
        return {"matches": matches,
                "note": f"{len(matches)} resources are named {resource_id!r} (regions {', '.join(regions)}); "
                        "give the region or the ARN to pick one"}

    def _resource_details(self, resource_id: str) -> dict[str, Any] | None:
        """Latest inventory of one resource, its latest utilization per metric, its cost over the last
        30 stored days, and its findings in the latest run; None when the resource was never stored."""
        params = {"rid": check.resource_id(resource_id)}
        inv = self._rows("SELECT payload, collected_at FROM resources FINAL WHERE resource_id = {rid:String} "
                         "ORDER BY snapshot_date DESC LIMIT 1", params)
        if not inv:
            return None
        resource = Resource.model_validate_json(inv[0][0])
        metrics = self._rows(
            "SELECT metric, statistic, argMax(value, timestamp), toDate(max(timestamp)), count(), avg(value) "
            "FROM resource_metrics FINAL WHERE resource_id = {rid:String} GROUP BY metric, statistic "
            "ORDER BY metric", params)
        cost = self._rows("SELECT sum(cost), count() FROM resource_costs FINAL WHERE resource_id = {rid:String} "
                          "AND timestamp > (SELECT max(timestamp) FROM resource_costs WHERE resource_id = {rid:String})"
                          " - INTERVAL 30 DAY", params)
        findings = self._rows(
            "SELECT type, service, priority, finding FROM optimization_opportunities FINAL "
            f"WHERE run_id = {_LATEST_RUN} AND resource_id = {{rid:String}} ORDER BY opportunity_index", params)
        return {
            "resource": resource.model_dump(mode="json", exclude={"utilization"}),
            "utilization": {m: {"statistic": st, "latest_value": v, "latest_date": d.isoformat(), "days": int(n),
                                "average": round(avg, 4)} for m, st, v, d, n, avg in metrics},
            "cost_last_30_days": cents(cost[0][0] or 0), "cost_days": int(cost[0][1]),
            "findings": [{"type": t, "service": s, "priority": p, **json.loads(f)} for t, s, p, f in findings if f],
        }

    def agent_cost_totals(self, start: Any = None, end: Any = None) -> dict[str, Any]:
        """What the agent spent per component (RunCost's shape), with token counts and the record count."""
        first, last = check.optional_period(start, end)
        rows = self._rows(
            "SELECT component, sum(cost), sum(input_tokens), sum(output_tokens), count() FROM agent_costs FINAL "
            "WHERE toDate(timestamp) BETWEEN {start:Date} AND {end:Date} GROUP BY component",
            {"start": first, "end": last})
        by = {c: Decimal(0) for c in check.COMPONENTS}
        tokens_in = tokens_out = records = 0
        for component, cost, t_in, t_out, n in rows:
            by[component] += cost
            tokens_in, tokens_out, records = tokens_in + int(t_in), tokens_out + int(t_out), records + int(n)
        total = sum(by.values(), Decimal(0))
        return {**{c: float(v.quantize(Decimal("0.000001"))) for c, v in by.items()},
                "total": float(total.quantize(Decimal("0.000001"))), "input_tokens": tokens_in,
                "output_tokens": tokens_out, "records": records}


def _opportunity(rows: list[tuple]) -> Opportunity:
    _, type_, service, priority, savings, confidence, count, description, _ = rows[0]
    findings = [Finding.model_validate_json(r[8]) for r in rows if r[8]]
    return Opportunity(type=type_, service=service, priority=priority, estimated_savings=cents(savings),
                       confidence=confidence, resource_count=int(count), description=description, resources=findings)
