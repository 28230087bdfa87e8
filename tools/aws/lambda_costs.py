"""Lambda functions of one region (service label Lambda), priced from measured usage.

Monthly cost needs measured invocations and duration, so it is priced after utilization (`price_function`):
(invocations a day x 730/24) x the request price + GB-seconds x the GB-second price for the architecture.
Memory actually used and cold starts come only from Lambda Insights; without it the Resource says so.
Function names are unique only within a region: `resource_id` is the FunctionArn, `name` the function name.
Collection and pricing only: the seed's analysis methods are in agent/surfaces/collectors.py (docs/rules.md).
"""

from __future__ import annotations

from decimal import Decimal

from tools.aws.clients import ClientFactory
from tools.aws.inventory_common import monthly_of, quote, set_cost, summary_value
from tools.aws.paginate import paginate
from tools.models import Resource, cents
from tools.pricing.book import HOURS_PER_MONTH, PriceBook
from tools.settings import Settings

DAYS_PER_MONTH = HOURS_PER_MONTH / Decimal(24)
NOTE_MEMORY = "memory used not measured (enable Lambda Insights)"
NOTE_COLD_STARTS = "cold starts not measured (enable Lambda Insights; init_duration comes from it or the logs)"
NOTE_NO_USAGE = "no invocation metrics in the lookback: monthly cost shown as 0"


class LambdaCostCollector:
    def __init__(self, factory: ClientFactory, prices: PriceBook, settings: Settings) -> None:
        self.factory = factory
        self.prices = prices
        self.settings = settings

    def collect(self, region: str) -> list[Resource]:
        return self.collect_lambda_costs(region)

    def collect_lambda_costs(self, region: str | None = None) -> list[Resource]:
        """Every function (50 a page, the API's maximum); costed once utilization is known."""
        region = region or self.settings.aws_default_region
        client = self.factory.client("lambda", region)
        out = []
        for fn in paginate(client, "list_functions", "Functions", PaginationConfig={"PageSize": 50}):
            out.append(Resource(
                resource_id=fn.get("FunctionArn") or fn["FunctionName"], kind="lambda_function", service="Lambda",
                region=region,
                resource_type=fn.get("Runtime", "") or fn.get("PackageType", ""), state=fn.get("State", "") or "",
                name=fn["FunctionName"],
                attributes={"memory_mb": int(fn.get("MemorySize") or 128),
                            "architecture": (fn.get("Architectures") or ["x86_64"])[0],
                            "runtime": fn.get("Runtime"), "timeout_s": fn.get("Timeout"),
                            "arn": fn.get("FunctionArn")},
            ))
        return out

    def price_function(self, r: Resource) -> Resource:
        """Monthly cost from measured usage; plain notes for what Lambda Insights would have told."""
        region, memory = r.region, Decimal(r.attributes["memory_mb"])
        per_day = Decimal(str(summary_value(r, "invocations") or 0))
        duration_ms = Decimal(str(summary_value(r, "duration") or 0))
        monthly_requests = per_day * DAYS_PER_MONTH
        gb_seconds = monthly_requests * duration_ms / 1000 * memory / 1024
        gb_q, note = quote(self.prices.lambda_gb_second, region, r.attributes["architecture"])
        request_q, request_note = quote(self.prices.lambda_request, region)
        compute, requests = monthly_of(gb_q, gb_seconds), monthly_of(request_q, monthly_requests)
        r.attributes.update(monthly_requests=float(round(monthly_requests, 2)),
                            monthly_gb_seconds=float(round(gb_seconds, 4)),
                            compute_monthly_cost=cents(compute), request_monthly_cost=cents(requests))
        if "invocations" not in r.utilization or r.utilization["invocations"].days == 0:
            note = note or NOTE_NO_USAGE
        for missing_key, text in (("memory_used_max", NOTE_MEMORY), ("cold_starts", NOTE_COLD_STARTS)):
            summary = r.utilization.get(missing_key)
            if (summary is None or summary.days == 0) and text not in r.notes:
                r.notes.append(text)
        return set_cost(r, compute + requests, gb_q, note or request_note)
