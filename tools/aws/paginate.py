"""Pagination: botocore's paginators where they exist, a token loop where they do not (Cost Explorer)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# Operations without a botocore paginator, and their (request token, response token) names.
_TOKEN_NAMES = {
    "get_cost_and_usage": ("NextPageToken", "NextPageToken"),
    "get_cost_and_usage_with_resources": ("NextPageToken", "NextPageToken"),
    "get_reservation_utilization": ("NextPageToken", "NextPageToken"),
    "get_reservation_coverage": ("NextPageToken", "NextPageToken"),
    "get_savings_plans_utilization_details": ("NextToken", "NextToken"),
    "get_savings_plans_coverage": ("NextToken", "NextToken"),
    "get_rightsizing_recommendation": ("NextPageToken", "NextPageToken"),
    "get_reservation_purchase_recommendation": ("NextPageToken", "NextPageToken"),
    "get_metric_data": ("NextToken", "NextToken"),
}


def pages(client: Any, operation: str, **params: Any) -> Iterator[dict[str, Any]]:
    """Yield every page of `operation`. Each page is one request (and, for Cost Explorer, one paid call)."""
    if client.can_paginate(operation):
        yield from client.get_paginator(operation).paginate(**params)
        return
    request_token, response_token = _TOKEN_NAMES.get(operation, ("NextToken", "NextToken"))
    method = getattr(client, operation)
    token: str | None = None
    while True:
        page = method(**params, **({request_token: token} if token else {}))
        yield page
        token = page.get(response_token)
        if not token:
            return


def paginate(client: Any, operation: str, result_key: str, **params: Any) -> Iterator[Any]:
    """Yield the items under `result_key` across every page."""
    for page in pages(client, operation, **params):
        yield from page.get(result_key, [])
