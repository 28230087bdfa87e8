"""The planted anomalies and the anomaly rule over the table (what docs/rules.md must flag, and does).

One anomaly is planted: Lambda GB-seconds x3 on one day ten days ago in the first region (us-east-1 when present);
the extended variant adds a second, a brand-new service (DynamoDB provisioned writes, ~$25 a day from
NEW_SERVICE_DAYS_AGO days ago, never before) in the same region. `costs` plants them; this module says where.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from tools.sandbox.cost_lines import DYNAMODB, LAMBDA, Line, region_code
from tools.sandbox.fleet import Fleet

ANOMALY_DAYS_AGO = 10
NEW_SERVICE_DAYS_AGO = 5
NEW_SERVICE_USAGE = "WriteCapacityUnit-Hrs"
NEW_SERVICE_WCU = 1600
"""Provisioned write capacity of the extended variant's new DynamoDB table: 1,600 WCU x 24 h x rates.DYNAMODB_WCU_HOUR
= $24.96 a day."""


def anomaly_region(fleet: Fleet) -> str:
    return "us-east-1" if "us-east-1" in fleet.regions else fleet.regions[0]


def planted_anomalies(fleet: Fleet, today: date) -> list[dict[str, str]]:
    """The anomalies docs/rules.md must flag, by date: the Lambda spike, and the first day of a new service's spend."""
    region = anomaly_region(fleet)
    day = today - timedelta(days=ANOMALY_DAYS_AGO)
    out = [{"service": LAMBDA, "region": region, "date": day.isoformat(),
            "driver": f"{region_code(region)}-Lambda-GB-Second"}]
    for block in (b for b in fleet.blocks if b.new_service):
        out.append({"service": DYNAMODB, "region": block.region,
                    "date": (today - timedelta(days=NEW_SERVICE_DAYS_AGO)).isoformat(),
                    "driver": f"{region_code(block.region)}-{NEW_SERVICE_USAGE}"})
    return sorted(out, key=lambda a: a["date"])


def flagged_anomalies(lines: list[Line], start: date, end: date, threshold_pct: float = 20.0,
                      min_dollars: float = 5.0) -> list[tuple[str, str, date]]:
    """docs/rules.md's anomaly rule over the table's usage basis: (service, region, day) flagged inside start..end,
    rises against the same-weekday baseline and new spend (>= min_dollars after 4 weeks of none)."""
    daily: dict[tuple[str, str], dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in lines:
        if line.is_usage:
            daily[(line.service, line.region)][line.day] += line.amortized
    first_day = min((ln.day for ln in lines), default=start)
    threshold, least = 1 + Decimal(str(threshold_pct)) / 100, Decimal(str(min_dollars))
    flagged = []
    for (service, region), series in sorted(daily.items()):
        for day in sorted(series):
            if not start <= day <= end:
                continue
            actual = series[day]
            quiet = all(not series.get(day - timedelta(days=n)) for n in range(1, 29))
            if quiet and day - timedelta(days=28) >= first_day and actual >= least:
                flagged.append((service, region, day))
                continue
            previous = [series[day - timedelta(weeks=w)] for w in range(1, 5) if day - timedelta(weeks=w) in series]
            if len(previous) < 2:
                continue
            baseline = sum(previous, Decimal(0)) / len(previous)
            if actual > baseline * threshold and actual - baseline >= least:
                flagged.append((service, region, day))
    return flagged
