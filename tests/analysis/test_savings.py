"""One savings total: each resource once, waste before pricing levers, the split adds up, merges are named."""

from __future__ import annotations

from typing import get_args

from agent.analysis.actions import EFFORT, ranked_actions
from agent.analysis.savings import RULE, savings_totals, with_counted_flags
from tools.models import Finding, Opportunity, OpportunityType


def finding(rid: str, saving: float | None, cost: float | None = None, *, region: str = "us-east-1",
            account: str = "", confidence: float = 0.9, **evidence: object) -> Finding:
    basis = "unpriced" if saving is None else "billed"
    return Finding(resource_id=rid, region=region, monthly_cost=cost if cost is not None else saving,
                   estimated_savings=saving, recommendation=f"act on {rid}", confidence=confidence,
                   evidence={"arithmetic": f"{rid} = ${saving}", "price_source": "billed: test", **evidence},
                   price_basis=basis, account_id=account)


def opp(kind: OpportunityType, service: str, *findings: Finding) -> Opportunity:
    total = round(sum(f.savings for f in findings), 2)
    return Opportunity(type=kind, service=service, resource_count=len(findings), estimated_savings=total,
                       confidence=0.9, priority="low", resources=list(findings))


def test_waste_is_counted_before_a_larger_pricing_lever():
    # i-1: rightsizing $150.00 and spot $196.20 -> the waste counts; i-2: spot only -> the lever counts
    opportunities = [opp("rightsizing", "EC2", finding("i-1", 150.0, 400.0)),
                     opp("spot_migration", "EC2", finding("i-1", 196.2, 400.0), finding("i-2", 50.5, 144.0))]
    totals = savings_totals(opportunities)
    assert (totals.total, totals.waste, totals.pricing_levers, totals.found) == (200.5, 150.0, 50.5, 396.7)
    assert totals.merged_resources == 1
    assert totals.merged == ["i-1 (us-east-1): counted rightsizing $150.00; not added: spot_migration $196.20 "
                             "(covered by the same resource's waste finding)"]
    assert [(c.type, c.category, c.found, c.counted, c.resources_counted) for c in totals.by_opportunity] == [
        ("rightsizing", "waste", 150.0, 150.0, 1), ("spot_migration", "pricing_lever", 246.7, 50.5, 1)]
    assert totals.rule == RULE


def test_the_largest_of_two_waste_findings_counts_and_covered_volumes_belong_to_their_instance():
    stopped = finding("i-stop", 90.0, 90.0, covered_resources=["vol-a"])
    opportunities = [opp("idle_resource", "EC2", stopped),
                     opp("unattached_volume", "EBS", finding("vol-a", 40.0), finding("vol-b", 8.0)),
                     opp("previous_generation", "EC2", finding("i-stop", 12.0, 90.0))]
    totals = savings_totals(opportunities)
    assert (totals.total, totals.waste, totals.pricing_levers, totals.merged_resources) == (98.0, 98.0, 0.0, 1)
    assert totals.merged == ["i-stop (us-east-1): counted idle_resource $90.00; not added: unattached_volume "
                             "$40.00, previous_generation $12.00 (a smaller saving on the same resource)"]
    flagged = with_counted_flags(opportunities)
    assert [[(f.resource_id, f.counted) for f in o.resources] for o in flagged] == [
        [("i-stop", True)], [("vol-a", False), ("vol-b", True)], [("i-stop", False)]]
    assert sum(c.counted for c in totals.by_opportunity) == 98.0


def test_same_name_in_two_accounts_or_regions_is_two_resources():
    opportunities = [opp("idle_database", "RDS", finding("orders", 60.0, account="111111111111"),
                         finding("orders", 70.0, account="222222222222"),
                         finding("orders", 80.0, region="eu-west-1", account="111111111111"))]
    totals = savings_totals(opportunities)
    assert (totals.total, totals.merged_resources) == (210.0, 0)


def test_unpriced_findings_add_nothing_and_keep_their_place():
    opportunities = [opp("idle_resource", "EC2", finding("i-x", None), finding("i-y", 10.0))]
    totals = savings_totals(opportunities)
    assert (totals.total, totals.found) == (10.0, 10.0)
    assert [a.resource_id for a in ranked_actions(opportunities)] == ["i-y"]


def test_empty_report_has_zero_totals():
    totals = savings_totals([])
    assert (totals.total, totals.waste, totals.pricing_levers, totals.by_opportunity, totals.merged) == (
        0.0, 0.0, 0.0, [], [])


def test_actions_rank_by_saving_times_confidence_then_the_easier_change():
    opportunities = [
        opp("idle_resource", "EC2", finding("i-idle", 100.0, confidence=0.5)),          # weight 50, deletion
        opp("volume_type_upgrade", "EBS", finding("vol-io1", 60.0, 700.0, confidence=0.95)),  # 57, online
        opp("spot_migration", "EC2", finding("i-spot", 80.0, 230.0, confidence=0.7),        # 56, restart
            finding("i-idle", 30.0, 100.0, confidence=0.7)),
        opp("multi_az", "RDS", finding("db-1", 50.0, confidence=1.0)),                   # 50, online
    ]
    actions = ranked_actions(opportunities)
    assert [(a.rank, a.resource_id, a.effort, a.monthly_saving) for a in actions] == [
        (1, "vol-io1", "online change", 60.0), (2, "i-spot", "restart", 80.0),
        (3, "db-1", "online change", 50.0), (4, "i-idle", "data deletion", 100.0)]
    assert actions[3].also_found == ["spot_migration $30.00"]
    assert actions[0].arithmetic == "vol-io1 = $60.0" and actions[0].price_source == "billed: test"
    assert sum(a.monthly_saving for a in actions) == savings_totals(opportunities).total == 290.0
    assert [a.rank for a in ranked_actions(opportunities, limit=2)] == [1, 2]


def test_every_opportunity_type_has_an_effort_and_a_risk():
    assert set(EFFORT) == set(get_args(OpportunityType))
    assert all(risk.endswith(".") and len(risk) > 30 for _, risk in EFFORT.values())
