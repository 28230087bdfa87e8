"""The engine's contract (rules/engine.py) with toy rules on a private registry: needs, precedence, managed
capacity and settling, independent of what the built-in rules find."""

from __future__ import annotations

from decimal import Decimal

from agent.analysis import AWSCostAnalyzer
from agent.analysis.context import Context, Hit
from agent.analysis.evidence import make_hit
from agent.analysis.rules import DataNeed, PriceNeed, Rule
from agent.analysis.rules.metrics import CPU
from agent.analysis.rules.registry import Registry
from tools.models import OpportunityType, Resource


def toy(name: str, kind: OpportunityType, **kw) -> Rule:
    """A rule finding $10 on every EC2 instance it is asked about (or only where `when` holds)."""
    when = kw.pop("when", lambda r: True)

    def evaluate(resource: Resource, ctx: Context) -> Hit | None:
        if not when(resource):
            return None
        return make_hit(kind, resource, monthly=Decimal(10), savings=Decimal(10), recommendation=f"toy {name}",
                        evidence={"price_source": "toy", "arithmetic": "$10 = $10", "target_type": "m5.large"},
                        base=0.5, days=None, settings=ctx.settings)

    return Rule(name=name, type=kind, kinds=("ec2_instance",), evaluate=evaluate, description=f"toy {kind}", **kw)


CPU_WEEK = DataNeed(CPU, "min_data_days")
CPU_FORTNIGHT = DataNeed(CPU, "metrics_lookback_days")
NO_PRICE = PriceNeed("toy price", ("instance_hourly",), lambda r, c: f"{r.resource_id}: no toy price")


def run(settings, prices, build, rules: list[Rule], *resources: Resource):
    analyzer = AWSCostAnalyzer(settings, prices, registry=Registry(rules))
    return analyzer.analyze_all_services(build.collection(list(resources)))


def test_an_excluded_rule_still_lists_its_data_shortfall_but_not_its_missing_price(settings, prices, build):
    rules = [toy("first", "idle_resource", when=lambda r: r.tags.get("first") == "yes", excludes=("second", "priced")),
             toy("second", "rightsizing", metrics=(CPU,), thresholds=("min_data_days",), needs=(CPU_WEEK,)),
             toy("priced", "spot_migration", prices=("instance_hourly",), needs=(NO_PRICE,))]
    found = run(settings, prices, build, rules, build.instance("i-first", days=3, tags={"first": "yes"}),
                build.instance("i-plain", days=3))
    assert sorted(build.findings(found)) == [("idle_resource", "i-first")]
    assert [(x["resource_id"], x["metric"], x["days"], x["needed"]) for x in found.insufficient_data] == [
        ("i-first", "cpu", 3, 7), ("i-plain", "cpu", 3, 7)]
    assert found.missing == ["i-plain: no toy price"]


def test_one_insufficient_entry_per_resource_the_one_needing_fewest_days(settings, prices, build):
    rules = [toy("long", "rightsizing", metrics=(CPU,), thresholds=("metrics_lookback_days",),
                 needs=(CPU_FORTNIGHT,)),
             toy("short", "spot_migration", metrics=(CPU,), thresholds=("min_data_days",), needs=(CPU_WEEK,))]
    found = run(settings, prices, build, rules, build.instance("i-1", days=3), build.instance("i-2", days=10))
    assert [(x["resource_id"], x["needed"]) for x in found.insufficient_data] == [("i-1", 7), ("i-2", 14)]
    assert sorted(build.findings(found)) == [("spot_migration", "i-2")]


def test_group_actions_go_to_the_group_and_purchase_levers_stay(settings, prices, build):
    rules = [toy("resize", "rightsizing", managed="group"),
             toy("lever", "spot_migration", managed="purchase", only_without=("resize",))]
    asg = {"env": "prod", "aws:autoscaling:groupName": "web"}
    found = build.findings(run(settings, prices, build, rules, build.instance("i-1", tags=asg),
                               build.instance("i-2", tags=asg), build.instance("i-solo")))
    assert sorted(found) == [("rightsizing", "auto-scaling-group/web"), ("rightsizing", "i-solo"),
                             ("spot_migration", "i-1"), ("spot_migration", "i-2")]
    group = found[("rightsizing", "auto-scaling-group/web")]
    assert (group.estimated_savings, group.evidence["covered_resources"]) == (20.0, ["i-1", "i-2"])


def test_settle_sees_every_finding_of_its_rule_once(settings, prices, build):
    seen: list[list[str]] = []

    def settle(hits: list[Hit], ctx: Context) -> list[Hit]:
        seen.append(sorted(h.finding.resource_id for h in hits))
        return hits[:1]

    found = run(settings, prices, build, [toy("a", "idle_resource", settle=settle)],
                build.instance("i-2"), build.instance("i-1"))
    assert seen == [["i-1", "i-2"]]
    assert list(build.findings(found)) == [("idle_resource", "i-2")]
