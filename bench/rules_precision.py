"""Precision, recall and billed-saving accuracy per finding type against a running sandbox's ground truth.

    python -m tools.sandbox --variant extended --ready-file /tmp/sbx/ready.json &
    python bench/rules_precision.py /tmp/sbx/ready.json

Runs whichever `agent`/`tools` come first on sys.path, so an older checkout can be measured against the same
sandbox (`PYTHONPATH=/path/to/old/checkout python bench/rules_precision.py ...`).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path


def main(ready_file: str) -> None:
    ready = json.loads(Path(ready_file).read_text())
    truth = json.loads(Path(ready["ground_truth_path"]).read_text())
    os.environ.update(ready["env"])
    from agent.analysis import AWSCostAnalyzer
    from tools.aws.clients import ClientFactory
    from tools.aws.collect import collect_inventory, collect_utilization
    from tools.aws.live_prices import run_prices
    from tools.settings import load_settings

    settings = load_settings(data_dir=tempfile.mkdtemp())
    factory = ClientFactory(settings)
    prices = run_prices(factory, settings)
    result = collect_utilization(factory, settings,
                                 collect_inventory(factory, settings, prices, regions=settings.aws_regions))
    try:  # today's analysis prices from the collection's data; older checkouts took the price book itself
        from agent.analysis.prices import analysis_prices
        prices = analysis_prices(result)
    except ImportError:
        pass
    report = AWSCostAnalyzer(settings, prices).generate_summary_report(result)
    found = {(f.resource_id, o.type): f for o in report.opportunities for f in o.resources}
    planted = {(w["resource_id"], w["type"]): w for w in truth["waste"]}
    print(f"{'type':24} {'precision':>9} {'recall':>6} {'planted':>7} {'within 5%':>9}")
    for kind in sorted({t for _, t in found} | {t for _, t in planted}):
        got, want = {k for k in found if k[1] == kind}, {k for k in planted if k[1] == kind}
        hit = got & want
        close = sum(1 for k in hit if found[k].estimated_savings is not None and abs(
            found[k].estimated_savings - planted[k]["billed_saving"]) <= max(0.25, 0.05 * planted[k]["billed_saving"]))
        print(f"{kind:24} {len(hit) / len(got) if got else 1:9.2f} {len(hit) / len(want) if want else 1:6.2f} "
              f"{len(want):7d} {close:>4}/{len(hit)}")
    both = set(found) & set(planted)
    print(f"all types: precision {len(both) / len(found):.3f}, recall {len(both) / len(planted):.3f}")
    print(f"monthly spend {report.total_monthly_cost} (truth {truth.get('monthly_spend')}), waste {report.total_waste}")


if __name__ == "__main__":
    main(sys.argv[1])
