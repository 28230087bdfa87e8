"""A bucket keeping everything in Standard, with no lifecycle rules: move the cold share to Standard-IA
(docs/rules.md, S3)."""

from __future__ import annotations

from decimal import Decimal

from agent.analysis.context import Context, Hit
from agent.analysis.evidence import make_hit
from agent.analysis.money import GIB, dec, num, price_evidence, usd
from agent.analysis.prices import PRICE_ERRORS, unit
from agent.analysis.readings import metric
from agent.analysis.rules.base import Rule
from agent.analysis.rules.metrics import OBJECTS, SIZE_STANDARD
from tools.models import Resource

MIN_IA_OBJECT_BYTES = 128 * 1024
MONTHS_TO_RECOVER = 12


def evaluate(bucket: Resource, ctx: Context) -> Hit | None:
    size = metric(bucket, SIZE_STANDARD.key)
    if int(bucket.attributes.get("lifecycle_rules") or 0) > 0 or size is None or size.average is None:
        return None
    gb = dec(size.average) / GIB
    if gb < dec(ctx.settings.s3_lifecycle_min_gb):
        return None
    try:
        std = ctx.prices.s3_gb_month(bucket.region, "STANDARD")
        std_list = ctx.prices.base.s3_gb_month(bucket.region, "STANDARD")
        ia_list = ctx.prices.base.s3_gb_month(bucket.region, "STANDARD_IA")
        fee = ctx.prices.s3_transition_per_1000(bucket.region, "STANDARD_IA")
    except PRICE_ERRORS:
        return None
    cold = dec(ctx.settings.s3_cold_fraction)
    objects = metric(bucket, OBJECTS.key)
    count = dec(objects.average) if objects is not None and objects.average else None
    if count is not None and gb * GIB / count < MIN_IA_OBJECT_BYTES:
        return None  # Standard-IA bills every object as at least 128 KB: small objects cost more there
    monthly = gb * unit(std)
    # Standard-IA at the account's own discount: the billed Standard rate x the list ratio IA / Standard.
    ia = unit(std) * unit(ia_list) / unit(std_list)
    storage_saving = gb * cold * (unit(std) - ia)
    # Moving the cold objects is a one-time fee per object; spread over a year of the saving it buys.
    transition = (count or Decimal(0)) * cold * unit(fee) / 1000 / MONTHS_TO_RECOVER
    saving = storage_saving - transition
    if saving <= 0:
        return None
    evidence = {"standard_gb": float(round(gb, 3)), "days": size.days, "lifecycle_rules": 0,
                "objects": float(count) if count is not None else None,
                "average_object_kb": float(round(gb * GIB / count / 1024, 1)) if count else None,
                "cold_fraction": float(cold), **price_evidence(std), "target_price_source": ia_list.source,
                "transition_fee_source": fee.source,
                "arithmetic": (f"{gb:,.2f} GB x {num(cold)} x ({usd(unit(std), 4)} - {usd(ia, 4)})/GB-month "
                               f"- {num(count or 0)} objects x {num(cold)} x {usd(unit(fee), 4)}/1,000 "
                               f"transitions / {MONTHS_TO_RECOVER} months = {usd(saving)}")}
    if count is None:
        evidence["objects_note"] = "object count not measured: the 128 KB minimum and transition fees not checked"
    text = (f"Add a lifecycle rule moving objects to Standard-IA after 30 days: {gb:,.1f} GB in Standard, "
            f"no lifecycle rules")
    return make_hit("s3_lifecycle", bucket, monthly=monthly, savings=saving, recommendation=text,
                    evidence=evidence, base=0.5, days=None, settings=ctx.settings, basis=std.basis)


RULE = Rule(
    name="s3_lifecycle", type="s3_lifecycle", kinds=("s3_bucket",), evaluate=evaluate,
    metrics=(SIZE_STANDARD, OBJECTS), prices=("s3_gb_month", "s3_transition_per_1000"),
    thresholds=("s3_lifecycle_min_gb", "s3_cold_fraction"),
    description="buckets keeping everything in Standard",
)
