"""Fifty member accounts and the management account, two regions, one member refusing its role: the run is partial
for that member only, and findings and spend of the fifty others are as their ground truth says."""

from __future__ import annotations

import time

import pytest
from graphs.analysis.org_checks import check_organization

from agent.graphs.runner import run_analysis
from agent.surfaces.report.html import render_html
from tools.settings import get_settings

pytestmark = pytest.mark.integration


def test_fifty_accounts_one_refusing(org50_sandbox_env, storage_env, monkeypatch, report_checker) -> None:
    for key, value in org50_sandbox_env.env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    truth = org50_sandbox_env.ground_truth
    began = time.monotonic()
    report = run_analysis(get_settings(), refresh=True, trigger="test")
    seconds = time.monotonic() - began
    report_checker(report.model_dump(mode="json", by_alias=True))
    assert len(truth["accounts"]) == 51 and sum(a["refuses_role"] for a in truth["accounts"]) == 1
    check_organization(report, truth)
    # a total over $10,000 reads to the cent in the HTML tile too, as on every other surface
    assert report.savings.total >= 10_000
    assert f"<b>${report.savings.total:,.2f}</b><span>monthly savings, each resource once</span>" in render_html(report)
    readable = {a["account_id"] for a in truth["accounts"] if not a["refuses_role"]}
    assert {f.account_id for o in report.opportunities for f in o.resources} <= readable
    print(f"\n50 member accounts x 2 regions: {seconds:.1f} s, {sum(c.calls for c in report.api_calls)} AWS calls, "
          f"{sum(len(o.resources) for o in report.opportunities)} findings, savings ${report.savings.total:,.2f}")
