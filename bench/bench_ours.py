"""One run of our collection and analysis, in its own process; prints one JSON line (the parent times it).

    python bench/bench_ours.py --scope full|ec2 --regions us-east-1,eu-west-1 --data-dir DIR

`full`: Cost Explorer, every collector, every metric, the analysis and the summary prompt (what a scheduled
run does, without storage). `ec2`: only what answers "which EC2 instances are idle" (DescribeInstances, their
CloudWatch metrics, the rules): the same question Cloud Custodian's policy answers. The AWS endpoints come
from the environment (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_COST_EXPLORER); each run has a fresh ClientFactory.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.analysis import AWSCostAnalyzer  # noqa: E402
from agent.llm.narration import summary_prompt  # noqa: E402
from tools.aws.clients import ClientFactory  # noqa: E402
from tools.aws.collect import collect_inventory, collect_utilization  # noqa: E402
from tools.aws.ec2 import EC2CostCollector  # noqa: E402
from tools.aws.live_prices import run_prices  # noqa: E402
from tools.aws.metric_specs import METRIC_SPECS  # noqa: E402
from tools.models import CollectionResult, Opportunity, Resource  # noqa: E402
from tools.pricing.book import PriceBook  # noqa: E402
from tools.settings import Settings, load_settings  # noqa: E402


def _ec2_only(factory: ClientFactory, settings: Settings, prices: PriceBook, regions: list[str],
              out: dict[str, Any]) -> CollectionResult:
    began = time.perf_counter()
    collector = EC2CostCollector(factory, prices, settings)
    with ThreadPoolExecutor(max_workers=len(regions)) as pool:
        found = list(pool.map(collector.collect_instance_costs, regions))
    inventory = CollectionResult(collected_at=datetime.now(UTC), regions=regions,
                                 resources=[r for part in found for r in part])
    out["inventory_s"] = time.perf_counter() - began
    return collect_utilization(factory, settings, inventory, prices=prices)


def _shape(resources: list[Resource]) -> dict[str, Any]:
    """Counts the lower bounds need: resources by kind and region, metric queries by region."""
    kinds: Counter[str] = Counter(f"{r.kind}|{r.region}" for r in resources)
    queries: Counter[str] = Counter()
    for r in resources:
        queries[r.region] += len(METRIC_SPECS.get(r.kind, ()))
    uploads = sum(int(r.attributes.get("incomplete_uploads", 0)) for r in resources if r.kind == "s3_bucket")
    return {"resources": dict(sorted(kinds.items())), "metric_queries": dict(sorted(queries.items())),
            "incomplete_uploads": uploads}


def _idle_ec2(opportunities: list[Opportunity]) -> list[str]:
    return sorted(f.resource_id for o in opportunities if o.type == "idle_resource" and o.service == "EC2"
                  for f in o.resources)


def run(scope: str, regions: list[str], data_dir: Path) -> dict[str, Any]:
    settings = load_settings(aws_regions=regions, data_dir=data_dir, redis_url=None, clickhouse_url=None,
                             database_url=None)
    factory = ClientFactory(settings)
    prices = run_prices(factory, settings)  # as a run prices: the Pricing API when it answers, else the book
    analyzer = AWSCostAnalyzer(settings, prices)
    began = time.perf_counter()
    out: dict[str, Any] = {"scope": scope}
    if scope == "ec2":
        collection = _ec2_only(factory, settings, prices, regions, out)
        out["collect_s"] = time.perf_counter() - began
        opportunities = analyzer.analyze_all_services(collection).opportunities
    else:
        collection = collect_inventory(factory, settings, prices, regions=regions)
        out["inventory_s"] = time.perf_counter() - began
        collection = collect_utilization(factory, settings, collection, prices=prices)
        out["collect_s"] = time.perf_counter() - began
        report = analyzer.generate_summary_report(collection)
        opportunities = report.opportunities
        prompt = summary_prompt(report)
        chars = sum(len(str(m.content)) for m in prompt)
        out.update(prompt_chars=chars, prompt_tokens=-(-chars // 4), opportunities=len(report.opportunities),
                   total_waste=report.total_waste)
    out["analyze_s"] = time.perf_counter() - began - out["collect_s"]
    out["work_s"] = time.perf_counter() - began
    ledger = factory.ledger
    out.update(
        calls=ledger.by_operation(), calls_total=sum(ledger.by_operation().values()),
        paid_usd=str(ledger.paid_usd()), metrics_requested=ledger.metrics_requested,
        ce_requests=ledger.count(service="ce"), errors=[e.scope for e in collection.errors],
        idle_ec2=_idle_ec2(opportunities), maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **_shape(collection.resources),
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scope", choices=("full", "ec2"), default="full")
    parser.add_argument("--regions", required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args()
    result = run(args.scope, [r for r in args.regions.split(",") if r], args.data_dir)
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
