"""Stored data the chat tests read: daily spend from the 1st of last month to yesterday, and a report."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tools.models import CollectionResult, CostRow, CostSummary, TimePeriod

EC2 = "Amazon Elastic Compute Cloud - Compute"
LAMBDA = "AWS Lambda"
DAILY = {(EC2, "us-east-1"): 10.0, (EC2, "eu-west-1"): 2.5, (LAMBDA, "us-east-1"): 1.25}


def last_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def seed(storage, report, today: date) -> tuple[date, date]:
    """Store the spend and the report; return last month's (start, end)."""
    start, end = last_month(today)
    days = [start + timedelta(days=i) for i in range((today - start).days)]
    rows = [CostRow(day=d, service=s, region=r, usage_type="", cost=c) for d in days for (s, r), c in DAILY.items()]
    costs = CostSummary(time_period=TimePeriod(start=days[0], end=days[-1]),
                        total_cost=round(sum(x.cost for x in rows), 2), daily=rows)
    collection = CollectionResult(account_id="123456789012", collected_at=datetime.now(UTC),
                                  regions=["us-east-1", "eu-west-1"], costs=costs)
    storage.store_collection(collection, "run-chat")
    storage.store_report(report, "run-chat")
    return start, end
