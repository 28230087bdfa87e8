"""A local Cost Explorer endpoint speaking the real JSON 1.1 protocol (X-Amz-Target AWSInsightsIndexService.*).

Reached through AWS_ENDPOINT_URL_COST_EXPLORER. Answers from the seeded cost table; errors use AWS's JSON
error shape (`__type`, `message`, HTTP 400).

Reservations: coverage and utilization are computed from the table (instance hours of record type Usage are
on demand, DiscountedUsage hours reserved) and the account's Reserved Instances; both honour a SERVICE filter
and, like AWS, answer for EC2 alone without one. Purchase recommendations come from `billing.Advice`: RDS
Reserved Instances for the steady on-demand databases, a Compute Savings Plan for the steady on-demand
instances (1 year, no upfront; other terms and payment options get no recommendation). The account has no
Savings Plans: their utilization is DataUnavailable, their coverage 0 % of the eligible on-demand spend.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tools.sandbox import rates
from tools.sandbox.billing import Advice, cents
from tools.sandbox.ce_query import ACCOUNT, CeError, cost_and_usage, matches, parse_period, periods
from tools.sandbox.costs import (
    COMPUTE,
    LAMBDA,
    NO_TAGS,
    RDS,
    RESERVED,
    Line,
    Reservation,
    normalization_factor,
    region_code,
)

PREFIX = "AWSInsightsIndexService."
RI_SERVICES = (COMPUTE, RDS, "Amazon ElastiCache", "Amazon OpenSearch Service", "Amazon Elasticsearch Service",
               "Amazon Redshift", "Amazon MemoryDB")
"""Services Reserved Instances exist for, as Cost Explorer names them."""
RI_USAGE = {COMPUTE: ("BoxUsage:",), RDS: ("InstanceUsage:", "Multi-AZUsage:")}
"""Instance-hour usage types a reservation can cover, per service."""
GROUP_ATTRIBUTES = {"INSTANCE_TYPE": "instanceType", "REGION": "region", "SERVICE": "service"}


def _num(value: Decimal) -> str:
    return format(value.normalize() if value else Decimal(0), "f")


def _pct(part: Decimal, whole: Decimal) -> str:
    return _num((100 * part / whole).quantize(Decimal("0.01"))) if whole else "0"


def _services(expr: dict[str, Any] | None) -> set[str]:
    """SERVICE values named in a filter (And/Dimensions), empty when none is."""
    if not expr:
        return set()
    found: set[str] = set()
    for sub in expr.get("And") or []:
        found |= _services(sub)
    dim = expr.get("Dimensions") or {}
    if dim.get("Key") == "SERVICE":
        found |= set(dim.get("Values") or [])
    return found


def _suffix(line: Line) -> str:
    return line.usage_type.removeprefix(f"{region_code(line.region)}-")


class CostExplorerState:
    """The table and the extra answers the operations need."""

    def __init__(self, lines: list[Line], rightsizing: list[dict[str, Any]] | None = None,
                 today: date | None = None, latency_ms: int = 0, reservations: list[Reservation] | None = None,
                 advice: Advice | None = None) -> None:
        self.lines = lines
        self.rightsizing = rightsizing or []
        self.today = today or datetime.now(UTC).date()
        self.latency_ms = latency_ms
        self.reservations = reservations or []
        self.advice = advice or Advice((), None)
        self.requests: list[str] = []

    # ------------------------------------------------------------ operations

    def GetCostAndUsage(self, body: dict[str, Any]) -> dict[str, Any]:
        return cost_and_usage(self.lines, body, self.today)

    def GetCostForecast(self, body: dict[str, Any]) -> dict[str, Any]:
        start, end = parse_period(body.get("TimePeriod") or {})
        if start < self.today:
            raise CeError("DataUnavailableException", "Forecast start date must be today or later")
        week = [self.today - timedelta(days=n) for n in range(1, 8)]
        daily = sum((ln.cost for ln in self.lines if ln.day in week), Decimal(0)) / 7
        days = (end - start).days
        mean = (daily * days).quantize(Decimal("0.0001"))

        def amount(v: Decimal) -> dict[str, str]:
            return {"Amount": str(v), "Unit": "USD"}

        low, high = (str((mean * Decimal(f)).quantize(Decimal("0.0001"))) for f in ("0.9", "1.1"))
        by_time = [{"TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()}, "MeanValue": str(mean),
                    "PredictionIntervalLowerBound": low, "PredictionIntervalUpperBound": high}]
        return {"Total": amount(mean), "ForecastResultsByTime": by_time}

    def _ri_scope(self, body: dict[str, Any]) -> tuple[set[str], dict[str, Any] | None]:
        services = _services(body.get("Filter")) or {COMPUTE}
        unknown = services - set(RI_SERVICES)
        if unknown:
            raise CeError("ValidationException", f"Reservations are not offered for {sorted(unknown)}")
        return services, body.get("Filter")

    def _spans(self, body: dict[str, Any], default: str) -> tuple[date, date, list[tuple[date, date]]]:
        start, end = parse_period(body.get("TimePeriod") or {})
        granularity = body.get("Granularity") or ("MONTHLY" if body.get("GroupBy") else default)
        return start, end, periods(start, end, granularity)

    def GetReservationCoverage(self, body: dict[str, Any]) -> dict[str, Any]:
        start, end, spans = self._spans(body, "MONTHLY")
        services, expr = self._ri_scope(body)
        group_by = [g.get("Key", "") for g in body.get("GroupBy") or []]
        if any(k not in GROUP_ATTRIBUTES for k in group_by):
            raise CeError("ValidationException", f"GroupBy must be among {sorted(GROUP_ATTRIBUTES)}")
        eligible = [ln for ln in self.lines if start <= ln.day < end and ln.service in services
                    and ln.unit == "Hrs" and ln.record_type in ("Usage", "DiscountedUsage")
                    and _suffix(ln).startswith(RI_USAGE.get(ln.service, ("-",)))
                    and (not expr or matches(ln, expr))]
        by_time = []
        for first, last in spans:
            mine = [ln for ln in eligible if first <= ln.day < last]
            entry: dict[str, Any] = {"TimePeriod": {"Start": first.isoformat(), "End": last.isoformat()},
                                     "Groups": [], "Total": _coverage(mine)}
            if group_by:
                groups: dict[tuple[str, ...], list[Line]] = defaultdict(list)
                for ln in mine:
                    groups[tuple(_attribute(ln, k) for k in group_by)].append(ln)
                entry["Groups"] = [{"Attributes": {GROUP_ATTRIBUTES[k]: v for k, v in zip(group_by, key, strict=True)},
                                    "Coverage": _coverage(group)} for key, group in sorted(groups.items())]
            by_time.append(entry)
        return {"CoveragesByTime": by_time, "Total": _coverage(eligible)}

    def GetReservationUtilization(self, body: dict[str, Any]) -> dict[str, Any]:
        start, end, spans = self._spans(body, "DAILY")
        services, expr = self._ri_scope(body)
        group_by = [g.get("Key", "") for g in body.get("GroupBy") or []]
        if any(k != "SUBSCRIPTION_ID" for k in group_by):
            raise CeError("ValidationException", "GroupBy must be SUBSCRIPTION_ID")
        mine = [r for r in self.reservations if r.service in services and (not expr or matches(_as_line(r), expr))]
        if not mine:
            return {"UtilizationsByTime": []}
        used: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
        for ln in self.lines:
            if ln.record_type == "DiscountedUsage" and start <= ln.day < end:
                for r in mine:
                    if (ln.service, ln.region, ln.instance_type) == (r.service, r.region, r.instance_type):
                        used[(r.reservation_id, ln.day)] += ln.quantity

        def aggregate(reservations: list[Reservation], first: date, last: date) -> dict[str, str]:
            days = [first + timedelta(days=n) for n in range((last - first).days)]
            return _utilization([(r, Decimal(24 * r.count * len(days)),
                                  sum((used[(r.reservation_id, d)] for d in days), Decimal(0))) for r in reservations])

        by_time = []
        for first, last in spans:
            entry: dict[str, Any] = {"TimePeriod": {"Start": first.isoformat(), "End": last.isoformat()},
                                     "Groups": [], "Total": aggregate(mine, first, last)}
            if group_by:
                entry["Groups"] = [{"Key": "SubscriptionId", "Value": r.reservation_id,
                                    "Attributes": {"region": r.region, "instanceType": r.instance_type,
                                                   "platform": r.platform, "numberOfInstances": str(r.count)},
                                    "Utilization": aggregate([r], first, last)} for r in mine]
            by_time.append(entry)
        return {"UtilizationsByTime": by_time, "Total": aggregate(mine, start, end)}

    def GetSavingsPlansUtilization(self, body: dict[str, Any]) -> dict[str, Any]:
        parse_period(body.get("TimePeriod") or {})
        raise CeError("DataUnavailableException", "Data is not available for this account: no Savings Plans found.")

    def GetSavingsPlansCoverage(self, body: dict[str, Any]) -> dict[str, Any]:
        """Compute Savings Plans-eligible spend (on-demand EC2 instance hours, Lambda) and the share covered."""
        start, end, spans = self._spans(body, "MONTHLY")
        expr = body.get("Filter")
        group_by = [g.get("Key", "") for g in body.get("GroupBy") or []]
        if any(k not in GROUP_ATTRIBUTES for k in group_by):
            raise CeError("ValidationException", f"GroupBy must be among {sorted(GROUP_ATTRIBUTES)}")
        eligible = [ln for ln in self.lines if start <= ln.day < end
                    and ln.record_type in ("Usage", "SavingsPlanCoveredUsage")
                    and ((ln.service == COMPUTE and _suffix(ln).startswith("BoxUsage:")) or ln.service == LAMBDA)
                    and (not expr or matches(ln, expr))]
        out = []
        for first, last in spans:
            mine = [ln for ln in eligible if first <= ln.day < last]
            groups: dict[tuple[str, ...], list[Line]] = defaultdict(list)
            for ln in mine:
                groups[tuple(_attribute(ln, k) for k in group_by)].append(ln)
            for key, group in sorted(groups.items()) if group_by else [((), mine)]:
                covered = sum((ln.amortized for ln in group if ln.record_type == "SavingsPlanCoveredUsage"),
                              Decimal(0))
                on_demand = sum((ln.cost for ln in group if ln.record_type == "Usage"), Decimal(0))
                out.append({"Attributes": {GROUP_ATTRIBUTES[k]: v for k, v in zip(group_by, key, strict=True)},
                            "Coverage": {"SpendCoveredBySavingsPlans": _num(covered), "OnDemandCost": _num(on_demand),
                                         "TotalCost": _num(covered + on_demand),
                                         "CoveragePercentage": _pct(covered, covered + on_demand)},
                            "TimePeriod": {"Start": first.isoformat(), "End": last.isoformat()}})
        return {"SavingsPlansCoverages": out}

    def GetReservationPurchaseRecommendation(self, body: dict[str, Any]) -> dict[str, Any]:
        service = body.get("Service")
        if not service:
            raise CeError("ValidationException", "Service is required")
        if service not in RI_SERVICES:
            raise CeError("ValidationException", f"Service {service!r} is not supported")
        params = {"AccountScope": body.get("AccountScope") or "PAYER",
                  "LookbackPeriodInDays": body.get("LookbackPeriodInDays") or "SEVEN_DAYS",
                  "TermInYears": body.get("TermInYears") or "ONE_YEAR",
                  "PaymentOption": body.get("PaymentOption") or "NO_UPFRONT"}
        answer: dict[str, Any] = {"Metadata": self._metadata(f"ri-{service}"), "Recommendations": []}
        if service != RDS or (params["TermInYears"], params["PaymentOption"]) != ("ONE_YEAR", "NO_UPFRONT"):
            return answer
        details = [_rds_detail(a) for a in self.advice.rds]
        if not details:
            return answer
        saving = sum((a.saving_per_instance * a.count for a in self.advice.rds), Decimal(0))
        on_demand = sum((a.on_demand_monthly * a.count for a in self.advice.rds), Decimal(0))
        answer["Recommendations"] = [{
            **params, "RecommendationDetails": details,
            "RecommendationSummary": {"TotalEstimatedMonthlySavingsAmount": _num(saving),
                                      "TotalEstimatedMonthlySavingsPercentage": _pct(saving, on_demand),
                                      "CurrencyCode": "USD"}}]
        return answer

    def GetSavingsPlansPurchaseRecommendation(self, body: dict[str, Any]) -> dict[str, Any]:
        for required in ("SavingsPlansType", "TermInYears", "PaymentOption", "LookbackPeriodInDays"):
            if not body.get(required):
                raise CeError("ValidationException", f"{required} is required")
        params = {"AccountScope": body.get("AccountScope") or "PAYER", "SavingsPlansType": body["SavingsPlansType"],
                  "TermInYears": body["TermInYears"], "PaymentOption": body["PaymentOption"],
                  "LookbackPeriodInDays": body["LookbackPeriodInDays"]}
        answer: dict[str, Any] = {"Metadata": self._metadata("sp"), "SavingsPlansPurchaseRecommendation": params}
        sp = self.advice.savings_plan
        if sp is None or (params["SavingsPlansType"], params["TermInYears"], params["PaymentOption"]) != (
                "COMPUTE_SP", "ONE_YEAR", "NO_UPFRONT"):
            params["SavingsPlansPurchaseRecommendationDetails"] = []
            return answer
        monthly, saving = sp.on_demand_monthly, sp.savings_monthly
        sp_cost = monthly - saving
        hourly = sp.hourly_on_demand.quantize(Decimal("0.0001"))
        common = {"EstimatedROI": _pct(saving, sp_cost), "CurrencyCode": "USD",
                  "EstimatedSavingsAmount": _num(saving), "EstimatedSavingsPercentage": _num(rates.SP_SAVINGS_PCT),
                  "HourlyCommitmentToPurchase": _num(sp.hourly_commitment),
                  "EstimatedMonthlySavingsAmount": _num(saving),
                  "EstimatedOnDemandCostWithCurrentCommitment": _num(monthly)}
        params["SavingsPlansPurchaseRecommendationDetails"] = [{
            "SavingsPlansDetails": {"OfferingId": "sandbox-compute-sp-1y-no-upfront"}, "AccountId": ACCOUNT,
            "UpfrontCost": "0", "EstimatedSPCost": _num(sp_cost), "EstimatedOnDemandCost": _num(monthly),
            "EstimatedAverageUtilization": "100", "CurrentMinimumHourlyOnDemandSpend": _num(hourly),
            "CurrentMaximumHourlyOnDemandSpend": _num(hourly), "CurrentAverageHourlyOnDemandSpend": _num(hourly),
            "RecommendationDetailId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox-sp-{self.today}")), **common}]
        params["SavingsPlansPurchaseRecommendationSummary"] = {
            "EstimatedTotalCost": _num(sp_cost), "CurrentOnDemandSpend": _num(monthly), "TotalRecommendationCount": "1",
            "DailyCommitmentToPurchase": _num(sp.hourly_commitment * 24), **common}
        return answer

    def _metadata(self, kind: str) -> dict[str, str]:
        return {"RecommendationId": f"sandbox-{kind}-{self.today.isoformat()}",
                "GenerationTimestamp": f"{self.today.isoformat()}T00:00:00Z", "AdditionalMetadata": ""}

    def GetRightsizingRecommendation(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("Service") != "AmazonEC2":
            raise CeError("ValidationException", "Service must be AmazonEC2")
        size = int(body.get("PageSize") or 100)
        offset = int(body.get("NextPageToken") or 0)
        recs = [_recommendation(r) for r in self.rightsizing]
        chunk = recs[offset:offset + size]
        savings = sum(Decimal(str(r["savings"])) for r in self.rightsizing)
        answer: dict[str, Any] = {
            "Metadata": {"RecommendationId": "sandbox-rightsizing", "GenerationTimestamp": self.today.isoformat(),
                         "LookbackPeriodInDays": "FOURTEEN_DAYS", "AdditionalMetadata": ""},
            "Summary": {"TotalRecommendationCount": str(len(recs)), "EstimatedTotalMonthlySavingsAmount": str(savings),
                        "SavingsCurrencyCode": "USD", "SavingsPercentage": "0"},
            "RightsizingRecommendations": chunk,
            "Configuration": {"RecommendationTarget": "SAME_INSTANCE_FAMILY", "BenefitsConsidered": False},
        }
        if offset + size < len(recs):
            answer["NextPageToken"] = str(offset + size)
        return answer


def _recommendation(r: dict[str, Any]) -> dict[str, Any]:
    current = {"ResourceId": r["resource_id"], "InstanceName": r.get("name", ""),
               "Tags": [{"Key": k, "Values": [v]} for k, v in sorted(r.get("tags", {}).items())],
               "ResourceDetails": {"EC2ResourceDetails": {"InstanceType": r["instance_type"], "Region": r["region"],
                                                          "Platform": r.get("platform", "Linux/UNIX")}},
               "MonthlyCost": str(r["monthly_cost"]), "CurrencyCode": "USD"}
    out: dict[str, Any] = {"AccountId": ACCOUNT, "CurrentInstance": current, "RightsizingType": r["action"]}
    if r["action"] == "MODIFY":
        out["ModifyRecommendationDetail"] = {"TargetInstances": [{
            "EstimatedMonthlyCost": str(r["target_monthly_cost"]), "EstimatedMonthlySavings": str(r["savings"]),
            "CurrencyCode": "USD", "DefaultTargetInstance": True,
            "ResourceDetails": {"EC2ResourceDetails": {"InstanceType": r["target_type"], "Region": r["region"]}}}]}
    else:
        out["TerminateRecommendationDetail"] = {"EstimatedMonthlySavings": str(r["savings"]), "CurrencyCode": "USD"}
    return out


def _attribute(line: Line, key: str) -> str:
    return {"INSTANCE_TYPE": line.instance_type, "REGION": line.region, "SERVICE": line.service}[key]


def _coverage(lines: list[Line]) -> dict[str, Any]:
    """CoverageHours / CoverageNormalizedUnits / CoverageCost of instance-hour lines."""
    on_demand = sum((ln.quantity for ln in lines if ln.record_type == "Usage"), Decimal(0))
    reserved = sum((ln.quantity for ln in lines if ln.record_type == "DiscountedUsage"), Decimal(0))
    od_units = sum((ln.quantity * normalization_factor(ln.instance_type) for ln in lines
                    if ln.record_type == "Usage"), Decimal(0))
    ri_units = sum((ln.quantity * normalization_factor(ln.instance_type) for ln in lines
                    if ln.record_type == "DiscountedUsage"), Decimal(0))
    cost = sum((ln.cost for ln in lines if ln.record_type == "Usage"), Decimal(0))
    return {"CoverageHours": {"OnDemandHours": _num(on_demand), "ReservedHours": _num(reserved),
                              "TotalRunningHours": _num(on_demand + reserved),
                              "CoverageHoursPercentage": _pct(reserved, on_demand + reserved)},
            "CoverageNormalizedUnits": {"OnDemandNormalizedUnits": _num(od_units),
                                        "ReservedNormalizedUnits": _num(ri_units),
                                        "TotalRunningNormalizedUnits": _num(od_units + ri_units),
                                        "CoverageNormalizedUnitsPercentage": _pct(ri_units, od_units + ri_units)},
            "CoverageCost": {"OnDemandCost": _num(cost)}}


def _utilization(items: list[tuple[Reservation, Decimal, Decimal]]) -> dict[str, str]:
    """ReservationAggregates of (reservation, purchased hours, used hours) rows."""
    purchased = sum((p for _, p, _ in items), Decimal(0))
    actual = sum((min(a, p) for _, p, a in items), Decimal(0))
    units_p = sum((p * r.normalization for r, p, _ in items), Decimal(0))
    units_a = sum((min(a, p) * r.normalization for r, p, a in items), Decimal(0))
    fee = cents(sum((r.hourly * p for r, p, _ in items), Decimal(0)))
    od_used = cents(sum((r.on_demand_hourly * min(a, p) for r, p, a in items), Decimal(0)))
    potential = cents(sum((r.on_demand_hourly * p for r, p, _ in items), Decimal(0))) - fee
    unused_cost = cents(sum((r.hourly * (p - min(a, p)) for r, p, a in items), Decimal(0)))
    net = od_used - fee
    realized = od_used - (fee - unused_cost)
    return {"UtilizationPercentage": _pct(actual, purchased), "UtilizationPercentageInUnits": _pct(units_a, units_p),
            "PurchasedHours": _num(purchased), "PurchasedUnits": _num(units_p), "TotalActualHours": _num(actual),
            "TotalActualUnits": _num(units_a), "UnusedHours": _num(purchased - actual),
            "UnusedUnits": _num(units_p - units_a), "OnDemandCostOfRIHoursUsed": _num(od_used),
            "NetRISavings": _num(net), "TotalPotentialRISavings": _num(potential), "AmortizedUpfrontFee": "0",
            "AmortizedRecurringFee": _num(fee), "TotalAmortizedFee": _num(fee),
            "RICostForUnusedHours": _num(unused_cost), "RealizedSavings": _num(realized),
            "UnrealizedSavings": _num(potential - realized)}


def _as_line(r: Reservation) -> Line:
    """A reservation as a line, so a Cost Explorer filter (SERVICE, REGION, INSTANCE_TYPE ...) can select it."""
    return Line(date.min, r.service, r.region, f"{region_code(r.region)}-BoxUsage:{r.instance_type}", r.instance_type,
                NO_TAGS, Decimal(0), RESERVED, "RunInstances", "DiscountedUsage")


def _rds_detail(a: Any) -> dict[str, Any]:
    family = a.instance_class.rpartition(".")[0]
    on_demand, saving = a.on_demand_monthly * a.count, a.saving_per_instance * a.count
    units = normalization_factor(a.instance_class) * a.count
    return {
        "AccountId": ACCOUNT,
        "InstanceDetails": {"RDSInstanceDetails": {
            "Family": family, "InstanceType": a.instance_class, "Region": a.region,
            "DatabaseEngine": rates.RDS_ENGINE_NAMES[a.engine], "DatabaseEdition": "",
            "DeploymentOption": "Multi-AZ" if a.multi_az else "Single-AZ", "LicenseModel": "No license required",
            "CurrentGeneration": True, "SizeFlexEligible": True}},
        "RecommendedNumberOfInstancesToPurchase": str(a.count), "RecommendedNormalizedUnitsToPurchase": _num(units),
        "MinimumNumberOfInstancesUsedPerHour": str(a.count), "MinimumNormalizedUnitsUsedPerHour": _num(units),
        "MaximumNumberOfInstancesUsedPerHour": str(a.count), "MaximumNormalizedUnitsUsedPerHour": _num(units),
        "AverageNumberOfInstancesUsedPerHour": str(a.count), "AverageNormalizedUnitsUsedPerHour": _num(units),
        "AverageUtilization": "100", "EstimatedBreakEvenInMonths": "0", "CurrencyCode": "USD",
        "EstimatedMonthlySavingsAmount": _num(saving),
        "EstimatedMonthlySavingsPercentage": _num(rates.RDS_RI_SAVINGS_PCT),
        "EstimatedMonthlyOnDemandCost": _num(on_demand),
        "EstimatedReservationCostForLookbackPeriod": _num(cents((on_demand - saving) * 30 / Decimal(730) * 24)),
        "UpfrontCost": "0", "RecurringStandardMonthlyCost": _num(on_demand - saving)}


def _handler(state: CostExplorerState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            return

        def do_POST(self) -> None:  # noqa: N802 - stdlib name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if state.latency_ms:
                time.sleep(state.latency_ms / 1000)
            target = self.headers.get("X-Amz-Target", "")
            operation = target.removeprefix(PREFIX)
            state.requests.append(operation)
            method: Callable[[dict[str, Any]], dict[str, Any]] | None = getattr(state, operation, None) \
                if target.startswith(PREFIX) and operation[:1].isupper() else None
            try:
                if method is None:
                    raise CeError("UnknownOperationException", f"Unknown operation {target!r}")
                payload = json.loads(body or b"{}")
                self._send(200, method(payload))
            except CeError as err:
                self._send(400, {"__type": err.code, "message": err.message})
            except (ValueError, KeyError, TypeError) as err:
                self._send(400, {"__type": "ValidationException", "message": str(err)})

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-amzn-RequestId", "sandbox")
            if status != 200:
                self.send_header("x-amzn-ErrorType", json.loads(data)["__type"])
            self.end_headers()
            self.wfile.write(data)

    return Handler


class LocalServer:
    """A ThreadingHTTPServer on 127.0.0.1 in a daemon thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], port: int = 0) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> LocalServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_cost_explorer(state: CostExplorerState, port: int = 0) -> LocalServer:
    return LocalServer(_handler(state), port)
