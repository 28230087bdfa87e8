"""What every run over a simulated organization must show, checked against its ground truth (tools/sandbox
computes it from its own tables, never from the product)."""

from __future__ import annotations

from typing import Any

from tools.models import Report

ADVISED = {"reserved_instance", "savings_plan"}
COST_TOLERANCE = 0.05
"""A finding's monthly cost against the billed truth: within 5 % (docs/money.md: rates learned from the bill)."""
SAVING_TOLERANCE = 0.15
"""Its saving: within 15 %. The product learns a usage type's rate from the payer's bill, over every account; the
truth prices each account from its own lines, and the simulated members' average rates differ by up to 3 % (gp3:
$0.0772 against the payer's $0.0797 a GB-month). A saving is a difference of two rates, so that 3 % becomes up to
12 % of a gp2 -> gp3 saving ($4.65 against $4.16). In a real organization a usage type has one rate."""


def check_organization(report: Report, truth: dict[str, Any]) -> None:
    refused = [a["account_id"] for a in truth["accounts"] if a["refuses_role"]]
    readable = [a for a in truth["accounts"] if not a["refuses_role"]]
    # partial for the refusing member only: one error, every other account complete
    assert report.partial is True
    assert [e.scope for e in report.errors] == [f"account/{r}" for r in refused]
    assert all("AccessDenied" in (e.code or "") + e.error for e in report.errors)
    found = {(f.account_id, f.resource_id, o.type): f for o in report.opportunities for f in o.resources}
    planted = {(w["account_id"], w["resource_id"], w["type"]): w for a in readable for w in a["waste"]}
    # Everything but purchase advice is found exactly as planted, in the right account, priced near the bill.
    assert {k for k in found if k[2] not in ADVISED} == {k for k in planted if k[2] not in ADVISED}
    for key in (k for k in found if k[2] not in ADVISED):
        cost, monthly = planted[key]["billed_monthly_cost"], found[key].monthly_cost or 0.0
        billed, saving = planted[key]["billed_saving"], found[key].estimated_savings or 0.0
        assert abs(monthly - cost) <= COST_TOLERANCE * cost + 0.01, (key, monthly, cost)
        assert abs(saving - billed) <= SAVING_TOLERANCE * billed + 0.01, (key, saving, billed)
    # Purchase advice is the payer's, for the whole organization, and a ceiling (docs/rules.md): the payer's own
    # candidates first; what is left of AWS's estimate may go to a member's steady resource.
    payer = truth["account_id"]
    assert {k for k in planted if k[2] in ADVISED and k[0] == payer} <= set(found)
    assert {k for k in found if k[2] in ADVISED} <= {k for k in planted if k[2] in ADVISED}
    plans = [f for o in report.opportunities if o.type == "savings_plan" for f in o.resources]
    if truth["purchase_advice"]["savings_plan"]:
        assert sum(f.savings for f in plans) <= truth["purchase_advice"]["savings_plan"]["monthly_saving"] + 0.005
    for advice in truth["purchase_advice"]["reserved_instances"]:
        matching = [f for o in report.opportunities if o.type == "reserved_instance" for f in o.resources
                    if (f.region, f.resource_type) == (advice["region"], advice["instance_type"])]
        assert len(matching) <= advice["count"]
    assert not any(key[0] in refused for key in found)
    # Spend comes from the payer's Cost Explorer: every account's, the refusing member's too, to the cent.
    assert report.total_monthly_cost == truth["cost_totals"]["total"]
    assert report.by_account == {a["account_id"]: a["cost_totals"]["total"] for a in truth["accounts"]}
    assert round(sum(report.savings.by_account.values()), 2) == report.savings.total
