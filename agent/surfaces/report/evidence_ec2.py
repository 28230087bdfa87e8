"""EC2 evidence as sentences: utilization, instance types, prices, AWS's own advice, groups, stopped."""

from __future__ import annotations

from agent.analysis.money import usd
from agent.surfaces.report.evidence_format import Evidence, count, num, pct, raw, rest, sentence, share


def cpu(_: str, e: Evidence) -> list[str]:
    peak = e.get("cpu_max", e.get("cpu_peak"))
    text = f"CPU averaged {pct(e['cpu_avg'])} %"
    if peak is not None:
        how = f", {e['cpu_peak_statistic']}" if e.get("cpu_peak_statistic") else ""
        text += f" (peak {pct(peak)} %{how})"
    return [sentence(text + (f" over {e['days']} days" if "days" in e else ""))]


def network(_: str, e: Evidence) -> list[str]:
    return [f"Network in and out {num(e['network_mb_day'])} MB a day."]


def thresholds(_: str, e: Evidence) -> list[str]:
    t = e["thresholds"]
    if not isinstance(t, dict) or not {"cpu_avg_pct", "cpu_max_pct", "network_mb_day"} <= set(t):
        return [f"thresholds: {raw(t)}"]
    extra = rest(t, {"cpu_avg_pct", "cpu_max_pct", "network_mb_day"})
    return [f"Idle means average CPU under {pct(t['cpu_avg_pct'])} %, peak under {pct(t['cpu_max_pct'])} % and "
            f"network under {num(t['network_mb_day'])} MB a day{extra}."]


def running(_: str, e: Evidence) -> list[str]:
    month = f"a month counts {num(e['hours_per_month'])} h" if "hours_per_month" in e else ""
    if "running" not in e:
        return [sentence(month)]
    return [sentence(str(e["running"]) + (f", so {month}" if month else ""))]


def cpu_limits(_: str, e: Evidence) -> list[str]:
    out = []
    if "threshold_pct" in e:
        out.append(f"Every day's CPU stayed under the {pct(e['threshold_pct'])} % threshold.")
    if "target_cpu_pct" in e:
        out.append(f"The new type is sized to run that peak at {pct(e['target_cpu_pct'])} % CPU or less.")
    return out


def types(_: str, e: Evidence) -> list[str]:
    def kind(key: str, vcpus: str) -> str:
        return str(e[key]) + (f" ({e[vcpus]} vCPUs)" if e.get(vcpus) is not None else "")
    if "current_type" not in e:
        return [f"Target type {kind('target_type', 'target_vcpus')}."]
    text = kind("current_type", "current_vcpus")
    if "target_type" in e:
        text += f" -> {kind('target_type', 'target_vcpus')}"
    # no sentence(): an instance type keeps its lower case
    return [text + (f": {e['target_reason']}." if e.get("target_reason") else ".")]


def memory(_: str, e: Evidence) -> list[str]:
    needed = e.get("memory_needed_gib")
    text = f"Memory {e['memory']}" if "memory" in e else "Memory"
    return [sentence(text + (f": needs {num(needed)} GiB" if needed is not None else ""))]


def graviton(_: str, e: Evidence) -> list[str]:
    g = e["graviton_option"]
    known = {"target_type", "hourly_price", "monthly_saving", "note"}
    if not isinstance(g, dict) or not {"target_type", "monthly_saving"} <= set(g):
        return [f"graviton_option: {raw(g)}"]
    price = f" at {usd(g['hourly_price'], 4)} an hour" if g.get("hourly_price") is not None else ""
    note = f" ({g['note']})" if g.get("note") else ""
    return [f"Graviton alternative: {g['target_type']}{price} would save {usd(g['monthly_saving'])} a month"
            f"{note}{rest(g, known)}."]


def prices(_: str, e: Evidence) -> list[str]:
    if "hourly_price" not in e:
        return [f"Price after the change {usd(e['target_hourly_price'], 4)} an hour."]
    text = f"Price {usd(e['hourly_price'], 4)} an hour"
    if "target_hourly_price" in e:
        text += f" now, {usd(e['target_hourly_price'], 4)} an hour after the change"
    return [text + "."]


def aws_advice(_: str, e: Evidence) -> list[str]:
    a = e["aws_recommendation"]
    known = {"action", "target_type", "estimated_monthly_savings", "source", "confidence"}
    if not isinstance(a, dict) or "action" not in a:
        return [f"aws_recommendation: {raw(a)}"]
    text = f"AWS agrees ({a.get('source') or 'Cost Explorer'}): {str(a['action']).lower()}"
    if a.get("target_type"):
        text += f" to {a['target_type']}"
    if a.get("estimated_monthly_savings") is not None:
        text += f", saving {usd(a['estimated_monthly_savings'])} a month"
    if a.get("confidence"):
        text += f"; confidence {str(a['confidence']).split(' (')[0]}"
    return [text + rest(a, known) + "."]


TERMS = {"ONE_YEAR": "1-year", "THREE_YEARS": "3-year"}


def purchase(_: str, e: Evidence) -> list[str]:
    p = e["aws_purchase_recommendation"]
    known = {"instances", "type", "term", "payment_option", "hourly_commitment", "estimated_monthly_savings",
             "savings_pct", "estimated_savings_pct", "account_monthly_savings", "break_even_months", "source"}
    if not isinstance(p, dict):
        return [f"aws_purchase_recommendation: {raw(p)}"]
    what = (f"{count(p['instances'])} Reserved Instance(s)" if "instances" in p
            else f"a {p['type']} Savings Plan" if "type" in p else "a commitment")
    terms = [TERMS.get(str(p[k]), str(p[k]).replace("_", " ").lower()) for k in ("term", "payment_option") if k in p]
    text = f"AWS recommends {what}" + (f", {', '.join(terms)}" if terms else "")
    if p.get("hourly_commitment") is not None:
        text += f", committing ${num(p['hourly_commitment'])} an hour"
    gains = []
    share = p.get("savings_pct", p.get("estimated_savings_pct"))
    if share is not None:
        gains.append(f"{pct(share)} % off")
    if p.get("estimated_monthly_savings") is not None:
        gains.append(f"{usd(p['estimated_monthly_savings'])} a month")
    if p.get("account_monthly_savings") is not None:
        gains.append(f"{usd(p['account_monthly_savings'])} a month for the whole account")
    if p.get("break_even_months") is not None:
        gains.append(f"break-even after {num(p['break_even_months'])} months")
    text += (": " + ", ".join(gains) if gains else "") + (f" ({p['source']})" if p.get("source") else "")
    return [text + rest(p, known) + "."]


def spot(_: str, e: Evidence) -> list[str]:
    text = f"Spot candidate: {e['reason']}" if "reason" in e else "Spot candidate"
    if "spot_savings_pct" in e:
        text += f"; spot costs about {pct(e['spot_savings_pct'])} % less than on-demand"
    return [sentence(text)]


def running_share(_: str, e: Evidence) -> list[str]:
    days = f" of the last {e['days']} days" if "days" in e else " of the time"
    return [f"Running {share(e['running_fraction'])} %{days}."]


def discount(_: str, e: Evidence) -> list[str]:
    return [f"A Savings Plan takes {pct(e['discount_pct'])} % off."]


def group(_: str, e: Evidence) -> list[str]:
    head = " ".join(str(e[k]) for k in ("managed_by", "group") if k in e)
    members = e.get("members")
    if not isinstance(members, list):
        covered = ", ".join(map(str, e.get("covered_resources") or []))
        return [sentence(head + (f": {covered}" if covered else ""))]
    out = [sentence(f"{head}: {len(members)} instance(s)")]
    for m in members:
        if not isinstance(m, dict) or "resource_id" not in m:
            out.append(f"member: {raw(m)}")
            continue
        saving = m.get("estimated_savings")
        text = f"{m['resource_id']} saves " + ("nothing priced" if saving is None else usd(saving))
        out.append(text + (f" ({m['arithmetic']})" if m.get("arithmetic") else "") +
                   rest(m, {"resource_id", "estimated_savings", "arithmetic"}) + ".")
    return out


def state(kind: str, e: Evidence) -> list[str]:
    value = str(e["state"])
    if value == "available" and kind == "unattached_volume":
        return ["Unattached (state available)."]
    if value != "stopped":
        return [f"State {value}."]
    days = e.get("stopped_days")
    if days is None:
        return ["Stopped."]
    return ["Stopped for an unknown time." if days == "unknown" else f"Stopped for {days} days."]


def covered(_: str, e: Evidence) -> list[str]:
    ids = [str(x) for x in e.get("covered_resources") or []]
    size = f" ({num(e['volume_gb'])} GB)" if "volume_gb" in e else ""
    if not ids:
        return [f"Still paying for its volumes{size}."]
    return [f"Still paying for {len(ids)} volume(s){size}: {', '.join(ids)}."]
