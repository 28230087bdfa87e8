"""A bucket keeping multipart uploads started over a week ago, without an abort rule (docs/rules.md, S3)."""

from __future__ import annotations

from datetime import timedelta

from agent.analysis.context import Context, Hit
from agent.analysis.evidence import make_hit
from agent.analysis.money import dec, num, price_evidence, usd
from agent.analysis.prices import PRICE_ERRORS, unit
from agent.analysis.readings import as_datetime, utc
from agent.analysis.rules.base import Rule
from tools.models import Resource

UPLOAD_MIN_AGE_DAYS = 7


def evaluate(bucket: Resource, ctx: Context) -> Hit | None:
    attrs = bucket.attributes
    oldest = as_datetime(attrs.get("incomplete_upload_oldest"))
    if attrs.get("has_abort_incomplete_rule") or not int(attrs.get("incomplete_uploads") or 0) or oldest is None:
        return None
    if utc(ctx.now) - oldest <= timedelta(days=UPLOAD_MIN_AGE_DAYS):
        return None
    try:
        std = ctx.prices.s3_gb_month(bucket.region, "STANDARD")
    except PRICE_ERRORS:
        return None
    gb = dec(attrs.get("incomplete_parts_gb") or attrs.get("incomplete_upload_gb") or 0)
    monthly = gb * unit(std)
    evidence = {"incomplete_uploads": int(attrs["incomplete_uploads"]), "oldest": oldest.isoformat(),
                "parts_gb": float(gb), **price_evidence(std),
                "arithmetic": f"{num(gb)} GB x {usd(unit(std), 4)}/GB-month = {usd(monthly)}"}
    text = (f"Add a lifecycle rule with AbortIncompleteMultipartUpload (7 days): "
            f"{attrs['incomplete_uploads']} incomplete uploads, oldest {oldest.date().isoformat()}")
    return make_hit("s3_incomplete_uploads", bucket, monthly=monthly, savings=monthly, recommendation=text,
                    evidence=evidence, base=0.9, days=None, settings=ctx.settings, basis=std.basis)


RULE = Rule(
    name="s3_incomplete_uploads", type="s3_incomplete_uploads", kinds=("s3_bucket",), evaluate=evaluate,
    prices=("s3_gb_month",),
    description="buckets keeping incomplete multipart uploads",
)
