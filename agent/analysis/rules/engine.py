"""Applies the registered rules to each resource: needs first, then precedence, then managed capacity.

Per resource, the rules of its kind and state are asked in registry order:
1. Its needs, in order, until one is unmet: an unknown price adds a `missing` line (unless the rule is excluded); too
   few days of a metric lists the resource in `insufficient_data` when the need is `listed`, whether or not the rule
   is excluded (docs/rules.md lists data shortfalls per resource, not per finding). A resource gets one such entry:
   the one needing the fewest days.
2. A rule excluded by an earlier hit (`excludes`), or waiting on a rule that left a finding on the resource
   (`only_without`), is not asked; nor is one with an unmet need.
3. `evaluate`. On a running member of managed capacity, a `managed == 'group'` rule's finding goes to the group
   (`groups.group_hits`); every other finding stays on the resource, corroborated by AWS's advice if the rule says so.
After all resources, each rule's `settle` sees its findings; then the group findings are added.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from agent.analysis.context import Context, Hit, Outcome
from agent.analysis.corroborate import corroborate
from agent.analysis.evidence import insufficient
from agent.analysis.groups import Member, group_hits, managed_by
from agent.analysis.rules.base import DataNeed, Rule
from agent.analysis.rules.registry import Registry
from tools.models import Resource

GroupKey = tuple[str, str, str]
"""(region, manager, group name)."""


@dataclass(frozen=True)
class Shortfall:
    metric: str
    days: int
    needed: int
    listed: bool


def _unmet(rule: Rule, resource: Resource, ctx: Context) -> str | Shortfall | None:
    """The rule's first unmet need: a `missing` line, a data shortfall, or None when all are met."""
    for need in rule.needs:
        if isinstance(need, DataNeed):
            short = need.shortfall(resource, ctx)
            if short is not None:
                return Shortfall(need.metric.key, short[0], short[1], need.listed)
        else:
            line = need.missing(resource, ctx)
            if line is not None:
                return line
    return None


def _judge(resource: Resource, rules: tuple[Rule, ...], ctx: Context, out: Outcome,
           kept: dict[str, list[Hit]], member: Member | None) -> None:
    hit_by: list[Rule] = []
    kept_here: set[str] = set()
    shortfalls: list[Shortfall] = []
    for rule in rules:
        unmet = _unmet(rule, resource, ctx)
        excluded = any(h.excludes_rule(rule) for h in hit_by) or bool(kept_here & set(rule.only_without))
        if isinstance(unmet, Shortfall) and unmet.listed:
            shortfalls.append(unmet)
        if isinstance(unmet, str) and not excluded:
            out.missing.append(unmet)
        if excluded or unmet is not None:
            continue
        hit = rule.evaluate(resource, ctx)
        if hit is None:
            continue
        hit_by.append(rule)
        if member is not None and rule.managed == "group":
            member.hits[rule.type] = hit
        else:
            kept_here.add(rule.name)
            kept[rule.name].append(corroborate(hit, ctx.aws_rightsizing) if rule.corroborated else hit)
    if shortfalls:
        first = min(shortfalls, key=lambda s: s.needed)  # the first of those needing the fewest days
        out.insufficient.append(insufficient(resource, first.days, first.needed, first.metric))


def apply(resources: Iterable[Resource], ctx: Context, registry: Registry) -> Outcome:
    """Every registered rule over the (not ignored) resources."""
    out = Outcome()
    kept: dict[str, list[Hit]] = defaultdict(list)
    groups: dict[GroupKey, list[Member]] = defaultdict(list)
    for resource in resources:
        rules = registry.for_resource(resource)
        member = None
        manager = managed_by(resource) if any(r.managed == "group" for r in rules) else None
        if manager is not None:
            member = Member(resource)
            groups[(resource.region, *manager)].append(member)
        if rules:
            _judge(resource, rules, ctx, out, kept, member)
    for rule in registry.rules():
        hits = kept.get(rule.name, [])
        out.hits.extend(rule.settle(hits, ctx) if rule.settle is not None else hits)
    out.hits.extend(group_hits(groups, ctx))
    return out
