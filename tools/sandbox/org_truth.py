"""ground_truth.json of an organization: the sandbox with member accounts (accounts >= 1).

Every key of truth.py stays, for the organization as its management (payer) account's Cost Explorer sees it:
- `cost_totals`, `adjustments`, `monthly_spend`: over every account's cost lines, refused members included (their
  spend is on the payer's bill whether or not their role can be assumed).
- `waste`, `insufficient_data`, `ignored`: every account's; each waste entry carries its `account_id`.
- `counts`: resources per kind over every account; `anomalies`: the union of the accounts' planted anomalies (the
  same service, region and day planted in several accounts is one anomaly of the organization's bill).
- `seed`, `variant`, `regions`, `account_id`, `period`, `purchase_advice`, `reservations`: the management account's
  (purchase advice, rightsizing and reservations stay payer-level: the Cost Explorer server answers them from the
  management account's fleet).

and `accounts` lists each account, the management account first, then the members by index: `account_id`, `name`
(as Organizations ListAccounts names it), `refuses_role` (AssumeRole of the member role is denied), and the account's
own `regions` (the order its blocks were laid out in), `cost_totals`, `adjustments`, `monthly_spend`, `waste` (each
entry with `account_id`), `insufficient_data`, `ignored`, `anomalies` and `counts`, as truth.py computes them for
that account alone. The accounts' `cost_totals` sum to the organization's.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from tools.sandbox.cost_lines import Line, adjustments, monthly_spend, totals
from tools.sandbox.org import Member

ACCOUNT_KEYS = ("regions", "cost_totals", "adjustments", "monthly_spend", "insufficient_data", "ignored", "anomalies",
                "counts")


def account_entry(truth: dict[str, Any], name: str, refuses_role: bool) -> dict[str, Any]:
    """One account's entry of `accounts`, from its own ground truth (truth.ground_truth of its fleet alone)."""
    account_id = truth["account_id"]
    return {"account_id": account_id, "name": name, "refuses_role": refuses_role,
            **{key: truth[key] for key in ACCOUNT_KEYS},
            "waste": [{**w, "account_id": account_id} for w in truth["waste"]]}


def organization_truth(management: dict[str, Any], management_name: str,
                       members: list[tuple[Member, dict[str, Any]]], lines: list[Line]) -> dict[str, Any]:
    """The organization's ground truth from the management account's and each member's, and every account's lines."""
    accounts = [account_entry(management, management_name, False)]
    accounts += [account_entry(truth, m.name, m.refuses_role) for m, truth in members]
    start, end = (date.fromisoformat(management["period"][k]) for k in ("start", "end"))
    counts: Counter[str] = Counter()
    for a in accounts:
        counts.update(a["counts"])
    anomalies = {tuple(sorted(x.items())) for a in accounts for x in a["anomalies"]}
    return {
        **management,
        "cost_totals": totals(lines, start, end),
        "adjustments": adjustments(lines, start, end),
        "monthly_spend": monthly_spend(lines, end),
        "waste": [w for a in accounts for w in a["waste"]],
        "insufficient_data": [r for a in accounts for r in a["insufficient_data"]],
        "ignored": [r for a in accounts for r in a["ignored"]],
        "anomalies": sorted((dict(x) for x in anomalies), key=lambda x: (x["date"], x["service"], x["region"])),
        "counts": dict(sorted(counts.items())),
        "accounts": accounts,
    }
