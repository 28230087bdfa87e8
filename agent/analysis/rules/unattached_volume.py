"""A volume attached to nothing: its whole monthly cost (docs/rules.md, EBS)."""

from __future__ import annotations

from typing import Any

from agent.analysis.context import Context, Hit
from agent.analysis.evidence import make_hit
from agent.analysis.money import price_evidence, unpriced_evidence, usd
from agent.analysis.prices import PRICE_ERRORS
from agent.analysis.rules.base import Rule
from agent.analysis.volume_cost import priced
from tools.models import Resource


def evaluate(volume: Resource, ctx: Context) -> Hit | None:
    evidence: dict[str, Any] = {"state": "available", "volume_type": volume.resource_type,
                                "size_gb": volume.attributes.get("size_gb")}
    recommendation = f"Snapshot if needed, then delete: unattached {volume.resource_type} volume"
    try:
        monthly, quote, text = priced(volume, volume.resource_type, ctx)
    except PRICE_ERRORS as exc:
        evidence |= unpriced_evidence(str(exc))
        return make_hit("unattached_volume", volume, monthly=None, savings=None, recommendation=recommendation,
                        evidence=evidence, base=0.95, days=None, settings=ctx.settings)
    evidence |= {**price_evidence(quote), "arithmetic": f"{text} = {usd(monthly)}"}
    return make_hit("unattached_volume", volume, monthly=monthly, savings=monthly,
                    recommendation=recommendation, evidence=evidence, base=0.95, days=None, settings=ctx.settings,
                    basis=quote.basis)


RULE = Rule(
    name="unattached_volume", type="unattached_volume", kinds=("ebs_volume",), states=("available",),
    evaluate=evaluate, prices=("ebs_gb_month", "ebs_iops_month"), excludes=("volume_type_upgrade",),
    description="volumes attached to nothing",
)
