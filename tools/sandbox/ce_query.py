"""GetCostAndUsage and GetCostForecast over the seeded table: periods, filters, group-bys, metrics, paging, and
the number formats every answer shares. Pure functions.

Metrics answer from the line's fields as Cost Explorer does: UnblendedCost, BlendedCost and NetUnblendedCost
from the unblended cost; AmortizedCost and NetAmortizedCost from the amortized cost (the account has no
discounts, so Net* equal their base); UsageQuantity sums the quantities, with the unit when every summed line
with a unit shares it, else "N/A".

LINKED_ACCOUNT is each line's account. Given the accounts' names (an organization), an answer grouped by
LINKED_ACCOUNT lists them in DimensionValueAttributes ({"Value": id, "Attributes": {"description": name}}) as AWS
does for the accounts on its page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from tools.sandbox.cost_lines import TAG_KEYS, Line
from tools.sandbox.fleet import ACCOUNT_ID

ACCOUNT = ACCOUNT_ID
PAGE_ROWS = 500
DIMENSIONS = {
    "SERVICE": lambda line: line.service,
    "REGION": lambda line: line.region,
    "USAGE_TYPE": lambda line: line.usage_type,
    "INSTANCE_TYPE": lambda line: line.instance_type,
    "LINKED_ACCOUNT": lambda line: line.account_id,
    "PURCHASE_TYPE": lambda line: line.purchase_type,
    "RECORD_TYPE": lambda line: line.record_type,
    "OPERATION": lambda line: line.operation,
}
COST_METRICS = {"UnblendedCost": "cost", "BlendedCost": "cost", "NetUnblendedCost": "cost",
                "AmortizedCost": "amortized", "NetAmortizedCost": "amortized"}
METRICS = {*COST_METRICS, "UsageQuantity"}


@dataclass
class Sum:
    """One cell of the answer: both costs, the quantity and the units of the lines summed."""

    cost: Decimal = Decimal(0)
    amortized: Decimal = Decimal(0)
    quantity: Decimal = Decimal(0)
    units: set[str] = field(default_factory=set)

    def add(self, line: Line) -> None:
        self.cost += line.cost
        self.amortized += line.amortized
        self.quantity += line.quantity
        if line.unit:
            self.units.add(line.unit)

    def metric(self, name: str) -> dict[str, str]:
        if name == "UsageQuantity":
            unit = next(iter(self.units)) if len(self.units) == 1 else "N/A"
            return {"Amount": number(self.quantity), "Unit": unit}
        value = self.cost if COST_METRICS[name] == "cost" else self.amortized
        return {"Amount": number(value), "Unit": "USD"}


class CeError(Exception):
    """An error Cost Explorer would return: code and message, HTTP 400."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _tag(line: Line, key: str) -> str:
    return line.tags[TAG_KEYS.index(key)] if key in TAG_KEYS else ""


def matches(line: Line, expr: dict[str, Any]) -> bool:
    """Evaluate a Cost Explorer Expression (Dimensions, Tags, And, Or, Not)."""
    if "And" in expr:
        return all(matches(line, e) for e in expr["And"])
    if "Or" in expr:
        return any(matches(line, e) for e in expr["Or"])
    if "Not" in expr:
        return not matches(line, expr["Not"])
    if "Dimensions" in expr:
        dim = expr["Dimensions"]
        getter = DIMENSIONS.get(dim.get("Key", ""))
        if getter is None:
            raise CeError("ValidationException", f"Unsupported dimension {dim.get('Key')!r} in filter")
        return getter(line) in set(dim.get("Values", []))
    if "Tags" in expr:
        tag = expr["Tags"]
        value = _tag(line, tag.get("Key", ""))
        if "ABSENT" in tag.get("MatchOptions", []):
            return value == ""
        return value in set(tag.get("Values", []))
    raise CeError("ValidationException", "Expression must contain one of And, Or, Not, Dimensions, Tags")


def parse_period(period: dict[str, str]) -> tuple[date, date]:
    try:
        start, end = date.fromisoformat(period["Start"]), date.fromisoformat(period["End"])
    except (KeyError, ValueError, TypeError) as exc:
        raise CeError("ValidationException", "TimePeriod needs Start and End as YYYY-MM-DD") from exc
    if end <= start:
        raise CeError("ValidationException", "Start date must be before end date")
    return start, end


def periods(start: date, end: date, granularity: str) -> list[tuple[date, date]]:
    """[start, end) split by day or calendar month."""
    if granularity == "DAILY":
        return [(start + timedelta(days=n), start + timedelta(days=n + 1)) for n in range((end - start).days)]
    if granularity == "MONTHLY":
        out, cursor = [], start
        while cursor < end:
            nxt = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
            out.append((cursor, min(nxt, end)))
            cursor = min(nxt, end)
        return out
    raise CeError("ValidationException", f"Granularity {granularity!r} is not supported (DAILY or MONTHLY)")


def _group_key(line: Line, group_by: list[dict[str, str]]) -> tuple[str, ...]:
    keys = []
    for g in group_by:
        if g.get("Type") == "TAG":
            keys.append(f"{g['Key']}${_tag(line, g['Key'])}")
        else:
            keys.append(DIMENSIONS[g["Key"]](line))
    return tuple(keys)


def _validate(body: dict[str, Any]) -> None:
    metrics = body.get("Metrics") or []
    if not metrics or any(m not in METRICS for m in metrics):
        raise CeError("ValidationException", f"Metrics must be one or more of {sorted(METRICS)}")
    group_by = body.get("GroupBy") or []
    if len(group_by) > 2:
        raise CeError("ValidationException", "You can only group by up to two dimensions or tags")
    for g in group_by:
        unknown_dimension = g.get("Type") == "DIMENSION" and g.get("Key") not in DIMENSIONS
        if g.get("Type") not in ("DIMENSION", "TAG") or unknown_dimension:
            raise CeError("ValidationException", f"Group Definition {g.get('Type')}:{g.get('Key')} is not supported")


def number(value: Decimal) -> str:
    """An amount as Cost Explorer writes it: plain digits, no exponent, no trailing zeros."""
    return format(value.normalize() if value else Decimal(0), "f")


def percent(part: Decimal, whole: Decimal) -> str:
    return number((100 * part / whole).quantize(Decimal("0.01"))) if whole else "0"


def cost_and_usage(lines: list[Line], body: dict[str, Any], today: date,
                   account_names: dict[str, str] | None = None) -> dict[str, Any]:
    """The full (unpaged) answer as (period, groups) rows, then one page of it."""
    _validate(body)
    start, end = parse_period(body.get("TimePeriod") or {})
    spans = periods(start, end, body.get("Granularity") or "DAILY")
    group_by = body.get("GroupBy") or []
    expr = body.get("Filter")
    sums: dict[tuple[date, date], dict[tuple[str, ...], Sum]] = {s: defaultdict(Sum) for s in spans}
    index = {s[0] + timedelta(days=n): s for s in spans for n in range((s[1] - s[0]).days)}
    for line in lines:
        span = index.get(line.day)
        if span is None or (expr and not matches(line, expr)):
            continue
        sums[span][_group_key(line, group_by)].add(line)
    rows: list[tuple[tuple[date, date], tuple[str, ...] | None, Sum]] = []
    for span in spans:
        if group_by:
            rows.extend((span, k, v) for k, v in sorted(sums[span].items()))
        else:
            total = Sum()
            for cell in sums[span].values():
                total.cost += cell.cost
                total.amortized += cell.amortized
                total.quantity += cell.quantity
                total.units |= cell.units
            rows.append((span, None, total))
    return _page(rows, body, group_by, today, account_names or {})


def _page(rows: list[Any], body: dict[str, Any], group_by: list[dict[str, str]], today: date,
          account_names: dict[str, str]) -> dict[str, Any]:
    token = body.get("NextPageToken")
    try:
        offset = int(token) if token else 0
    except ValueError as exc:
        raise CeError("InvalidNextTokenException", "The pagination token is invalid") from exc
    chunk = rows[offset:offset + PAGE_ROWS]
    metrics = body["Metrics"]
    results: list[dict[str, Any]] = []
    for span, keys, value in chunk:
        if not results or results[-1]["TimePeriod"]["Start"] != span[0].isoformat():
            results.append({"TimePeriod": {"Start": span[0].isoformat(), "End": span[1].isoformat()},
                            "Total": {}, "Groups": [], "Estimated": span[1] > today})
        if keys is None:
            results[-1]["Total"] = {m: value.metric(m) for m in metrics}
        else:
            results[-1]["Groups"].append({"Keys": list(keys), "Metrics": {m: value.metric(m) for m in metrics}})
    answer: dict[str, Any] = {"ResultsByTime": results,
                              "DimensionValueAttributes": _account_attributes(chunk, group_by, account_names)}
    if group_by:
        answer["GroupDefinitions"] = [{"Type": g["Type"], "Key": g["Key"]} for g in group_by]
    if offset + PAGE_ROWS < len(rows):
        answer["NextPageToken"] = str(offset + PAGE_ROWS)
    return answer


def _account_attributes(chunk: list[Any], group_by: list[dict[str, str]],
                        account_names: dict[str, str]) -> list[dict[str, Any]]:
    """The names of the linked accounts on the page, when grouped by LINKED_ACCOUNT and the names are known."""
    at = [i for i, g in enumerate(group_by) if g.get("Type") == "DIMENSION" and g.get("Key") == "LINKED_ACCOUNT"]
    if not at or not account_names:
        return []
    ids = sorted({keys[at[0]] for _, keys, _ in chunk})
    return [{"Value": i, "Attributes": {"description": account_names[i]}} for i in ids if i in account_names]


def cost_forecast(lines: list[Line], body: dict[str, Any], today: date) -> dict[str, Any]:
    """The mean daily cost of the last 7 days over the forecast period, with a +-10 % prediction interval."""
    start, end = parse_period(body.get("TimePeriod") or {})
    if start < today:
        raise CeError("DataUnavailableException", "Forecast start date must be today or later")
    week = [today - timedelta(days=n) for n in range(1, 8)]
    daily = sum((ln.cost for ln in lines if ln.day in week), Decimal(0)) / 7
    days = (end - start).days
    mean = (daily * days).quantize(Decimal("0.0001"))
    low, high = (str((mean * Decimal(f)).quantize(Decimal("0.0001"))) for f in ("0.9", "1.1"))
    by_time = [{"TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()}, "MeanValue": str(mean),
                "PredictionIntervalLowerBound": low, "PredictionIntervalUpperBound": high}]
    return {"Total": {"Amount": str(mean), "Unit": "USD"}, "ForecastResultsByTime": by_time}
