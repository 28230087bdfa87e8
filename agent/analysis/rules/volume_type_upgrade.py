"""A gp2 or io1/io2 volume (up to 16,000 IOPS) that costs less as gp3 at equal performance (docs/rules.md, EBS)."""

from __future__ import annotations

from agent.analysis.context import Context, Hit
from agent.analysis.evidence import make_hit
from agent.analysis.money import usd
from agent.analysis.prices import PRICE_ERRORS
from agent.analysis.rules.base import Rule
from agent.analysis.volume_cost import equal_performance, gp3_cost, priced, provisioned_iops
from tools.models import Resource

IO_TO_GP3_MAX_IOPS = 16000


def evaluate(volume: Resource, ctx: Context) -> Hit | None:
    vtype = volume.resource_type
    if vtype not in ("gp2", "io1", "io2") or (vtype != "gp2" and provisioned_iops(volume) > IO_TO_GP3_MAX_IOPS):
        return None
    try:
        now_cost, now_quote, now_text = priced(volume, vtype, ctx)
        new_cost, new_source, new_text = gp3_cost(volume, ctx)
    except PRICE_ERRORS:
        return None
    target_iops, target_mibs = equal_performance(volume)
    saving = now_cost - new_cost
    if saving <= 0:
        return None
    evidence = {"volume_type": vtype, "size_gb": volume.attributes.get("size_gb"), "iops": provisioned_iops(volume),
                "gp3_iops": target_iops, "gp3_throughput_mibs": target_mibs,
                "price_basis": now_quote.basis, "price_source": now_quote.source, "target_price_source": new_source,
                "arithmetic": f"({now_text}) - ({new_text}) = {usd(now_cost)} - {usd(new_cost)} = {usd(saving)}"}
    text = (f"Change volume type {vtype} -> gp3 (online, no downtime) with {target_iops:,} IOPS and "
            f"{target_mibs} MiB/s: the same sustained performance")
    return make_hit("volume_type_upgrade", volume, monthly=now_cost, savings=saving, recommendation=text,
                    evidence=evidence, base=0.9, days=None, settings=ctx.settings, basis=now_quote.basis)


RULE = Rule(
    name="volume_type_upgrade", type="volume_type_upgrade", kinds=("ebs_volume",), evaluate=evaluate,
    prices=("ebs_gb_month", "ebs_iops_month", "ebs_throughput_month"),
    description="gp2/io1/io2 volumes that cost less as gp3",
)
