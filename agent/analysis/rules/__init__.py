"""The finding rules, one module each, registered the way Cloud Custodian registers filters.

A rule is a `Rule` (base.py): data around one pure `evaluate(resource, ctx) -> Hit | None`.
- `name`, `type` (the `OpportunityType` it reports), `kinds` and `states` it applies to;
- `metrics` (the `MetricSpec`s it reads, from metrics.py), `prices` (price methods), `thresholds` (`Settings` fields);
- `needs`, checked by the engine before `evaluate`: a `PriceNeed` (unknown -> a `missing` line) or a `DataNeed`
  (too few days of a metric -> no finding, and the resource listed in `insufficient_data` when `listed`);
- precedence: `excludes` (rules not asked once this one hit the resource; `EVERY_OTHER_RULE` for all) and
  `only_without` (asked only when none of these left a finding on the resource itself);
- `managed`: 'group' for instance-level actions that managed capacity turns into one group finding (groups.py),
  'purchase' for purchase levers, 'own' otherwise; `corroborated` (AWS's rightsizing advice raises confidence);
  `settle` (one pass over all its findings of a run); `description` (how its opportunity type reads).
registry.py registers them (`BUILTIN`), orders them (registration order, except that a rule waits for every rule
whose hit decides whether it is asked) and answers `metric_specs()`, what collection fetches. engine.py applies them
per resource (its docstring says exactly how); `AWSCostAnalyzer` runs the engine.

How to add a finding rule
1. Write `agent/analysis/rules/<name>.py`: a pure `evaluate(resource, ctx) -> Hit | None` that returns
   `make_hit(...)` (evidence.py) or None, reading only the resource, `ctx.settings` and `ctx.prices` (helpers:
   money.py, readings.py, tags.py and the cost modules instance_cost.py, volume_cost.py, db_cost.py,
   function_cost.py), and `RULE = Rule(name=..., type=..., kinds=..., evaluate=evaluate, metrics=..., prices=...,
   thresholds=..., needs=..., excludes=..., description=...)`. Declare every metric, price method and setting it
   reads: tests/analysis/test_rule_declarations.py records what each rule reads and fails on any difference. A metric
   no rule read before gets its `MetricSpec` in metrics.py.
2. Add `<name>.RULE` to `BUILTIN` in registry.py (one import, one line).
3. Test it with plain data in tests/analysis (the `build` fixture's builders), asserting the exact dollars, and add
   a resource it finds to test_rule_declarations.py's account.
Outside this package, only when the rule brings something new: a new metric also goes into tools/aws/metric_specs.py
(the default table; test_registry.py holds it equal to `metric_specs()`), a new threshold into `Settings`
(tools/settings.py), a new opportunity type into `OpportunityType` (tools/models/core.py), ../shared/DESIGN.md and
../shared/contract/check_report.py; and every rule into docs/rules.md and the simulated account (tools/sandbox),
whose ground truth the end-to-end test holds the rules to.
For a run or a test, `registry.registered(rule)` registers a rule for a block and unregisters it after; a caller
may also give `AWSCostAnalyzer(settings, prices, registry=Registry([...]))` its own set.
"""

from agent.analysis.rules.base import EVERY_OTHER_RULE, DataNeed, PriceNeed, Rule

__all__ = ["EVERY_OTHER_RULE", "DataNeed", "PriceNeed", "Rule"]
