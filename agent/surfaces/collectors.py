"""The seed's collector classes with their analysis methods, answered by the rules of agent/analysis.

`tools.aws` collects and prices the inventory; these subclasses add the seed specification's methods
(identify_idle_instances, get_spot_opportunities, identify_idle_databases ...). Each runs the single rule set,
`AWSCostAnalyzer.analyze_all_services`, over the resources it is given and returns those with a finding of the
matching opportunity type (docs/rules.md). Dollars in the dict shapes are the findings' (None when unpriced).

A finding on a managed group (kind `autoscaling_group`) names its instances in `evidence["covered_resources"]`:
they count as found. A method about one resource (`is_idle`, `rightsizing_target`, `to_seed_dict` ...) judges
it alone unless `resources` gives the inventory it belongs to (its volumes, the other members of its group). The
rules over a set of resources: rule_facade.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from agent.analysis.readings import state_of
from agent.surfaces.rule_facade import RuleFacade
from tools.aws import ec2, lambda_costs, network, rds, s3
from tools.aws.clients import ClientFactory
from tools.aws.inventory_common import summary_value
from tools.models import CostRow, PurchaseRecommendation, Resource, ResourceKind, cents
from tools.pricing.book import PriceBook
from tools.settings import Settings

MIB = 1_048_576
S3_SERVICE = "Amazon Simple Storage Service"


class NetworkCostCollector(RuleFacade, network.NetworkCostCollector):
    def identify_unassociated_eips(self, resources: Iterable[Resource]) -> list[Resource]:
        return [r for r, _ in self.having("unused_elastic_ip", "elastic_ip", resources)]

    def identify_idle_nat_gateways(self, resources: Iterable[Resource]) -> list[Resource]:
        return [r for r, _ in self.having("idle_nat_gateway", "nat_gateway", resources)]


class EC2CostCollector(RuleFacade, ec2.EC2CostCollector):
    def __init__(self, factory: ClientFactory, prices: PriceBook, settings: Settings,
                 purchases: Sequence[PurchaseRecommendation] = ()) -> None:
        super().__init__(factory, prices, settings)
        self.purchases = list(purchases)

    def identify_idle_instances(self, resources: Iterable[Resource]) -> list[Resource]:
        """Running instances the rules find idle (alone, or every member of their group); a stopped instance's
        idle finding (its volumes) is not the seed's idle instance."""
        return [r for r, _ in self.having("idle_resource", "ec2_instance", resources) if state_of(r) == "running"]

    def identify_underutilized_instances(self, resources: Iterable[Resource]) -> list[Resource]:
        """Instances with a rightsizing finding: low CPU every day and a smaller size that fits."""
        return [r for r, _ in self.having("rightsizing", "ec2_instance", resources)]

    def get_spot_opportunities(self, resources: Iterable[Resource]) -> list[Resource]:
        return [r for r, _ in self.having("spot_migration", "ec2_instance", resources)]

    def get_reserved_instance_recommendations(
            self, resources: Iterable[Resource],
            purchases: Sequence[PurchaseRecommendation] | None = None) -> list[dict[str, Any]]:
        """Steady on-demand instances to cover with the Savings Plan AWS recommends; [] without its advice."""
        return [{"instance_id": r.resource_id, "instance_type": r.resource_type, "region": r.region,
                 "monthly_cost": f.finding.monthly_cost, "estimated_savings": f.savings}
                for r, f in self.having("savings_plan", "ec2_instance", resources, purchases=purchases)]

    def identify_unattached_ebs(self, resources: Iterable[Resource]) -> list[Resource]:
        return [r for r, _ in self.having("unattached_volume", "ebs_volume", resources)]

    def identify_unassociated_eips(self, resources: Iterable[Resource]) -> list[Resource]:
        return [r for r, _ in self.having("unused_elastic_ip", "elastic_ip", resources)]

    def identify_idle_nat_gateways(self, resources: Iterable[Resource]) -> list[Resource]:
        return [r for r, _ in self.having("idle_nat_gateway", "nat_gateway", resources)]

    def is_idle(self, r: Resource, resources: Iterable[Resource] | None = None) -> bool:
        """An idle_resource finding: running and idle, or stopped and still paying for its volumes."""
        return "idle_resource" in self.on(r, resources)

    def is_underutilized(self, r: Resource, resources: Iterable[Resource] | None = None) -> bool:
        return "rightsizing" in self.on(r, resources)

    def is_spot_eligible(self, r: Resource, resources: Iterable[Resource] | None = None) -> bool:
        return "spot_migration" in self.on(r, resources)

    def rightsizing_target(self, r: Resource, resources: Iterable[Resource] | None = None) -> str | None:
        """The rightsizing finding's target type; None when the rules find none."""
        found = self.on(r, resources).get("rightsizing")
        return found.finding.evidence.get("target_type") if found else None

    def analyze_instance_types(self, resources: Iterable[Resource]) -> dict[str, dict[str, Any]]:
        """Per instance type: how many, their monthly cost, and their mean CPU where measured."""
        groups: dict[str, list[Resource]] = defaultdict(list)
        for r in resources:
            if r.kind == "ec2_instance":
                groups[r.resource_type].append(r)
        out = {}
        for itype, members in sorted(groups.items()):
            cpus = [c for c in (summary_value(m, "cpu") for m in members) if c is not None]
            out[itype] = {"count": len(members),
                          "monthly_cost": cents(sum(Decimal(str(m.monthly_cost)) for m in members)),
                          "cpu_avg": round(sum(cpus) / len(cpus), 2) if cpus else None}
        return out

    def to_seed_dict(self, r: Resource, resources: Iterable[Resource] | None = None) -> dict[str, Any]:
        """The seed's per-instance shape; estimated_savings is the largest saving of its findings (as total_waste
        counts it), None when its findings are unpriced, 0.0 without findings."""
        found = self.on(r, resources)
        savings = [f.savings for f in found.values()]
        priced = [s for s in savings if s is not None]
        sized = found.get("rightsizing")
        network_bytes = (summary_value(r, "network_in") or 0) + (summary_value(r, "network_out") or 0)
        cpu = summary_value(r, "cpu")
        return {
            "instance_id": r.resource_id, "instance_type": r.resource_type, "region": r.region,
            "monthly_cost": r.monthly_cost,
            "utilization": {"cpu_avg": round(cpu, 2) if cpu is not None else None,
                            "network_mb_day": round(network_bytes / MIB, 2) if r.utilization else None},
            "optimization": {
                "is_idle": "idle_resource" in found, "is_underutilized": sized is not None,
                "spot_eligible": "spot_migration" in found,
                "rightsizing_recommendation": sized.finding.evidence.get("target_type") if sized else None,
                "estimated_savings": max(priced) if priced else (None if savings else 0.0)},
        }


class RDSCostCollector(RuleFacade, rds.RDSCostCollector):
    def __init__(self, factory: ClientFactory, prices: PriceBook, settings: Settings,
                 purchases: Sequence[PurchaseRecommendation] = ()) -> None:
        super().__init__(factory, prices, settings)
        self.purchases = list(purchases)

    def identify_idle_databases(self, resources: Iterable[Resource]) -> list[Resource]:
        return [r for r, _ in self.having("idle_database", "rds_instance", resources)]

    def identify_multi_az_opportunities(self, resources: Iterable[Resource]) -> list[Resource]:
        return [r for r, _ in self.having("multi_az", "rds_instance", resources)]

    def get_reserved_instance_recommendations(
            self, resources: Iterable[Resource],
            purchases: Sequence[PurchaseRecommendation] | None = None) -> list[dict[str, Any]]:
        """Databases in steady use that AWS recommends reserving; [] without its advice."""
        return [{"db_instance_id": r.name or r.resource_id, "instance_class": r.resource_type, "region": r.region,
                 "monthly_cost": f.finding.monthly_cost, "estimated_savings": f.savings}
                for r, f in self.having("reserved_instance", "rds_instance", resources, purchases=purchases)]

    def analyze_snapshot_costs(self, resources: Iterable[Resource], now: datetime | None = None) -> list[Resource]:
        """Manual snapshots older than SNAPSHOT_MAX_AGE_DAYS at `now` (default: the present)."""
        return [r for r, _ in self.having("old_snapshot", "rds_snapshot", resources, now=now)]

    def analyze_storage_costs(self, resources: Iterable[Resource]) -> list[dict[str, Any]]:
        """Per instance: storage type and size, its monthly cost, provisioned IOPS and measured IOPS."""
        return [{"db_instance_id": r.name or r.resource_id, "region": r.region,
                 "storage_type": r.attributes["storage_type"],
                 "allocated_storage_gb": r.attributes["allocated_storage_gb"],
                 "storage_monthly_cost": r.attributes.get("storage_monthly_cost", 0.0),
                 "provisioned_iops": r.attributes.get("iops"),
                 "read_iops_avg": summary_value(r, "read_iops"), "write_iops_avg": summary_value(r, "write_iops")}
                for r in resources if r.kind == "rds_instance"]


class LambdaCostCollector(RuleFacade, lambda_costs.LambdaCostCollector):
    def identify_over_provisioned(self, resources: Iterable[Resource]) -> list[dict[str, Any]]:
        """Functions the rules find over-provisioned (lambda_memory), with the memory they recommend."""
        return [{"function_name": r.name or r.resource_id, "region": r.region, "memory_mb": r.attributes["memory_mb"],
                 "recommended_memory_mb": f.finding.evidence.get("recommended_mb"), "estimated_savings": f.savings}
                for r, f in self.having("lambda_memory", "lambda_function", resources)]

    def calculate_optimal_memory(self, r: Resource) -> int | None:
        """The memory the lambda_memory finding recommends; None when the rules recommend no change."""
        found = self.on(r).get("lambda_memory")
        return found.finding.evidence.get("recommended_mb") if found else None

    def analyze_invocations(self, resources: Iterable[Resource]) -> list[dict[str, Any]]:
        out = []
        for r in _of_kind(resources, "lambda_function"):
            invocations = summary_value(r, "invocations", "total") or 0
            errors = summary_value(r, "errors", "total") or 0
            out.append({"function_name": r.name or r.resource_id, "region": r.region, "invocations": invocations,
                        "invocations_per_day": summary_value(r, "invocations"),
                        "duration_ms_avg": summary_value(r, "duration"), "errors": errors,
                        "throttles": summary_value(r, "throttles", "total") or 0,
                        "error_rate_pct": round(100 * errors / invocations, 2) if invocations else None,
                        "monthly_cost": r.monthly_cost})
        return out

    def identify_cold_starts(self, resources: Iterable[Resource]) -> list[dict[str, Any]]:
        """Cold-start share per function from Lambda Insights' init_duration; None and a note without it."""
        out = []
        for r in _of_kind(resources, "lambda_function"):
            cold = r.utilization.get("cold_starts")
            invocations = summary_value(r, "invocations", "total") or 0
            count = cold.total if cold is not None and cold.days > 0 else None
            share = round(100 * count / invocations, 2) if count is not None and invocations else None
            out.append({"function_name": r.name or r.resource_id, "region": r.region,
                        "cold_starts": count, "cold_start_pct": share,
                        "note": "" if count is not None else lambda_costs.NOTE_COLD_STARTS})
        return out


class S3CostCollector(RuleFacade, s3.S3CostCollector):
    def identify_lifecycle_opportunities(self, resources: Iterable[Resource]) -> list[Resource]:
        return [r for r, _ in self.having("s3_lifecycle", "s3_bucket", resources)]

    def identify_incomplete_uploads(self, resources: Iterable[Resource],
                                    now: datetime | None = None) -> list[Resource]:
        """Buckets with multipart uploads older than 7 days at `now` and no abort rule."""
        return [r for r, _ in self.having("s3_incomplete_uploads", "s3_bucket", resources, now=now)]

    def analyze_storage_classes(self, resources: Iterable[Resource]) -> dict[str, float]:
        """GB per storage class across buckets (Standard measured daily by CloudWatch)."""
        totals: dict[str, Decimal] = {}
        for r in _of_kind(resources, "s3_bucket"):
            for cls, gb in r.attributes.get("storage_gb_by_class", {}).items():
                totals[cls] = totals.get(cls, Decimal(0)) + Decimal(str(gb))
        return {cls: float(gb) for cls, gb in sorted(totals.items())}

    def calculate_transfer_costs(self, cost_rows: Iterable[CostRow]) -> dict[str, float]:
        """Data-transfer spend of S3 by usage type, from Cost Explorer's daily usage-type rows."""
        totals: dict[str, Decimal] = {}
        for row in cost_rows:
            if row.service == S3_SERVICE and ("DataTransfer" in row.usage_type or "Bytes" in row.usage_type):
                totals[row.usage_type] = totals.get(row.usage_type, Decimal(0)) + Decimal(str(row.cost))
        return {k: cents(v) for k, v in sorted(totals.items())}


def _of_kind(resources: Iterable[Resource], kind: ResourceKind) -> list[Resource]:
    return [r for r in resources if r.kind == kind]
