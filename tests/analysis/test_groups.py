"""Managed capacity: members of Auto Scaling groups, EKS node groups and Karpenter pools are never told to stop."""

from __future__ import annotations

from tools.models import Resource

ASG_ARN = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:uuid-1:autoScalingGroupName/web-asg"


def idle(build, iid: str, itype: str = "m5.large", **tags: str):
    return build.instance(iid, itype, cpu=1, cpu_max=3, net_bytes=0.2 * build.MB, tags={"env": "prod", **tags})


def asg() -> Resource:
    return Resource(resource_id=ASG_ARN, kind="autoscaling_group", service="EC2", region="us-east-1", name="web-asg",
                    resource_type="m5.large", attributes={"min_size": 3, "desired_capacity": 3, "max_size": 6,
                                                          "instance_ids": ["i-1", "i-2", "i-3"]})


def test_an_idle_auto_scaling_group_is_one_finding_about_its_capacity(analyzer, build):
    members = [idle(build, f"i-{n}", **{"aws:autoscaling:groupName": "web-asg"}) for n in (1, 2, 3)]
    found = build.findings(analyzer.analyze_all_services(build.collection([*members, asg()])))
    assert list(found) == [("idle_resource", ASG_ARN)]
    f = found[("idle_resource", ASG_ARN)]
    assert (f.monthly_cost, f.estimated_savings) == (210.24, 210.24)  # 3 x 730 x 0.096
    assert f.evidence["covered_resources"] == ["i-1", "i-2", "i-3"]
    assert "(min 3, desired 3)" in f.recommendation and "stop" not in f.recommendation.split(";")[0].lower()


def test_an_oversized_eks_node_group_changes_its_launch_template(analyzer, build):
    members = [build.instance(f"i-{n}", "m5.2xlarge", cpu=10, cpu_max=15,
                              tags={"env": "prod", "eks:nodegroup-name": "workers",
                                    "aws:autoscaling:groupName": "eks-workers-1"}) for n in (1, 2)]
    found = build.findings(analyzer.analyze_all_services(build.collection(members)))
    f = found[("rightsizing", "eks-node-group/workers")]
    assert f.estimated_savings == 420.48  # 2 x (0.384 - 0.096) x 730
    assert "launch template" in f.recommendation and f.evidence["target_type"] == "m5.large"
    assert not any(rid.startswith("i-") for _, rid in found if _ in ("idle_resource", "rightsizing"))


def test_a_karpenter_pool_with_one_busy_node_gets_no_stop_advice(analyzer, build):
    members = [idle(build, "i-1", **{"karpenter.sh/nodepool": "default"}),
               build.instance("i-2", "m5.large", cpu=50, tags={"env": "prod", "karpenter.sh/nodepool": "default"})]
    found = build.findings(analyzer.analyze_all_services(build.collection(members)))
    assert ("idle_resource", "i-1") not in found and not any(t == "idle_resource" for t, _ in found)


def test_purchase_levers_stay_per_instance(analyzer, build):
    member = build.instance("i-1", "m5.large", cpu=50, tags={"env": "prod", "aws:autoscaling:groupName": "web-asg"})
    found = build.findings(analyzer.analyze_all_services(build.collection([member])))
    assert list(found) == [("spot_migration", "i-1")]
