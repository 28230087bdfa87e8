"""What a rule is: its declarations as data, and the needs the engine checks before asking it (rules/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from agent.analysis.context import Context, Hit
from agent.analysis.readings import metric, state_of
from tools.models import MetricSpec, OpportunityType, Resource, ResourceKind

Managed = Literal["group", "purchase", "own"]
"""How a rule meets managed capacity (Auto Scaling, EKS, Karpenter; docs/rules.md "Managed capacity"):
'group' = an instance-level action (stop, resize, move) that a running member of a group never gets alone: the engine
hands the member's finding to `groups.group_hits`; 'purchase' = a purchase lever, reported per instance;
'own' = nothing to do with managed capacity."""

EVERY_OTHER_RULE = ("*",)
"""`excludes` value: a hit excludes every other rule of the resource's kind."""


@dataclass(frozen=True)
class DataNeed:
    """Days of one metric a rule needs before it judges a resource (fewer: no finding from that rule)."""

    metric: MetricSpec
    days: str
    """The `Settings` field that says how many days (min_data_days, metrics_lookback_days)."""
    listed: bool = True
    """A shortfall lists the resource in the report's `insufficient_data`; False: the rule just does not apply."""
    when: Callable[[Resource], bool] | None = None
    """The need holds only for resources where this is true (None: always)."""

    def shortfall(self, resource: Resource, ctx: Context) -> tuple[int, int] | None:
        """(days there are, days needed) when the resource has too few, else None."""
        if self.when is not None and not self.when(resource):
            return None
        found = metric(resource, self.metric.key)
        days = found.days if found else 0
        needed = int(getattr(ctx.settings, self.days))
        return (days, needed) if days < needed else None


@dataclass(frozen=True)
class PriceNeed:
    """A price a rule cannot judge without: when nothing can price the resource, it gets a `missing` line."""

    name: str
    prices: tuple[str, ...]
    """The price methods asked (they must be among the rule's `prices`)."""
    missing: Callable[[Resource, Context], str | None]
    """The `missing` line when the price is unknown, None when it is known."""


Need = DataNeed | PriceNeed


@dataclass(frozen=True)
class Rule:
    """One finding rule, declared as data around one pure `evaluate`."""

    name: str
    """Unique; what `excludes` and `only_without` name."""
    type: OpportunityType
    kinds: tuple[ResourceKind, ...]
    evaluate: Callable[[Resource, Context], Hit | None]
    """Pure: the resource and the context in, a finding or None out. Called only when every need is met."""
    states: tuple[str, ...] = ()
    """Resource states it applies to (lower case, as `state_of` reads them); empty: any state."""
    metrics: tuple[MetricSpec, ...] = ()
    """The CloudWatch metrics it reads: collection fetches the union (`registry.metric_specs()`)."""
    prices: tuple[str, ...] = ()
    """The price methods it asks (`BilledPrices` / `PriceBook` names)."""
    thresholds: tuple[str, ...] = ()
    """The `Settings` fields it reads: its thresholds, and the tag conventions where it judges environments."""
    needs: tuple[Need, ...] = ()
    """Checked in order before `evaluate`; the first unmet one stops the rule (a `PriceNeed` adds a `missing`
    line, a listed `DataNeed` an `insufficient_data` entry)."""
    excludes: tuple[str, ...] = ()
    """Rules not evaluated for a resource once this one hit it (its finding kept or handed to a group);
    `EVERY_OTHER_RULE` for all of the kind's others. docs/rules.md precedence."""
    only_without: tuple[str, ...] = ()
    """Evaluated only when none of these rules left a finding on the resource itself (a finding handed to a managed
    group does not count: purchase levers stay per instance)."""
    managed: Managed = "own"
    corroborated: bool = False
    """AWS's own rightsizing advice for the resource raises its confidence (corroborate.py)."""
    settle: Callable[[list[Hit], Context], list[Hit]] | None = None
    """Applied once to all of this rule's findings of a run (old snapshots capped by the region's spend)."""
    description: str = ""
    """How an opportunity of this type reads ('volumes attached to nothing'); one rule per type says it."""

    def applies_to(self, resource: Resource) -> bool:
        return resource.kind in self.kinds and (not self.states or state_of(resource) in self.states)

    def excludes_rule(self, other: Rule) -> bool:
        """Whether this rule's hit on a resource stops `other` being asked for it."""
        if other.name == self.name or not set(self.kinds) & set(other.kinds):
            return False
        return other.name in self.excludes or EVERY_OTHER_RULE[0] in self.excludes
