"""AWS's purchase advice is a ceiling, not a per-resource rate: findings never claim more than it offers.

A Reserved Instance recommendation is for `count` instances; a Savings Plan recommendation saves an estimated amount
a month for the whole account (or organization). Matching every steady resource against it would claim the advice
once per resource: with many accounts, several times over. So the findings of one recommendation are listed in
order (the caller's own account first, then the largest on-demand cost, then the id) until the advice is used up:
at most `count` databases per RI recommendation, and Savings Plan savings adding up to at most AWS's estimate (the
last one listed takes what is left).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from agent.analysis.context import Context, Hit
from agent.analysis.money import dec, num, usd
from tools.models import cents


def _order(hit: Hit, ctx: Context) -> tuple[bool, Decimal, str]:
    own = hit.finding.account_id in ("", ctx.account_id)
    return not own, -dec(hit.finding.monthly_cost or 0), hit.finding.resource_id


def _advice_of(hit: Hit) -> tuple[object, ...]:
    advice = hit.finding.evidence.get("aws_purchase_recommendation") or {}
    return (hit.finding.region, hit.finding.resource_type, advice.get("instances"),
            advice.get("estimated_monthly_savings"), advice.get("term"), advice.get("payment_option"))


def limit_reservations(hits: list[Hit], ctx: Context) -> list[Hit]:
    """At most `count` databases per Reserved Instance recommendation."""
    groups: dict[tuple[object, ...], list[Hit]] = defaultdict(list)
    for hit in hits:
        groups[_advice_of(hit)].append(hit)
    kept: list[Hit] = []
    for members in groups.values():
        instances = int(dec(members[0].finding.evidence["aws_purchase_recommendation"]["instances"]).to_integral_value(
            rounding="ROUND_CEILING"))
        ranked = sorted(members, key=lambda h: _order(h, ctx))
        if len(ranked) > instances:
            note = (f"AWS recommends {num(instances)} reservation(s) for {ranked[0].finding.resource_type} in "
                    f"{ranked[0].finding.region}; {len(ranked)} databases match, the first {num(instances)} "
                    "(own account first, then the largest) are listed")
            for hit in ranked[:instances]:
                hit.finding = hit.finding.model_copy(update={"evidence": {**hit.finding.evidence, "allocated": note}})
        kept.extend(ranked[:instances])
    return kept


def limit_savings_plan(hits: list[Hit], ctx: Context) -> list[Hit]:
    """Savings Plan findings add up to at most AWS's estimated monthly saving for the account."""
    advice = ctx.savings_plan()
    if advice is None or not hits:
        return hits
    ceiling = dec(advice.estimated_monthly_savings)
    claimed = sum((dec(h.finding.estimated_savings or 0) for h in hits), Decimal(0))
    if ceiling <= 0 or claimed <= ceiling:
        return hits
    kept: list[Hit] = []
    left = ceiling
    for hit in sorted(hits, key=lambda h: _order(h, ctx)):
        if left <= 0:
            break
        saving = dec(hit.finding.estimated_savings or 0)
        note = (f"AWS estimates {usd(ceiling)} a month for the account's Savings Plan; the {len(hits)} steady "
                f"instances would claim {usd(claimed)}, so they are listed until the estimate is used up (own account "
                "first, then the largest)")
        evidence = {**hit.finding.evidence, "allocated": note}
        update: dict[str, object] = {"evidence": evidence}
        if saving > left:
            evidence["arithmetic"] = (f"{hit.finding.evidence.get('arithmetic', '')}; capped at what is left of "
                                      f"AWS's estimate: {usd(left)}")
            update["estimated_savings"] = cents(left)
            saving = left
        hit.finding = hit.finding.model_copy(update=update)
        kept.append(hit)
        left -= saving
    return kept
