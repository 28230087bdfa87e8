"""AWS's own rightsizing advice corroborates our EC2 findings (evidence + confidence), never creates one."""

from __future__ import annotations

from tools.models import AwsRightsizing


def run(analyzer, build, *resources, **extra):
    return analyzer.analyze_all_services(build.collection(list(resources), **extra))


def advice(iid: str, action: str, target: str | None, savings: float, current: str = "m5.2xlarge") -> AwsRightsizing:
    return AwsRightsizing(resource_id=iid, region="us-east-1", current_type=current, action=action,
                          target_type=target, estimated_monthly_savings=savings)


def test_rightsizing_finding_gets_aws_advice_and_half_the_remaining_doubt(analyzer, build):
    result = run(analyzer, build, build.instance("i-big", "m5.2xlarge", cpu=11.8, cpu_max=15),
                 aws_rightsizing=[advice("i-big", "MODIFY", "m5.large", 205.5)])
    f = build.findings(result)[("rightsizing", "i-big")]
    assert (f.monthly_cost, f.estimated_savings, f.confidence) == (280.32, 210.24, 0.9)  # 0.8 + 0.2 x 0.5
    assert f.evidence["aws_recommendation"] == {
        "action": "MODIFY", "target_type": "m5.large", "estimated_monthly_savings": 205.5,
        "source": "Cost Explorer GetRightsizingRecommendation", "confidence": "0.8 -> 0.9 (AWS agrees)"}
    assert f.evidence["target_type"] == "m5.large"  # our target stays ours
    (opportunity,) = result.opportunities
    assert opportunity.confidence == 0.9


def test_idle_running_and_stopped_findings_are_corroborated(analyzer, build):
    result = run(analyzer, build,
                 build.instance("i-idle", "m5.large", cpu=1, cpu_max=2, net_bytes=0),
                 build.instance("i-stop", "m5.large", state="stopped", days=0),
                 build.volume("vol-s", "gp3", 100, attached_to="i-stop"),
                 aws_rightsizing=[advice("i-idle", "TERMINATE", None, 70.08, "m5.large"),
                                  advice("i-stop", "TERMINATE", None, 0.0, "m5.large")])
    found = build.findings(result)
    idle, stopped = found[("idle_resource", "i-idle")], found[("idle_resource", "i-stop")]
    assert (idle.estimated_savings, idle.confidence) == (70.08, 0.975)  # 0.95 + 0.05 x 0.5
    assert idle.evidence["aws_recommendation"]["action"] == "TERMINATE"
    assert idle.evidence["aws_recommendation"]["target_type"] is None
    assert (stopped.estimated_savings, stopped.confidence) == (8.0, 0.925)  # 0.85 + 0.15 x 0.5


def test_aws_advice_alone_creates_no_finding_and_other_types_are_untouched(analyzer, build):
    busy = build.instance("i-busy", "m5.2xlarge", cpu=50, cpu_max=90)  # our rules: only a savings plan
    result = run(analyzer, build, busy, aws_rightsizing=[advice("i-busy", "TERMINATE", None, 280.32),
                                                          advice("i-gone", "MODIFY", "m5.large", 10.0)])
    found = build.findings(result)
    assert list(found) == [("savings_plan", "i-busy")]
    assert "aws_recommendation" not in found[("savings_plan", "i-busy")].evidence
    assert found[("savings_plan", "i-busy")].confidence == 0.75


def test_without_aws_advice_confidence_is_the_rule_s(analyzer, build):
    result = run(analyzer, build, build.instance("i-big", "m5.2xlarge", cpu=11.8, cpu_max=15),
                 aws_rightsizing=[advice("i-other", "MODIFY", "m5.large", 205.5)])
    f = build.findings(result)[("rightsizing", "i-big")]
    assert f.confidence == 0.8 and "aws_recommendation" not in f.evidence
