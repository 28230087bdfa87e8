"""The per-account table of a report over several accounts: each account's month of spend and its share of the
savings total (each resource counted once), largest savings first."""

from __future__ import annotations

from html import escape

from agent.surfaces.report.charts import money
from tools.models import Report


def accounts_section(report: Report) -> str:
    """'' for a report of one account."""
    accounts = set(report.by_account) | {a for a in report.savings.by_account if a}
    if len(accounts) < 2:
        return ""
    failed = {e.scope.split("/")[1] for e in report.errors if e.scope.startswith("account/")}
    rows = []
    for account in sorted(accounts, key=lambda a: (-report.savings.by_account.get(a, 0.0),
                                                   -report.by_account.get(a, 0.0), a)):
        spend = report.by_account.get(account)
        saving = report.savings.by_account.get(account, 0.0)
        share = f"{100 * saving / spend:.1f} %" if spend else ""
        note = "<span class=warn-inline>not read: its role could not be assumed</span>" if account in failed else ""
        rows.append(f"<tr><td>{escape(account)} {note}</td><td class=n>{money(spend) if spend is not None else ''}"
                    f"</td><td class=n>{money(saving)}</td><td class=n>{share}</td></tr>")
    total = (f"<tr><td><b>all accounts</b></td><td class=n><b>{money(report.total_monthly_cost)}</b></td>"
             f"<td class=n><b>{money(report.savings.total)}</b></td><td></td></tr>")
    return ('<h2>By account</h2><div class="scroll"><table><tr><th>account</th><th>spend / month</th>'
            "<th>savings / month</th><th>savings of spend</th></tr>" + "".join(rows) + total + "</table></div>"
            '<p class="muted">Spend is Cost Explorer\'s at the payer (every account, also those that could not be '
            "read); savings count each resource once.</p>")
