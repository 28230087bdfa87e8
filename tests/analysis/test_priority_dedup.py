"""Priority formula, opportunity confidence, and waste counted once per resource."""

from __future__ import annotations

import pytest

from tools.models import Finding, Opportunity


def finding(rid: str, savings: float, confidence: float = 1.0, **evidence) -> Finding:
    return Finding(resource_id=rid, region="us-east-1", monthly_cost=max(savings, 1.0), estimated_savings=savings,
                   recommendation="do it", evidence=evidence or {"x": 1}, confidence=confidence)


def opportunity(kind: str, service: str, *findings: Finding, confidence: float = 1.0) -> Opportunity:
    return Opportunity(type=kind, service=service, resource_count=len(findings), confidence=confidence,
                       estimated_savings=round(sum(f.estimated_savings for f in findings), 2), priority="low",
                       resources=list(findings))


@pytest.mark.parametrize(("savings", "confidence", "total", "expected"), [
    (1000.0, 1.0, 50_000, "high"),      # >= min($1,000, 5 % of $50,000)
    (999.99, 1.0, 50_000, "medium"),
    (2000.0, 0.5, 50_000, "high"),      # weighted 1,000
    (100.0, 1.0, 50_000, "medium"),     # >= min($100, 0.5 %)
    (99.99, 1.0, 50_000, "low"),
    (1000.0, 1.0, 10_000_000, "high"),  # a large account: $1,000 a month is still high
    (600.0, 1.0, 12_000, "high"),       # a small account: 5 % of $12,000 = $600 is high
    (599.99, 1.0, 12_000, "medium"),
    (59.99, 1.0, 12_000, "low"),        # medium needs 0.5 % = $60
])
def test_priority_formula(analyzer, savings, confidence, total, expected):
    opp = opportunity("idle_resource", "EC2", finding("i-1", savings), confidence=confidence)
    assert analyzer.prioritize_opportunities([opp], total)[0].priority == expected


def test_sorted_by_weighted_savings(analyzer):
    a = opportunity("idle_resource", "EC2", finding("i-1", 500.0), confidence=0.5)        # 250
    b = opportunity("unattached_volume", "EBS", finding("vol-1", 300.0), confidence=0.95)  # 285
    c = opportunity("old_snapshot", "EBS", finding("snap-1", 900.0), confidence=0.7)       # 630
    ranked = analyzer.prioritize_opportunities([a, b, c], 10_000)
    assert [o.type for o in ranked] == ["old_snapshot", "unattached_volume", "idle_resource"]
    assert [o.priority for o in ranked] == ["high", "medium", "medium"]  # high from 5 % of $10,000 = $500


def test_opportunity_confidence_is_savings_weighted(analyzer, build):
    from agent.analysis.priority import confidence

    assert confidence([finding("a", 300.0, 0.9), finding("b", 100.0, 0.5)]) == 0.8
    assert confidence([finding("a", 0.0, 0.9), finding("b", 0.0, 0.5)]) == 0.7


def test_idle_and_previous_generation_count_once(analyzer):
    opps = [opportunity("idle_resource", "EC2", finding("i-1", 73.0)),
            opportunity("previous_generation", "EC2", finding("i-1", 2.92)),
            opportunity("unattached_volume", "EBS", finding("vol-9", 10.0))]
    assert analyzer.calculate_waste(opps) == (83.0, {"EBS": 10.0, "EC2": 73.0})


def test_rightsizing_and_previous_generation_count_once(analyzer, build):
    inst = build.instance("i-old", "m4.2xlarge", cpu=8, cpu_max=15)
    result = analyzer.analyze_all_services(build.collection([inst]))
    found = build.findings(result)
    assert sorted(found) == [("previous_generation", "i-old"), ("rightsizing", "i-old")]
    right, prev = found[("rightsizing", "i-old")], found[("previous_generation", "i-old")]
    assert (right.estimated_savings, prev.estimated_savings) == (219.0, 11.68)
    assert analyzer.calculate_waste(result.opportunities) == (219.0, {"EC2": 219.0})


def test_stopped_instance_covers_its_gp2_volume(analyzer, build):
    result = analyzer.analyze_all_services(build.collection([
        build.instance("i-stop", "m5.large", state="stopped", days=0),
        build.volume("vol-a", "gp2", 100, attached_to="i-stop"),
        build.volume("vol-b", "gp2", 100, attached_to=None),
    ]))
    found = build.findings(result)
    assert sorted(found) == [("idle_resource", "i-stop"), ("unattached_volume", "vol-b"),
                             ("volume_type_upgrade", "vol-a")]
    # i-stop $10.00 (covers vol-a, whose gp3 saving of $2.00 is not added) + vol-b $10.00
    assert analyzer.calculate_waste(result.opportunities) == (20.0, {"EBS": 10.0, "EC2": 10.0})
