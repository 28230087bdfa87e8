"""One run on the simulated account, and the same deduplicated savings total to the cent on every surface:
the report (JSON, its tile and bars in HTML, the deterministic and narrated summaries), the API (/analysis,
/opportunities, /actions), Prometheus, the Grafana panels' SQL, chat and the CLI's output.

The expected total is computed here from the report's findings with the rule written out again (each resource
once: its largest waste saving, else its largest pricing-lever saving), not by the product's code."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rich.console import Console

from agent import metrics
from agent.graphs.runner import ask, run_analysis
from agent.surfaces.api import create_app
from agent.surfaces.cli.output import print_report
from agent.surfaces.report.html import render_html
from tools.models import Report
from tools.settings import get_settings, load_settings

LEVERS = {"reserved_instance", "savings_plan", "spot_migration"}
DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana-dashboard.json"
KEY = "one-total-key"


def money(value: Decimal | float) -> str:
    return f"${Decimal(str(value)):,.2f}"


def expected_split(report: Report) -> tuple[Decimal, Decimal, int]:
    """(waste, pricing levers, resources merged) by the rule in docs/rules.md, from the findings alone."""
    owner: dict[tuple[str, str, str], tuple[str, str, str]] = {}
    for o in report.opportunities:
        for f in o.resources:
            for covered in f.evidence.get("covered_resources") or []:
                owner[(f.account_id, f.region, str(covered))] = (f.account_id, f.region, f.resource_id)
    per: dict[tuple[str, str, str], list[tuple[bool, Decimal]]] = {}
    for o in report.opportunities:
        for f in o.resources:
            key = (f.account_id, f.region, f.resource_id)
            per.setdefault(owner.get(key, key), []).append((o.type in LEVERS, Decimal(str(f.estimated_savings or 0))))
    waste = levers = Decimal(0)
    for found in per.values():
        wastes = [s for lever, s in found if not lever]
        if wastes:
            waste += max(wastes)
        else:
            levers += max(s for _, s in found)
    return waste, levers, sum(1 for found in per.values() if len(found) > 1)


@pytest.fixture
def run(sandbox_env, storage_env, monkeypatch) -> Report:
    for key, value in sandbox_env.env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    return run_analysis(get_settings(), refresh=True, trigger="test")


def test_every_surface_shows_the_same_total(run: Report, storage_env, report_checker) -> None:
    report = run
    report_checker(report.model_dump(mode="json", by_alias=True))
    waste, levers, merged = expected_split(report)
    total = waste + levers
    # The simulated account has resources in two findings (an oversized instance that is also a spot candidate):
    # the naive sum of findings would be larger.
    naive = sum(Decimal(str(f.estimated_savings or 0)) for o in report.opportunities for f in o.resources)
    assert merged > 0 and naive > total > 0
    savings = report.savings
    assert (Decimal(str(savings.total)), Decimal(str(savings.waste)), Decimal(str(savings.pricing_levers))) == (
        total, waste, levers)
    assert (savings.merged_resources, len(savings.merged), Decimal(str(savings.found))) == (merged, merged, naive)
    assert Decimal(str(report.total_waste)) == waste
    assert sum(Decimal(str(c.counted)) for c in savings.by_opportunity) == total
    for f in (f for o in report.opportunities for f in o.resources):
        assert f.estimated_savings is None or f.estimated_savings <= (f.monthly_cost or 0) + 0.005

    # HTML: the tile, and the bars that add up to it
    page = render_html(report)
    assert f"<b>{money(total)}</b><span>monthly savings, each resource once</span>" in page
    bars = page.split('aria-label="Savings by type"', 1)[1].split("</svg>", 1)[0]
    assert sum(Decimal(v.replace(",", "")) for v in re.findall(r'class="lb">\$([\d,]+\.\d\d)<', bars)) == total

    # Spend by tag: each asked key's values add up to the month's spend (one month, like the total), and show
    assert set(report.by_tag) == {"env", "team", "cost-center"}
    for values in report.by_tag.values():
        assert round(sum(values.values()), 2) == report.total_monthly_cost
    assert "<h2>Spend by tag</h2>" in page and "<th>team</th>" in page

    # Summaries: the narrated one (the sandbox's Converse server) and the deterministic one name the total
    assert money(total) in report.executive_summary

    # API
    settings = load_settings(api_key=KEY)
    headers = {"X-API-Key": KEY}
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        analysis = client.get("/api/v1/aws/analysis", headers=headers).json()
        assert Decimal(str(analysis["savings"]["total"])) == total
        listed = client.get("/api/v1/aws/opportunities", headers=headers).json()
        assert (Decimal(str(listed["total_savings"])), Decimal(str(listed["waste"])),
                Decimal(str(listed["pricing_levers"]))) == (total, waste, levers)
        assert sum(Decimal(str(o["counted_savings"])) for o in listed["opportunities"]) == total
        actions = client.get("/api/v1/aws/actions?limit=500", headers=headers).json()
        assert Decimal(str(actions["total_savings"])) == total
        assert sum(Decimal(str(a["monthly_saving"])) for a in actions["actions"]) == total
        priced_counted = sum(1 for o in report.opportunities for f in o.resources if f.counted and f.savings > 0)
        assert actions["count"] == len(actions["actions"]) == priced_counted
        assert [a["rank"] for a in actions["actions"]][:3] == [1, 2, 3]
        assert actions["actions"][:10] == [a.model_dump(mode="json") for a in report.do_first]

    # Prometheus: waste by service and both categories
    metrics.record_collection(report, 1.0)
    text = metrics.exposition().decode()
    by_category = {m[0]: Decimal(m[1]) for m in re.findall(r'aws_savings_identified_usd\{category="(\w+)"\} (\S+)', text)}
    assert by_category == {"waste": waste, "pricing_lever": levers}
    by_service = [Decimal(v) for v in re.findall(r'aws_waste_identified_usd\{service="[^"]+"\} (\S+)', text)]
    assert sum(by_service).quantize(Decimal("0.01")) == waste

    # Grafana: the stat panel's SQL over what the run stored
    dash = json.loads(DASHBOARD.read_text())
    sql = next(p["targets"][0]["rawSql"] for p in dash["panels"]
               if p["title"] == "Monthly savings, each resource once (latest run)")
    assert storage_env._rows(sql) == [(total,)]

    # Chat, offline (the planner over stored data)
    offline = get_settings().model_copy(update={"bedrock_model_id": "none"})
    answer = ask("What is the total waste you found?", None, offline)
    assert f"{money(total)} a month" in answer.answer and money(waste) in answer.answer
    assert money(levers) in answer.answer

    # CLI output, at 80 columns
    out = io.StringIO()
    print_report(Console(file=out, width=80, color_system=None), report)
    printed = out.getvalue()
    assert f"savings {money(total)} a month: waste {money(waste)}" in " ".join(printed.split())
    assert "Do this first" in printed
