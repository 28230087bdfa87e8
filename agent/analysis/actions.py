""""Do this first": one action per resource (its counted finding), ranked by saving x confidence.

Each action says what it takes (effort) and what it puts at risk, so the list can be worked top down: the
cheapest safe change with the largest expected saving comes first.
"""

from __future__ import annotations

from decimal import Decimal

from agent.analysis.savings import Counted, counted_findings
from tools.models import Action, Effort, Opportunity, OpportunityType

DO_FIRST = 10
CONFIDENCE = ("Confidence is how sure the saving is, from 0 to 1: the rule's base certainty (0.99 for an address "
              "nobody uses, 0.7 for a spot move that depends on the workload) times the share of the metrics window "
              "that had data (7 of 14 days halves it); when AWS's own rightsizing advice agrees, half the remaining "
              "doubt is removed. Actions are ranked by saving x confidence.")

EFFORT: dict[OpportunityType, tuple[Effort, str]] = {
    "idle_resource": ("data deletion", "Terminating deletes the instance: snapshot its volumes or make an image "
                                       "first, or stop it and watch who complains."),
    "rightsizing": ("restart", "The instance stops while its type changes (minutes of downtime); the smaller "
                               "type has less headroom for peaks."),
    "previous_generation": ("restart", "The instance stops while its type changes; check the AMI supports the "
                                       "newer generation (ENA and NVMe drivers)."),
    "spot_migration": ("restart", "Spot capacity can be taken back with two minutes' notice: only for workloads "
                                  "that tolerate interruption."),
    "reserved_instance": ("purchase", "A 1- or 3-year commitment, billed whether or not the instance keeps "
                                      "running."),
    "savings_plan": ("purchase", "An hourly commitment for 1 or 3 years, billed whether or not the usage stays."),
    "unattached_volume": ("data deletion", "Deleting destroys the data: take a snapshot first if anyone may "
                                           "need it."),
    "volume_type_upgrade": ("online change", "Elastic Volumes change the type while attached; the volume stays in "
                                             "use, and its next change must wait six hours."),
    "old_snapshot": ("data deletion", "A deleted snapshot cannot be restored: archive it instead when a "
                                      "retention rule needs it."),
    "unused_elastic_ip": ("removal", "A released address is usually gone for good: check DNS records and "
                                     "allow-lists that name it."),
    "idle_nat_gateway": ("removal", "Instances in private subnets routed through it lose outbound internet "
                                    "access."),
    "idle_database": ("data deletion", "Deleting removes the database: keep a final snapshot."),
    "multi_az": ("online change", "Single-AZ loses automatic failover to a standby; the change itself needs no "
                                  "downtime."),
    "lambda_memory": ("online change", "Less memory also means less CPU: watch the duration after the change."),
    "lambda_errors": ("code change", "Failing invocations are billed and retried: the fix is in the function's "
                                     "code or its inputs."),
    "s3_lifecycle": ("online change", "Colder storage classes charge for retrieval and for a minimum storage "
                                      "duration."),
    "s3_incomplete_uploads": ("online change", "Uploads still running after the rule's number of days are "
                                               "aborted."),
}
EASE: dict[Effort, int] = {"online change": 0, "purchase": 1, "restart": 2, "code change": 3, "removal": 4,
                           "data deletion": 5}


def _weight(item: Counted) -> Decimal:
    return item.saving * Decimal(str(item.finding.confidence))


def _action(rank: int, item: Counted) -> Action:
    finding, opportunity = item.finding, item.opportunity
    effort, risk = EFFORT[opportunity.type]
    return Action(
        rank=rank, resource_id=finding.resource_id, name=finding.name, region=finding.region,
        account_id=finding.account_id, service=opportunity.service, type=opportunity.type, category=item.category,
        action=finding.recommendation, monthly_saving=finding.savings, confidence=finding.confidence,
        effort=effort, risk=risk, arithmetic=str(finding.evidence.get("arithmetic", "")),
        price_source=str(finding.evidence.get("price_source", "")),
        also_found=[f"{o.type} ${Decimal(str(f.savings)):,.2f}" for o, f in item.merged],
    )


def ranked_actions(opportunities: list[Opportunity], limit: int | None = None) -> list[Action]:
    """Every resource's counted action with a saving, best first: saving x confidence, then the easier change."""
    items = [i for i in counted_findings(opportunities) if i.saving > 0]
    items.sort(key=lambda i: (-_weight(i), EASE[EFFORT[i.opportunity.type][0]], -i.saving, i.key))
    chosen = items if limit is None else items[:limit]
    return [_action(rank, item) for rank, item in enumerate(chosen, 1)]
