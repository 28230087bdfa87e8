"""`AWSCostAnalyzer`: the seed's analyzer, as the registered rules over a collection and the price book."""

from __future__ import annotations

from decimal import Decimal

from agent.analysis import anomalies, priority, savings
from agent.analysis.context import Context
from agent.analysis.costs import snapshot_spend
from agent.analysis.prices import Prices
from agent.analysis.report import AnalysisResult, build_report
from agent.analysis.rules import engine
from agent.analysis.rules.registry import REGISTRY, Registry
from agent.analysis.summary import DETERMINISTIC_SOURCE, deterministic_summary
from agent.analysis.tags import is_ignored
from tools.models import Anomaly, CollectionResult, CostSummary, Opportunity, Report, RunCost, cents
from tools.pricing.billed import BilledPrices
from tools.settings import Settings

RDS_SERVICE = "Amazon Relational Database Service"


class AWSCostAnalyzer:
    """Finds waste with dollars and evidence, anomalies with drivers, and builds the report."""

    def __init__(self, settings: Settings, prices: Prices, registry: Registry | None = None) -> None:
        self.settings = settings
        self.prices = prices
        self.registry = registry or REGISTRY
        """The rules to run (rules/registry.py); the built-in ones unless a test or caller brings its own."""

    def _context(self, collection: CollectionResult) -> Context:
        active = [r for r in collection.resources if not is_ignored(r, self.settings)]
        rds = collection.reservations_by_service.get(RDS_SERVICE)
        return Context(
            settings=self.settings, prices=BilledPrices(self.prices, collection.price_sheet),
            now=collection.collected_at,
            ri_coverage=rds.coverage_percentage if rds else None,
            sp_coverage=collection.savings_plans.coverage_percentage if collection.savings_plans else None,
            volumes={r.resource_id: r for r in active if r.kind == "ebs_volume"},
            aws_rightsizing={r.resource_id: r for r in collection.aws_rightsizing},
            purchases=tuple(collection.purchase_recommendations),
            snapshot_spend=snapshot_spend(collection.costs), account_id=collection.account_id,
            autoscaling={(r.region, r.name): r for r in active if r.kind == "autoscaling_group"},
        )

    def analyze_all_services(self, collection: CollectionResult) -> AnalysisResult:
        """Every rule over every resource not tagged to be ignored; findings grouped by type and service."""
        ignored = sorted(r.resource_id for r in collection.resources if is_ignored(r, self.settings))
        active = [r for r in collection.resources if not is_ignored(r, self.settings)]
        outcome = engine.apply(active, self._context(collection), self.registry)
        total = collection.costs.total_cost if collection.costs else 0.0
        insufficient = sorted(outcome.insufficient, key=lambda x: (x["kind"], x["resource_id"]))
        opportunities = priority.group(outcome.hits, total, self.registry.descriptions())
        return AnalysisResult(opportunities=opportunities, insufficient_data=insufficient,
                              skipped_ignored=ignored, missing=sorted(set(outcome.missing)))

    def detect_anomalies(self, costs: CostSummary) -> list[Anomaly]:
        """Daily cost per service and region above the same-weekday baseline (threshold and minimum dollars)."""
        return anomalies.detect(costs, self.settings)

    def calculate_waste(self, opportunities: list[Opportunity]) -> tuple[float, dict[str, float]]:
        """(total_waste, waste by service): the waste part of the deduplicated savings, each resource counted once
        (pricing levers such as RI, Savings Plans and spot are apart: `savings.savings_totals`)."""
        by_service = savings.waste_by_service(opportunities)
        return cents(sum(by_service.values(), Decimal(0))), {k: cents(v) for k, v in by_service.items()}

    def prioritize_opportunities(self, opportunities: list[Opportunity],
                                 total_monthly_cost: float) -> list[Opportunity]:
        """Priority from weighted savings against the month's spend; largest weighted savings first."""
        return priority.prioritize(opportunities, total_monthly_cost)

    def generate_summary_report(self, collection: CollectionResult, run_cost: RunCost | None = None) -> Report:
        """The DESIGN.md report, with the deterministic executive summary."""
        analysis = self.analyze_all_services(collection)
        found = self.detect_anomalies(collection.costs) if collection.costs else []
        report = build_report(collection, analysis, found, self.settings, run_cost)
        return report.model_copy(update={"executive_summary": deterministic_summary(report),
                                         "summary_source": DETERMINISTIC_SOURCE})
