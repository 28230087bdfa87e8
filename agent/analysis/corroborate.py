"""AWS's own rightsizing advice (Cost Explorer GetRightsizingRecommendation) as corroboration of our findings.

Our rules decide what is found; AWS's recommendation only adds evidence and raises the confidence of an
EC2 finding we already made for the same instance, by a rule that declares `corroborated` (idle and stopped
instances, rightsizing; docs/rules.md).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from agent.analysis.context import Hit
from tools.models import AwsRightsizing

AGREEMENT_FACTOR = Decimal("0.5")
"""AWS agreeing removes this share of the remaining doubt: confidence c -> c + (1 - c) x 0.5."""
SOURCE = "Cost Explorer GetRightsizingRecommendation"


def corroborated_confidence(confidence: float) -> float:
    c = Decimal(str(confidence))
    return float((c + (1 - c) * AGREEMENT_FACTOR).quantize(Decimal("0.001")))


def corroborate(hit: Hit, advice: dict[str, AwsRightsizing]) -> Hit:
    """The hit with AWS's recommendation for its instance in the evidence and a higher confidence, if any."""
    rec = advice.get(hit.finding.resource_id)
    if rec is None:
        return hit
    before = hit.finding.confidence
    evidence = {**hit.finding.evidence, "aws_recommendation": {
        "action": rec.action, "target_type": rec.target_type,
        "estimated_monthly_savings": rec.estimated_monthly_savings, "source": SOURCE,
        "confidence": f"{before:g} -> {corroborated_confidence(before):g} (AWS agrees)"}}
    finding = hit.finding.model_copy(update={"evidence": evidence,
                                             "confidence": corroborated_confidence(before)})
    return replace(hit, finding=finding)
