"""The analysis graph over a simulated organization: one shard per (account x region) through `Send`, the payer's
Cost Explorer once, a member refusing the role (partial, the others complete), findings per account as planted."""

from __future__ import annotations

import pytest
from graphs.analysis.org_checks import check_organization

from agent.graphs.runner import run_analysis
from tools.settings import get_settings


@pytest.fixture
def organization(org_sandbox_env, storage_env, monkeypatch):
    for key, value in org_sandbox_env.env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    return org_sandbox_env.ground_truth


def test_organization_run_is_partial_for_the_refusing_member_only(organization, report_checker) -> None:
    truth = organization
    report = run_analysis(get_settings(), refresh=True, trigger="test")
    report_checker(report.model_dump(mode="json", by_alias=True))
    assert sum(1 for a in truth["accounts"] if a["refuses_role"]) == 1 and len(truth["accounts"]) == 5
    check_organization(report, truth)


def test_every_surface_carries_the_account(organization, storage_env) -> None:
    import re

    from fastapi.testclient import TestClient

    from agent import metrics
    from agent.graphs.runner import ask
    from agent.surfaces.api import create_app
    from agent.surfaces.report.html import render_html
    from tools.settings import load_settings

    truth = organization
    report = run_analysis(get_settings(), refresh=True, trigger="test")
    by_account: dict[str, float] = {}
    for o in report.opportunities:
        for f in o.resources:
            if f.counted:
                by_account[f.account_id] = round(by_account.get(f.account_id, 0.0) + f.savings, 2)
    assert report.savings.by_account == dict(sorted(by_account.items(), key=lambda kv: -kv[1]))
    assert round(sum(report.savings.by_account.values()), 2) == report.savings.total
    top_account, top_saving = next(iter(report.savings.by_account.items()))
    assert top_account in {a["account_id"] for a in truth["accounts"]}

    headers = {"X-API-Key": "org-key"}
    with TestClient(create_app(load_settings(api_key="org-key")), raise_server_exceptions=False) as client:
        one = client.get(f"/api/v1/aws/opportunities?account_id={top_account}", headers=headers).json()
        assert one["total_savings"] == top_saving
        assert {f["account_id"] for o in one["opportunities"] for f in o["resources"]} == {top_account}
        actions = client.get(f"/api/v1/aws/actions?account_id={top_account}&limit=500", headers=headers).json()
        assert round(sum(a["monthly_saving"] for a in actions["actions"]), 2) == top_saving
        assert client.get("/api/v1/aws/actions?account_id=12", headers=headers).status_code == 422

    metrics.record_collection(report, 1.0)
    text = metrics.exposition().decode()
    assert f'aws_account_savings_usd{{account_id="{top_account}"}} {top_saving}' in text
    assert len(re.findall(r"^aws_account_savings_usd\{", text, flags=re.M)) == len(report.savings.by_account)
    costs = dict(re.findall(r'^aws_account_monthly_cost_usd\{account_id="(\d+)"\} (\S+)$', text, flags=re.M))
    assert {k: float(v) for k, v in costs.items()} == report.by_account

    offline = get_settings().model_copy(update={"bedrock_model_id": "none"})
    answer = ask("Which account wastes the most?", None, offline).answer
    assert f"- {top_account}: ${top_saving:,.2f} a month" in answer

    # The HTML report's table per account
    page = render_html(report)
    table = page.split("<h2>By account</h2>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(\d{12}) ?(.*?)</td><td class=n>\$([\d,.]+)</td><td class=n>\$([\d,.]+)</td>", table)
    assert {r[0] for r in rows} == {a["account_id"] for a in truth["accounts"]}
    for account, note, spend, saving in rows:
        assert float(spend.replace(",", "")) == report.by_account[account]
        assert float(saving.replace(",", "")) == report.savings.by_account.get(account, 0.0)
        assert ("could not be assumed" in note) == next(a["refuses_role"] for a in truth["accounts"]
                                                         if a["account_id"] == account)
