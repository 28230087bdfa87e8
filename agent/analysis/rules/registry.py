"""The registered rules, in the order the engine asks them, and what they declare taken together.

`REGISTRY` holds the built-in rules (`BUILTIN`, one line per rule module); the module-level `register`,
`unregister`, `registered`, `rules`, `metric_specs` and `descriptions` act on it.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from agent.analysis.rules import (
    idle_database,
    idle_instance,
    idle_nat_gateway,
    lambda_errors,
    lambda_memory,
    multi_az,
    old_snapshot,
    previous_generation,
    reserved_instance,
    rightsizing,
    s3_incomplete_uploads,
    s3_lifecycle,
    savings_plan,
    spot,
    stopped_instance,
    unattached_volume,
    unused_elastic_ip,
    volume_type_upgrade,
)
from agent.analysis.rules.base import EVERY_OTHER_RULE, DataNeed, PriceNeed, Rule
from agent.analysis.rules.metrics import SHOWN
from tools.models import MetricSpec, Resource, ResourceKind
from tools.settings import Settings


class RegistryError(ValueError):
    """A rule whose declarations do not hold together (unknown names, settings, metrics; a precedence cycle)."""


def _check(rule: Rule) -> None:
    fields = Settings.model_fields
    keys = {m.key for m in rule.metrics}
    if not rule.kinds:
        raise RegistryError(f"rule {rule.name}: no resource kinds")
    for name in rule.thresholds:
        if name not in fields:
            raise RegistryError(f"rule {rule.name}: threshold {name!r} is not a Settings field")
    for need in rule.needs:
        if isinstance(need, DataNeed) and (need.metric.key not in keys or need.days not in rule.thresholds):
            raise RegistryError(f"rule {rule.name}: it needs {need.metric.key} for {need.days} days, which its "
                                "metrics and thresholds must declare")
        if isinstance(need, PriceNeed) and not set(need.prices) <= set(rule.prices):
            raise RegistryError(f"rule {rule.name}: it needs the {need.name}, which its prices must declare")


def _before(a: Rule, b: Rule) -> bool:
    """Whether `a` must be asked before `b`: its hit decides whether `b` is asked at all."""
    return a.excludes_rule(b) or a.name in b.only_without


def _order(rules: list[Rule]) -> tuple[Rule, ...]:
    """The earliest-registered rule whose precedence allows it, repeatedly: a rule comes after every rule whose hit
    excludes it or that it waits for (`only_without`), otherwise in registration order."""
    names = {r.name for r in rules}
    for rule in rules:
        unknown = (set(rule.excludes) - names - set(EVERY_OTHER_RULE)) | (set(rule.only_without) - names)
        if unknown:
            raise RegistryError(f"rule {rule.name} names unknown rules: {', '.join(sorted(unknown))}")
    waits = {i: {j for j, a in enumerate(rules) if j != i and _before(a, b)} for i, b in enumerate(rules)}
    ready = [i for i, w in waits.items() if not w]
    heapq.heapify(ready)
    out: list[Rule] = []
    while ready:
        i = heapq.heappop(ready)
        out.append(rules[i])
        for j, w in waits.items():
            if i in w:
                w.discard(i)
                if not w:
                    heapq.heappush(ready, j)
    if len(out) != len(rules):
        stuck = sorted(rules[i].name for i, w in waits.items() if w)
        raise RegistryError(f"precedence cycle among rules: {', '.join(stuck)}")
    return tuple(out)


class Registry:
    """Rules by name, asked in precedence order; `shown` = metrics collected for people though no rule reads them."""

    def __init__(self, rules: Iterable[Rule] = (),
                 shown: Mapping[ResourceKind, tuple[MetricSpec, ...]] | None = None) -> None:
        self._rules: list[Rule] = []
        self._shown = dict(shown or {})
        self._ordered: tuple[Rule, ...] | None = None
        for rule in rules:
            self.register(rule)

    def register(self, rule: Rule) -> Rule:
        if any(r.name == rule.name for r in self._rules):
            raise RegistryError(f"rule {rule.name} is already registered")
        _check(rule)
        self._rules.append(rule)
        self._ordered = None
        return rule

    def unregister(self, name: str) -> None:
        self._rules = [r for r in self._rules if r.name != name]
        self._ordered = None

    @contextmanager
    def registered(self, rule: Rule) -> Iterator[Rule]:
        """`rule` registered for the block (tests, experiments), unregistered after it."""
        self.register(rule)
        try:
            yield rule
        finally:
            self.unregister(rule.name)

    def rules(self) -> tuple[Rule, ...]:
        if self._ordered is None:
            self._ordered = _order(self._rules)
        return self._ordered

    def for_resource(self, resource: Resource) -> tuple[Rule, ...]:
        """The rules that apply to this resource's kind and state, in precedence order."""
        return tuple(r for r in self.rules() if r.applies_to(resource))

    def metric_specs(self) -> dict[str, tuple[MetricSpec, ...]]:
        """Resource kind -> every metric a rule reads (then the shown ones), each once: what collection fetches."""
        out: dict[str, dict[str, MetricSpec]] = {}
        declared: list[tuple[str, MetricSpec]] = [(k, m) for r in self.rules() for k in r.kinds for m in r.metrics]
        declared += [(kind, m) for kind, specs in self._shown.items() for m in specs]
        for kind, spec in declared:
            seen = out.setdefault(kind, {})
            if seen.setdefault(spec.key, spec) != spec:
                raise RegistryError(f"{kind} metric {spec.key!r} is declared twice, differently")
        return {kind: tuple(specs.values()) for kind, specs in out.items()}

    def descriptions(self) -> dict[str, str]:
        """Opportunity type -> how it reads in the report, from the rules that find it."""
        out: dict[str, str] = {}
        for rule in self.rules():
            if rule.description and out.setdefault(rule.type, rule.description) != rule.description:
                raise RegistryError(f"type {rule.type} is described twice, differently")
        undescribed = sorted({r.type for r in self.rules()} - set(out))
        if undescribed:
            raise RegistryError(f"no rule describes {', '.join(undescribed)}")
        return out


BUILTIN: tuple[Rule, ...] = (
    idle_instance.RULE,
    stopped_instance.RULE,
    rightsizing.RULE,
    previous_generation.RULE,
    spot.RULE,
    savings_plan.RULE,
    unattached_volume.RULE,
    volume_type_upgrade.RULE,
    old_snapshot.RULE,
    unused_elastic_ip.RULE,
    idle_nat_gateway.RULE,
    idle_database.RULE,
    multi_az.RULE,
    reserved_instance.RULE,
    lambda_errors.RULE,
    lambda_memory.RULE,
    s3_lifecycle.RULE,
    s3_incomplete_uploads.RULE,
)
"""Every built-in rule, one line each, in the order they are asked (`_order` would move one only for precedence)."""

REGISTRY = Registry(BUILTIN, shown=SHOWN)
register = REGISTRY.register
unregister = REGISTRY.unregister
registered = REGISTRY.registered
rules = REGISTRY.rules
metric_specs = REGISTRY.metric_specs
descriptions = REGISTRY.descriptions
