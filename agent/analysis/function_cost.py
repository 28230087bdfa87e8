"""What a Lambda function costs a month: requests plus GB-seconds at its architecture's price (docs/rules.md)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from agent.analysis.context import Context
from agent.analysis.money import HOURS, dec, num, usd
from agent.analysis.prices import PRICE_ERRORS, unit
from agent.analysis.readings import metric
from tools.models import PriceBasis, Resource


@dataclass(frozen=True)
class FnCost:
    requests: Decimal
    compute: Decimal
    source: str
    arithmetic: str
    basis: PriceBasis = "book"

    @property
    def total(self) -> Decimal:
        return self.requests + self.compute


def fn_cost(fn: Resource, ctx: Context) -> FnCost | None:
    """Monthly cost: requests (daily mean x 730/24) plus GB-seconds at the architecture's price; None without
    invocations or prices."""
    invocations, duration = metric(fn, "invocations"), metric(fn, "duration")
    if invocations is None or invocations.average is None:
        return None
    arch = str(fn.attributes.get("architecture") or "x86_64")
    memory = dec(fn.attributes.get("memory_mb") or 128)
    try:
        request, gb_second = ctx.prices.lambda_request(fn.region), ctx.prices.lambda_gb_second(fn.region, arch)
    except PRICE_ERRORS:
        return None
    monthly_calls = dec(invocations.average) * HOURS / 24
    seconds = dec(duration.average or 0) / 1000 if duration else Decimal(0)
    gb_seconds = monthly_calls * seconds * memory / 1024
    requests, compute = monthly_calls * unit(request), gb_seconds * unit(gb_second)
    text = (f"{monthly_calls:,.0f} calls x {usd(unit(request), 7)} + {monthly_calls:,.0f} x {num(seconds)} s x "
            f"{num(memory)}/1024 GB x {usd(unit(gb_second), 10)}/GB-s = {usd(requests)} + {usd(compute)}")
    return FnCost(requests, compute, gb_second.source, text, gb_second.basis)
