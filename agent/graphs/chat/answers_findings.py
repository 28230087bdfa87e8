"""Answers about what the latest report found and what the inventory holds: the total waste (the report's own,
deduplicated), savings of a subset, findings listed completely (or "N more" and how to get them all), counts of
exactly what was asked (a running instance is not a stopped one), resources, and one resource's details."""

from __future__ import annotations

from datetime import date
from typing import Any

from agent.analysis.summary import money
from agent.graphs.chat.entities import Known
from agent.graphs.chat.plan import Plan
from agent.graphs.chat.reply import LIST_CAP, NOTHING_STORED, Reply, cannot, region_not_collected, service_label
from agent.graphs.chat.tools_findings import KIND_OF_TYPE
from agent.graphs.chat.vocabulary import IDLE_TYPES

NOUNS = {"ec2_instance": "EC2 instances", "ebs_volume": "EBS volumes", "ebs_snapshot": "EBS snapshots",
         "rds_snapshot": "RDS snapshots", "elastic_ip": "Elastic IPs", "nat_gateway": "NAT gateways",
         "rds_instance": "RDS databases", "lambda_function": "Lambda functions", "s3_bucket": "S3 buckets",
         "autoscaling_group": "Auto Scaling groups"}
PHRASES = {
    "idle_resource": "are idle", "rightsizing": "are oversized", "spot_migration": "could run on Spot",
    "reserved_instance": "could use a reserved instance", "savings_plan": "could be covered by a Savings Plan",
    "unattached_volume": "are unattached", "volume_type_upgrade": "could move to gp3", "old_snapshot":
    "are old snapshots", "unused_elastic_ip": "are unused", "idle_nat_gateway": "are idle", "idle_database":
    "are idle", "multi_az": "run Multi-AZ outside production", "previous_generation": "are previous generation",
    "lambda_memory": "have more memory than they use", "lambda_errors": "have a high error rate",
    "s3_lifecycle": "have no lifecycle rules", "s3_incomplete_uploads": "have incomplete multipart uploads",
}


_SINGULAR = {"are ": "is ", "have ": "has ", "run ": "runs "}


def _finding_args(plan: Plan, limit: int, state: bool = True) -> dict[str, Any]:
    f = plan.filters
    return {"types": f.finding_types, "service": service_label(f.service) if not f.kind else None,
            "region": f.region, "state": f.state if state else None, "kind": f.kind, "tag_key": f.tag_key,
            "tag_value": f.tag_value, "limit": limit}


def _parts(plan: Plan, count: int) -> tuple[str, str, str]:
    """('3 running EC2 instances in eu-west-1', 'are idle', ' (idle_resource)')."""
    f = plan.filters
    kinds = {KIND_OF_TYPE.get(t) for t in f.finding_types}
    noun = NOUNS.get(f.kind or (kinds.pop() if len(kinds) == 1 else "") or "", "resources")
    noun = noun[:-1] if count == 1 else noun
    where = "".join(f" {w}" for w in (f"in {f.region}" if f.region else "",
                                       f"tagged {f.tag_key}={f.tag_value}" if f.tag_key and f.tag_value else "") if w)
    types = f.finding_types
    verb = PHRASES[types[0]] if len(types) == 1 else "are idle or unused" if set(types) == set(IDLE_TYPES) \
        else "have findings"
    if count == 1:
        verb = next((one + verb[len(many):] for many, one in _SINGULAR.items() if verb.startswith(many)), verb)
    return f"{count} {f.state + ' ' if f.state else ''}{noun}{where}", verb, f" ({', '.join(types)})" if types else ""


def describe(plan: Plan, count: int) -> str:
    """'3 running EC2 instances are idle (idle_resource)'."""
    who, verb, named = _parts(plan, count)
    return f"{who} {verb}{named}"


def _about(row: dict[str, Any], *extra: str) -> str:
    """'eu-west-1, running, m5.large' (the region only when the shown name lacks it)."""
    region = "" if row["shown"].endswith(f"({row['region']})") else row["region"]
    return ", ".join(x for x in (region, *extra, row["state"], row["resource_type"]) if x)


def _item(row: dict[str, Any], several_types: bool) -> str:
    details = _about(row, row["type"] if several_types else "")
    saving = money(row["savings_usd"]) + " a month" if row["savings_usd"] is not None else "unpriced"
    return f"- {row['shown']} ({details}): {saving}; {row['recommendation']}"


def findings(plan: Plan, known: Known, reply: Reply, now: date) -> None:
    f = plan.filters
    if f.region and f.region not in known.collected and known.collected:
        region_not_collected(reply, known, now, f.region)
        return
    if not f.finding_types and plan.shape in ("top", "total", "list"):
        top_opportunities(plan, reply)
        return
    result = reply.ask("findings", _finding_args(plan, 500 if plan.complete else LIST_CAP))
    if reply.failed(result, "the findings"):
        return
    head = describe(plan, result["matching"])
    if not f.finding_types:
        who = _parts(plan, result["resources"])[0].split(" ", 1)[1]
        head = f"{result['matching']} findings on {result['resources']} {who}"
    if not result["matching"]:
        reply.say(f"{head.replace('0 ', 'No ', 1)} in the latest report {reply.cite(result)}.")
    else:
        reply.say(f"{head} in the latest report: {money(result['savings_usd'])} a month to save, counted once per "
                  f"resource {reply.cite(result)}:")
        reply.say(*(_item(row, len(result["by_type"]) > 1) for row in result["findings"]))
    if result["more"]:
        reply.say(more_line(result["more"], plan.text))
    if f.state:
        _others(plan, reply, result)


def _others(plan: Plan, reply: Reply, counted: dict[str, Any]) -> None:
    """The findings of the same kind in another state, named as not counted."""
    result = reply.ask("findings", _finding_args(plan, 500, state=False))
    if "error" in result:
        return
    others = [r for r in result["findings"] if r["state"] != plan.filters.state]
    if others:
        states = sorted({r["state"] or "unknown" for r in others})
        reply.say(f"Not counted: {len(others)} more in another state ({', '.join(states)}): "
                  + ", ".join(f"{r['shown']} ({r['state'] or 'unknown'})" for r in others) + ".")


def top_opportunities(plan: Plan, reply: Reply) -> None:
    per = 500 if plan.complete else LIST_CAP
    result = reply.ask("top_opportunities", {"limit": plan.top_n or (50 if plan.complete else 5),
                                             "service": service_label(plan.filters.service),
                                             "per_opportunity": per})
    if reply.failed(result, "the opportunities"):
        return
    if not result["opportunities"]:
        reply.say(f"No savings opportunities in the latest report {reply.cite(result)}.")
        return
    reply.say(f"Biggest savings opportunities {reply.cite(result)}:")
    for o in result["opportunities"]:
        ids = ", ".join(r.get("name") or r["resource_id"] for r in o["largest"])
        more = f" and {o['resources'] - len(o['largest'])} more" if o["resources"] > len(o["largest"]) else ""
        reply.say(f"- {o['type']} ({o['service']}): {o['resources']} resource(s), {money(o['monthly_savings_usd'])} "
                  f"a month, priority {o['priority']}: {ids}{more}")
    if result["matching"] > len(result["opportunities"]):
        reply.say(more_line(result["matching"] - len(result["opportunities"]), "savings opportunities"))


def savings(plan: Plan, known: Known, reply: Reply, now: date) -> None:
    f = plan.filters
    if plan.group_by == "account":
        _savings_by_account(plan, reply)
        return
    if not any((f.finding_types, f.service, f.region, f.kind, f.state, f.tag_key)):
        _total_waste(reply)
        return
    if f.region and f.region not in known.collected and known.collected:
        region_not_collected(reply, known, now, f.region)
        return
    result = reply.ask("findings", _finding_args(plan, 1))
    if reply.failed(result, "the findings"):
        return
    who, verb, named = _parts(plan, result["resources"])
    label = service_label(f.service)
    what = f"the {who} that {verb}{named}" if f.finding_types else \
        f"the findings on {who.replace(' resources', f' {label} resources' if label and not f.kind else ' resources')}"
    reply.say(f"Fixing {what} would save {money(result['savings_usd'])} a month ({result['matching']} finding(s), "
              f"counted once per resource) {reply.cite(result)}.")
    if len(result["by_type"]) > 1:
        reply.say(*(f"- {t['type']} ({t['service']}): {t['findings']} finding(s), {money(t['savings_usd'])} a month"
                    for t in result["by_type"]))


def _savings_by_account(plan: Plan, reply: Reply) -> None:
    result = reply.ask("report_summary", {})
    if reply.failed(result, "the latest report"):
        return
    ranked = sorted(result["savings_by_account_usd"].items(), key=lambda kv: (-kv[1], kv[0]))
    named = [(k, v) for k, v in ranked if k]
    if len(named) < 2:
        reply.say(f"The latest report covers one account ({result['account_id'] or 'the caller'}): it saves "
                  f"{money(result['total_savings_usd'])} a month {reply.cite(result)}. Set AWS_ACCOUNTS to read "
                  "several accounts (docs/many-accounts.md).")
        return
    spend = result.get("spend_by_account_usd") or {}
    shown = named[:plan.top_n] if plan.shape == "top" and plan.top_n else named
    reply.say(f"Savings by account in the latest report ({result['period']}), each resource counted once "
              f"{reply.cite(result)}:")
    reply.say(*(f"- {account}: {money(saving)} a month" + (f" of {money(spend[account])} spend" if account in spend
                                                             else "") for account, saving in shown))
    if len(shown) < len(named):
        reply.say(f"{len(named) - len(shown)} more account(s); the total is {money(result['total_savings_usd'])}.")


def _total_waste(reply: Reply) -> None:
    result = reply.ask("report_summary", {})
    if reply.failed(result, "the latest report"):
        return
    reply.say(f"Savings found in the latest report ({result['period']}): {money(result['total_savings_usd'])} a "
              f"month, counted once per resource across {result['opportunities']} opportunities "
              f"({result['findings']} findings, {result['merged_resources']} resource(s) with overlapping findings "
              f"merged) {reply.cite(result)}.",
              f"- waste (idle, unused, oversized): {money(result['total_waste_usd'])}, "
              f"{result['waste_percentage']:.2f} % of {money(result['total_monthly_cost_usd'])} spend",
              f"- pricing levers (Reserved Instances, Savings Plans, spot): {money(result['pricing_levers_usd'])}")
    by_service = result["waste_by_service_usd"]
    if len(by_service) > 1:
        reply.say("Waste by service: " + "; ".join(f"{k} {money(v)}" for k, v in
                                             sorted(by_service.items(), key=lambda kv: (-kv[1], kv[0]))) + ".")


def resources(plan: Plan, known: Known, reply: Reply, now: date) -> None:
    f = plan.filters
    group = {"region": "region", "type": "type", "tag": "tag", "service": "kind"}.get(plan.group_by or "")
    limit = plan.top_n if plan.shape == "top" and plan.top_n else 500 if plan.complete else LIST_CAP
    result = reply.ask("resources", {"kind": f.kind, "service": service_label(f.service) if not f.kind else None,
                                     "region": f.region, "state": f.state, "tag_key": f.tag_key,
                                     "tag_value": f.tag_value, "group_by": group, "limit": 1 if group else limit})
    if reply.failed(result, "the inventory"):
        return
    if result["snapshot_date"] is None:
        reply.say(f"No inventory is stored yet {reply.cite(result)}. {NOTHING_STORED}")
        return
    noun = NOUNS.get(f.kind or "", "resources")
    if plan.shape == "top" and (plan.top_n or 1) == 1:
        noun = noun[:-1]
    what = " ".join(x for x in (f.state, noun, f"in {f.region}" if f.region else "",
                                f"tagged {f.tag_key}={f.tag_value}" if f.tag_key and f.tag_value else "") if x)
    snapshot = result["snapshot_date"]
    if plan.shape == "top":
        many = f" {plan.top_n}" if (plan.top_n or 1) > 1 else ""
        reply.say(f"The{many} most expensive {what} in the latest inventory ({snapshot}, {result['count']} in all) "
                  f"at price-book rates {reply.cite(result)}:")
    else:
        reply.say(f"{result['count']} {what} in the latest inventory ({snapshot}), "
                  f"{money(result['monthly_cost_usd'])} a month at price-book rates {reply.cite(result)}"
                  + (":" if result["resources"] and not group else "."))
    if not group:
        reply.say(*(f"- {r['shown']} ({_about(r)}): {money(r['monthly_cost_usd'])} a month"
                    for r in result["resources"]))
    if group:
        groups = result[f"by_{group}"]
        reply.say(f"By {f.tag_key if group == 'tag' else group}: " + "; ".join(
            f"{k or 'none'} {v['count']} ({money(v['monthly_cost_usd'])} a month)" for k, v in groups.items()) + ".")
    elif result["more"] and plan.shape != "top":
        reply.say(more_line(result["more"], plan.text))


def more_line(more: int, question: str) -> str:
    return f'... and {more} more: `cost-agent ask "List all: {question.strip()}"` lists every one.'


def details(plan: Plan, known: Known, reply: Reply, now: date) -> None:
    if plan.filters.resource is None:
        cannot(reply, known, now, "it names no stored resource (an id such as i-0abc..., an ARN or a name)")
        return
    result = reply.ask("resource_details", {"resource_id": plan.filters.resource, "region": plan.filters.region})
    if reply.failed(result, "that resource"):
        return
    for item in result.get("matches") or [result]:
        res = item["resource"]
        about = ", ".join(x for x in (res["kind"], res.get("resource_type"), res.get("state"), res["region"]) if x)
        reply.say(f"{res.get('name') or res['resource_id']} ({about}): {money(item['cost_last_30_days'])} over its "
                  f"last {item['cost_days']} stored day(s) {reply.cite(result)}.")
        reply.say(*(f"- {x['type']}: {money(x.get('estimated_savings') or 0)} a month to save; "
                    f"{x.get('recommendation', '')}" for x in item["findings"]))
    if result.get("note"):
        reply.say(result["note"])


def actions(plan: Plan, known: Known, reply: Reply, now: date) -> None:
    result = reply.ask("do_first", {"limit": plan.top_n or 5})
    if reply.failed(result, "the latest report"):
        return
    if not result["actions"]:
        reply.say(f"The latest report has nothing to act on {reply.cite(result)}.")
        return
    reply.say(f"Do this first ({len(result['actions'])} of {result['count']} actions, best saving x confidence first; "
              f"all of them save {money(result['total_savings_usd'])} a month) {reply.cite(result)}:")
    for a in result["actions"]:
        where = a["name"] or a["resource_id"]
        reply.say(f"{a['rank']}. {where} ({a['region']}): {a['action']}; {money(a['monthly_saving'])} a month, "
                  f"{a['effort']}, confidence {a['confidence']:.2f}. {a['risk']}")
