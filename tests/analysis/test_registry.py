"""The rule registry: what collection fetches, the order rules are asked in, and declarations that hold."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import get_args

import pytest

from agent.analysis.context import Context, Hit
from agent.analysis.evidence import make_hit
from agent.analysis.rules import EVERY_OTHER_RULE, DataNeed, Rule, registry
from agent.analysis.rules.registry import BUILTIN, Registry, RegistryError
from tools.aws.metric_specs import METRIC_SPECS
from tools.models import MetricSpec, OpportunityType, Resource
from tools.pricing.billed import BilledPrices
from tools.pricing.book import PriceBook


def test_the_registry_asks_for_exactly_the_metrics_the_collectors_fetch():
    specs = registry.metric_specs()
    assert set(specs) == set(METRIC_SPECS)
    for kind, table in METRIC_SPECS.items():
        assert len(set(specs[kind])) == len(specs[kind]), kind
        assert set(specs[kind]) == set(table), kind


def test_every_builtin_rule_is_registered_once_in_precedence_order():
    names = [r.name for r in registry.rules()]
    assert sorted(names) == sorted(r.name for r in BUILTIN) and len(set(names)) == 18
    ec2 = [n for n in names if n in ("idle_instance", "rightsizing", "previous_generation", "spot", "savings_plan")]
    assert ec2[0] == "idle_instance" and ec2[-1] == "savings_plan"
    assert names.index("unattached_volume") < names.index("volume_type_upgrade")
    assert names.index("idle_database") < names.index("multi_az") < names.index("reserved_instance")


def test_every_opportunity_type_has_a_rule_and_one_description():
    assert set(registry.descriptions()) == set(get_args(OpportunityType))
    assert registry.descriptions()["unattached_volume"] == "volumes attached to nothing"


def test_declared_prices_are_price_methods():
    for rule in registry.rules():
        for name in rule.prices:
            assert hasattr(BilledPrices, name) or hasattr(PriceBook, name), (rule.name, name)


# ---------------------------------------------------------------------------------------------- a toy rule
TOY_METRIC = MetricSpec("toy_reads", "Toy/Snapshots", "Reads", "Sum", "SnapshotId")


def _toy(snapshot: Resource, ctx: Context) -> Hit | None:
    if snapshot.tags.get("toy") != "delete":
        return None
    return make_hit("old_snapshot", snapshot, monthly=Decimal("1.00"), savings=Decimal("1.00"),
                    recommendation="Delete it: the toy rule says so", base=0.5, days=None, settings=ctx.settings,
                    evidence={"price_source": "toy", "arithmetic": "1 x $1.00 = $1.00"})


TOY = Rule(name="toy_snapshot", type="old_snapshot", kinds=("ebs_snapshot",), evaluate=_toy,
           metrics=(TOY_METRIC,), excludes=("old_snapshot",))


def _snapshot(sid: str, build, **tags: str) -> Resource:
    started = (build.NOW - timedelta(days=200)).isoformat()
    return Resource(resource_id=sid, kind="ebs_snapshot", service="EBS", region="us-east-1", tags=tags,
                    attributes={"size_gb": 100, "start_time": started})


def test_a_registered_toy_rule_runs_through_the_engine_and_leaves_no_trace(analyzer, build):
    resources = [_snapshot("snap-toy", build, toy="delete"), _snapshot("snap-old", build)]
    with registry.registered(TOY):
        names = [r.name for r in registry.rules()]
        assert names.index("toy_snapshot") < names.index("old_snapshot")  # registered last, asked first
        assert registry.metric_specs()["ebs_snapshot"] == (TOY_METRIC,)
        found = build.findings(analyzer.analyze_all_services(build.collection(resources)))
    assert {k: f.estimated_savings for k, f in found.items()} == {("old_snapshot", "snap-toy"): 1.0,
                                                                    ("old_snapshot", "snap-old"): 5.0}
    assert found[("old_snapshot", "snap-toy")].recommendation == "Delete it: the toy rule says so"
    assert "toy_snapshot" not in [r.name for r in registry.rules()]
    assert "ebs_snapshot" not in registry.metric_specs()
    after = build.findings(analyzer.analyze_all_services(build.collection(resources)))
    assert {k: f.estimated_savings for k, f in after.items()} == {("old_snapshot", "snap-toy"): 5.0,
                                                                    ("old_snapshot", "snap-old"): 5.0}


def _rule(name: str, **kw) -> Rule:
    kw.setdefault("kinds", ("ebs_snapshot",))
    return Rule(name=name, type="old_snapshot", evaluate=lambda r, c: None, **kw)


@pytest.mark.parametrize(("rules", "message"), [
    ([_rule("a"), _rule("a")], "already registered"),
    ([_rule("a", thresholds=("no_such_setting",))], "not a Settings field"),
    ([_rule("a", needs=(DataNeed(TOY_METRIC, "min_data_days"),), thresholds=("min_data_days",))],
     "metrics and thresholds must declare"),
    ([_rule("a", kinds=())], "no resource kinds"),
])
def test_declarations_that_do_not_hold_are_refused_at_registration(rules, message):
    with pytest.raises(RegistryError, match=message):
        Registry(rules)


@pytest.mark.parametrize(("rules", "message"), [
    ([_rule("a", excludes=("nobody",))], "unknown rules: nobody"),
    ([_rule("a", excludes=("b",)), _rule("b", excludes=("a",))], "precedence cycle among rules: a, b"),
    ([_rule("a", excludes=EVERY_OTHER_RULE), _rule("b", excludes=EVERY_OTHER_RULE)], "precedence cycle"),
    ([_rule("a", only_without=("b",)), _rule("b", only_without=("a",))], "precedence cycle"),
])
def test_precedence_that_cannot_hold_is_refused_when_ordered(rules, message):
    with pytest.raises(RegistryError, match=message):
        Registry(rules).rules()


def test_order_is_registration_order_moved_only_where_precedence_demands():
    rules = [_rule("a"), _rule("b", only_without=("d",)), _rule("c"), _rule("d"), _rule("e", excludes=("a",))]
    assert [r.name for r in Registry(rules).rules()] == ["c", "d", "b", "e", "a"]


def test_one_metric_key_declared_two_ways_is_refused():
    other = MetricSpec("toy_reads", "Toy/Snapshots", "Reads", "Maximum", "SnapshotId")
    reg = Registry([_rule("a", metrics=(TOY_METRIC,)), _rule("b", metrics=(other,))])
    with pytest.raises(RegistryError, match="declared twice, differently"):
        reg.metric_specs()
