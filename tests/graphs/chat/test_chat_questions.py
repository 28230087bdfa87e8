"""The offline chat against a table of 52 questions (varied styles, follow-ups in threads), scored.

The account is `chat_data.seed_account` (sandbox-shaped: the standard block's kinds, names, tags, finding types and
Cost Explorer names), seeded once for the module. Each expected answer is computed here from the seeded inputs
(`Account`: cost lines, inventory, findings), never by the planner or the tools. A question is right when every
expected fragment is in the answer, nothing it must not say is, and every dollar figure it quotes is one of the
stored data's (checked with the guard's figure extraction). Prints `N/M right` and the `ask` latency (median, p95)
through the chat graph; run with `-s` to see them.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
from chat_data import (
    EC2,
    LAMBDA,
    LINES,
    OTHER,
    RDS,
    RESOURCES,
    Account,
    agent_cost_records,
    last_month,
    seed_account,
)

from agent.graphs.chat.args import today
from agent.graphs.chat.guard import verify_answer
from agent.graphs.chat.tools import run_query
from agent.graphs.runner import ask
from tools.settings import get_settings, load_settings

USE1, EU = "us-east-1", "eu-west-1"
DYNAMO = "Amazon DynamoDB"


def m(value: Decimal | float) -> str:
    return f"${Decimal(str(value)).quantize(Decimal('0.01')):,.2f}"


@dataclass
class Case:
    question: str
    expect: list[str]
    absent: list[str] = field(default_factory=list)
    thread: str = ""
    periods: list[tuple[date, date]] = field(default_factory=list)
    """Periods whose stored spend (any service, region, usage type) the answer may quote."""
    figures: list[Decimal | float] = field(default_factory=list)
    """Further figures of the stored data the answer may quote (beyond the expected ones and the report's)."""
    lines: tuple[str, int] | None = None
    """(prefix, count): exactly this many answer lines start with the prefix (a list's length)."""


@pytest.fixture(scope="module")
def account(storage):
    """The account, stored once for every question of the module."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATA_DIR", str(storage.data_dir))
        get_settings.cache_clear()
        storage.truncate_all()
        yield seed_account(storage, today())
        get_settings.cache_clear()


def _periods(a: Account) -> dict[str, tuple[date, date]]:
    t = a.today
    monday = t - timedelta(days=t.weekday() + 7)
    lm = last_month(t)
    before = last_month(lm[0])
    return {"p30": (t - timedelta(days=30), a.yesterday), "lm": lm, "before": before,
            "l7": (t - timedelta(days=7), a.yesterday), "l14": (t - timedelta(days=14), a.yesterday),
            "l5": (t - timedelta(days=5), a.yesterday), "lw": (monday, monday + timedelta(days=6))}


def _spend_cases(a: Account, p: dict[str, tuple[date, date]]) -> list[Case]:
    lm, p30, l7 = p["lm"], p["p30"], p["l7"]
    d = a.today - timedelta(days=20)
    top3 = sorted(a.by(0, *lm).items(), key=lambda kv: -kv[1])[:3]
    regions = a.by(1, *p30)
    top_region = max(regions, key=lambda r: regions[r])
    return [
        Case("What did we spend on EC2 last month?",
             [f"Spend {EC2} for last month ({lm[0]}..{lm[1]}): {m(a.cost(*lm, EC2))} [Source: cost_summary"],
             ["By service"], periods=[lm]),
        Case("How much did we spend on RDS in eu-west-1?",
             [f"Spend {RDS} in eu-west-1 for the last 30 days ({p30[0]}..{p30[1]}): {m(a.cost(*p30, RDS, EU))}"],
             ["By service", EC2], periods=[p30]),
        Case(f"What did Lambda cost on {d}?", [f"Spend {LAMBDA} on {d}: {m(a.cost(d, d, LAMBDA))}"], ["By service"],
             periods=[(d, d)]),
        Case("How much did we spend in Ireland last month?",
             [f"Spend in eu-west-1 for last month ({lm[0]}..{lm[1]}): {m(a.cost(*lm, region=EU))}"], periods=[lm]),
        Case("What's our total AWS bill for the last 7 days, by region?",
             [m(a.cost(*l7)), f"{USE1} {m(a.cost(*l7, region=USE1))}", f"{EU} {m(a.cost(*l7, region=EU))}"],
             periods=[l7]),
        Case("Top 3 services by spend last month",
             ["; ".join(f"{i}. {s} {m(v)}" for i, (s, v) in enumerate(top3, 1))], periods=[lm]),
        Case("How much did NAT gateways cost us last month?",
             [f"Spend on NAT gateways (NatGateway usage types) for last month ({lm[0]}..{lm[1]}): "
              f"{m(a.cost(*lm, usage='NatGateway'))}", f"billed under {OTHER}", m(a.cost(*lm, OTHER))], periods=[lm]),
        Case("Show me daily Lambda spend for the last 5 days",
             [f"- {day}: {m(a.cost(day, day, LAMBDA))}" for day in a.stored_days(*p["l5"])],
             periods=[(day, day) for day in a.stored_days(*p["l5"])], lines=("- ", 5)),
        Case("What did we spend in 2020?", ["No data for that period yet", "Questions that work:"], ["$0.00"]),
        Case("What did we spend in Tokyo last month?",
             ["No data for ap-northeast-1 (Tokyo): that region was not collected", "Questions that work:"]),
        Case("How much did DynamoDB cost in the last 30 days?",
             [f"Spend {DYNAMO} for the last 30 days ({p30[0]}..{p30[1]}): {m(a.cost(*p30, DYNAMO))}"], periods=[p30]),
        Case("Which region costs the most?", [f"{top_region} with {m(regions[top_region])}"], periods=[p30]),
    ]


def _tag_cases(a: Account, p: dict[str, tuple[date, date]]) -> list[Case]:
    p30, l14, lw, lm = p["p30"], p["l14"], p["lw"], p["lm"]
    teams = a.ce_tag_cost("team", *p30)  # the report period: Cost Explorer's spend by tag is stored for it
    best = max(teams, key=lambda k: teams[k])
    envs = a.ce_tag_cost("env", *p30)
    web = a.tag_cost("team", *lm)["web"]  # other periods: per-resource costs (stored for the last 40 days)
    return [
        Case("Which team spent the most?",
             [f"(Cost Explorer, by cost allocation tag): {best} with {m(teams[best])}",
              "; ".join(f"{k or 'untagged'} {m(v)}" for k, v in sorted(teams.items(), key=lambda kv: -kv[1]))],
             figures=list(teams.values())),
        Case("How much did the payments team spend over the last 2 weeks?",
             [f"of team=payments for the last 14 days ({l14[0]}..{l14[1]}): "
              f"{m(a.tag_cost('team', *l14)['payments'])} (per-resource costs of the tagged resources)"]),
        Case("Spend by env for the last 30 days", [f"{k} {m(v)}" for k, v in envs.items() if k]),
        Case("What did the web team spend last month?", [f"Spend of team=web for last month ({lm[0]}..{lm[1]}): "
                                                         f"{m(web)} (per-resource costs"]),
        Case("How much did the data team spend last week?", [m(a.tag_cost("team", *lw)["data"])], thread="team"),
        Case("And in eu-west-1?", [m(a.tag_cost("team", *lw, region=EU)["data"]), "in eu-west-1"], thread="team"),
    ]


def _change_cases(a: Account, p: dict[str, tuple[date, date]]) -> list[Case]:
    spike, anomaly = a.spike_day, a.anomaly()
    actual = a.cost(spike, spike, LAMBDA, USE1)
    base = a.cost(spike - timedelta(days=7), spike - timedelta(days=1), LAMBDA, USE1) / 7
    pct = round(float((actual - base) / base * 100), 1)
    lm, before = p["lm"], p["before"]
    now, then = a.cost(*lm, EC2), a.cost(*before, EC2)
    line = (f"- {spike} {LAMBDA} {USE1}: {m(anomaly.actual_cost)} against {m(anomaly.expected_cost)} expected "
            f"({anomaly.change_percentage:+.1f} %); driven by {anomaly.drivers[0].usage_type} "
            f"({m(anomaly.drivers[0].change)})")
    records = agent_cost_records(a.today)
    return [
        Case("By how much did Lambda spike compared with the average of the 7 days before?",
             [f"{LAMBDA} in {USE1} cost {m(actual)} on {spike} against a mean of {m(base)} a day over the 7 days "
              f"before", f"up {m(actual - base)} ({pct:+.1f} %)"], figures=[actual, base, actual - base]),
        Case(f"Why did Lambda jump on {spike:%b} {spike.day}?", [line]),
        Case("Were there any cost anomalies?", [line]),
        Case("How did EC2 spend last month compare with the month before?",
             [m(now), f"against {m(then)} for {before[0]}..{before[1]}", m(abs(now - then))],
             periods=[lm, before], figures=[abs(now - then)]),
        Case("What's the forecast for next month?", ["$5,123.45 (between $4,610.11 and $5,636.79)"]),
        Case("What did the last analysis run cost?", ["cost $0.0823: Bedrock $0.0123, AWS API requests $0.0700"]),
        Case("How much has the agent itself cost us in the last 30 days?",
             [f"${sum(Decimal(str(r['cost'])) for r in records):.4f}"],
             figures=[sum(Decimal(str(r["cost"])) for r in records if r["component"] == c)
                      for c in ("bedrock", "aws_api")]),
    ]


def _finding_cases(a: Account) -> list[Case]:
    waste = a.total_waste()
    naive = sum((s for _, _, s in a.findings()), Decimal(0))
    ec2 = a.total_waste([f for f in a.findings() if f[0].service == "EC2"])
    running_idle = [r for r, _, _ in a.findings("idle_resource") if r.state == "running"]
    unattached = [r.rid for r, _, _ in a.findings("unattached_volume")]
    eu_idle = [f for f in a.findings("idle_resource", "idle_database", "idle_nat_gateway", "unused_elastic_ip",
                                     "unattached_volume") if f[0].region == EU]
    report = a.report()
    # every finding has confidence 0.9: the best actions are the largest counted savings (ties by resource id)
    actionable = sorted((c for c in a.counted().values() if c[2] > 0), key=lambda c: (-c[2], c[0].rid))
    top5 = sorted(report.opportunities, key=lambda o: -o.estimated_savings)[:5]
    running = [r for r in RESOURCES if r.kind == "ec2_instance" and r.state == "running"]
    return [
        Case("What is the total waste you found?",
             [f"{m(waste)} a month, counted once per resource",
              f"- waste (idle, unused, oversized): {m(a.split()[0])}, {report.waste_percentage:.2f} % of",
              f"- pricing levers (Reserved Instances, Savings Plans, spot): {m(a.split()[1])}"], [m(naive)]),
        Case("How much could we save on EC2?", [f"EC2 resources would save {m(ec2)} a month"]),
        Case("What should we do first?",
             [f"Do this first (5 of {len(actionable)} actions, best saving x confidence first; all of them save "
              f"{m(waste)} a month)",
              *(f"{i}. {r.name if r.rid.startswith('arn:') else r.rid} ({r.region}): " for i, (r, _, _)
                in enumerate(actionable[:5], 1))], lines=("", 6)),
        Case("How much would fixing the Multi-AZ databases save?",
             ["1 RDS database that runs Multi-AZ outside production (multi_az) would save $189.80 a month"]),
        Case("Which S3 buckets have no lifecycle rules?",
             ["2 S3 buckets have no lifecycle rules", "logs-archive-use1", "logs-archive-euw1", "$1.62"]),
        Case("Which Lambda functions have a high error rate?",
             ["1 Lambda function has a high error rate", "checkout-webhook (us-east-1)"], ["image-resize"]),
        Case("Which non-production databases run Multi-AZ?", ["analytics-staging (eu-west-1)", "$189.80"],
             ["billing-db"]),
        Case("Which instances are previous generation?",
             ["2 EC2 instances are previous generation", "i-0a1b000000000007", "i-0a1b000000000008", "$18.18"]),
        Case("How many running EC2 instances are idle?",
             ["3 running EC2 instances are idle", *(r.rid for r in running_idle), m(sum(
                 (Decimal(s) for r in running_idle for t, s in r.findings), Decimal(0))),
              "Not counted: 1 more in another state (stopped): i-0a1b000000000003"], lines=("- i-", 3)),
        Case("Which volumes are unattached?",
             ["23 EBS volumes are unattached", "... and 3 more: `cost-agent ask \"List all: Which volumes are "
              "unattached?\"`"], lines=("- vol-", 20)),
        Case("List all: Which volumes are unattached?", unattached, lines=("- vol-", 23)),
        Case("What are the biggest savings opportunities?",
             [f"- {o.type} ({o.service}): {o.resource_count} resource(s), {m(o.estimated_savings)} a month, "
              f"priority {o.priority}" for o in top5]),
        Case("Which resources are idle in eu-west-1?",
             [f"{len(eu_idle)} resources in eu-west-1 are idle or unused", m(a.total_waste(eu_idle)),
              f"... and {len(eu_idle) - 20} more"]),
        Case("Any old snapshots?", ["snap-0e3f000000000001", "orders-pre-migration (us-east-1)", "$14.50"]),
        Case("What do we know about legacy-reports?",
             ["legacy-reports", f"{m(Decimal('1.92') * 30)} over its last 30 stored day(s)",
              "idle_database: $58.40 a month"], figures=[Decimal("1.92") * 30]),
        Case("How many EC2 instances are stopped?",
             ["2 stopped EC2 instances in the latest inventory", "i-0a1b000000000003", "i-0a1b00000000000b"]),
        Case("How many Lambda functions do we have?", ["3 Lambda functions in the latest inventory"]),
        Case("What is our savings plan opportunity?", ["i-0a1b000000000009", "$41.39"]),
        Case("How much do our running instances cost per month?",
             [f"{len(running)} running EC2 instances", m(sum((r.monthly for r in running), Decimal(0)))],
             figures=[r.monthly for r in running]),
    ]


def _thread_cases(a: Account, p: dict[str, tuple[date, date]]) -> list[Case]:
    lm = p["lm"]
    region = a.cost(*lm, region=EU)
    rds = a.cost(*lm, RDS, EU)
    idle = [r for r, _, _ in a.findings("idle_resource")]
    running = sum((Decimal(s) for r in idle if r.state == "running" for _, s in r.findings), Decimal(0))
    return [
        Case("What did we spend in eu-west-1 last month?",
             [f"Spend in eu-west-1 for last month ({lm[0]}..{lm[1]}): {m(region)}"], thread="region", periods=[lm]),
        Case("and how much of that was RDS?",
             [f"{m(rds)} ({float(rds / region * 100):.1f} % of {m(region)}"], thread="region", periods=[lm]),
        Case("What about Lambda?", [f"Spend {LAMBDA} in eu-west-1 for last month ({lm[0]}..{lm[1]}): "
                                    f"{m(a.cost(*lm, LAMBDA, EU))}"], thread="region", periods=[lm]),
        Case("And in us-east-1?", [f"Spend {LAMBDA} in us-east-1 for last month ({lm[0]}..{lm[1]}): "
                                   f"{m(a.cost(*lm, LAMBDA, USE1))}"], thread="region", periods=[lm]),
        Case("Which instances are idle?", [f"{len(idle)} EC2 instances are idle", *(r.rid for r in idle)],
             thread="idle"),
        Case("How many of them are running?", ["3 running EC2 instances are idle", m(running)], thread="idle"),
        Case("How much would stopping them save?",
             [f"3 running EC2 instances that are idle (idle_resource) would save {m(running)} a month"],
             thread="idle"),
        Case("What is the total waste you found?", [f"Savings found in the latest report ({a.report_start}.."
                                                    f"{a.yesterday}): {m(a.total_waste())} a month"], ["Still about"],
             thread="idle"),
        Case("Write me a poem about the cloud", ["I can't answer that", "Questions that work:"]),
    ]


def table(a: Account) -> list[Case]:
    p = _periods(a)
    return [*_spend_cases(a, p), *_tag_cases(a, p), *_change_cases(a, p), *_finding_cases(a),
            *_thread_cases(a, p)]


def _stored_figures(a: Account, case: Case) -> list[float]:
    """Every figure of the stored data the answer may quote: the report's numbers, spend of the case's periods
    by any service, region and usage type, tag costs, and the case's own expected figures."""
    report = a.report().model_dump(mode="json")
    numbers: list[float] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            numbers.append(float(value))

    walk(report)
    services = [None, *sorted({k[0] for k in LINES})]
    usages = [None, "NatGateway", "EBS:", *sorted({k[2] for k in LINES})]
    for start, end in case.periods:
        numbers += [float(a.cost(start, end, s, r, u)) for s in services for r in (None, USE1, EU) for u in usages]
    numbers += [float(x) for x in case.figures]
    numbers += _aggregates(a)
    for text in case.expect:
        numbers += [float(x.replace(",", "")) for x in _dollars(text)]
    return numbers


def _aggregates(a: Account) -> list[float]:
    """Savings counted once per resource by service and by type; inventory monthly cost by kind, state, region."""
    found = a.findings()
    out = [float(a.total_waste([f for f in found if f[0].service == s])) for s in {r.service for r in RESOURCES}]
    out += [float(a.total_waste([f for f in found if f[1] == t])) for t in {f[1] for f in found}]
    for kind in (None, *{r.kind for r in RESOURCES}):
        for state in (None, *{r.state for r in RESOURCES}):
            for region in (None, USE1, EU):
                out.append(float(sum((r.monthly for r in RESOURCES if kind in (None, r.kind)
                                      and state in (None, r.state) and region in (None, r.region)), Decimal(0))))
    out += [float(x) for x in a.split()] + [float(x) for x in a.waste_by_service().values()]
    return out + [float(r.monthly) for r in RESOURCES]


def _dollars(text: str) -> list[str]:
    import re

    return re.findall(r"\$([\d,]+\.\d+)", text)


def _score(case: Case, answer: str, figures: list[float]) -> list[str]:
    wrong = [f"missing {e!r}" for e in case.expect if e not in answer]
    wrong += [f"says {x!r}" for x in case.absent if x in answer]
    if case.lines is not None:
        prefix, count = case.lines
        listed = sum(1 for line in answer.splitlines() if line.startswith(prefix))
        if listed != count:
            wrong.append(f"lists {listed} lines starting {prefix!r}, expected {count}")
    bad = verify_answer(answer, [{"stored": figures}]).unverified
    wrong += [f"figure {b} is not in the stored data" for b in bad]
    return wrong


def test_question_table_is_answered_right_offline(account, capsys) -> None:
    settings = load_settings(bedrock_model_id="none")
    cases = table(account)
    assert len(cases) >= 40
    failures, timings = [], []
    for i, case in enumerate(cases):
        began = time.perf_counter()
        answer = ask(case.question, f"q-{case.thread or i}", settings)
        timings.append(time.perf_counter() - began)
        assert answer.mode == "deterministic (no LLM configured)"
        wrong = _score(case, answer.answer, _stored_figures(account, case))
        if "I can't answer" not in case.expect[0] and "No data" not in case.expect[0] and \
                "No data" not in case.expect[-1]:
            wrong += [] if answer.sources else ["no source cited"]
        if wrong:
            failures.append(f"{case.question!r}: {'; '.join(wrong)}\n{answer.answer}")
    right = len(cases) - len(failures)
    median, p95 = statistics.median(timings), statistics.quantiles(timings, n=20)[-1]
    with capsys.disabled():
        print(f"\nchat question table: {right}/{len(cases)} right; ask latency over {len(cases)} questions "
              f"(chat graph, no LLM): median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    assert not failures, "\n\n".join(failures)


def test_new_tools_return_the_stored_figures_with_their_source(account) -> None:
    a = account
    start, end = a.report_start, a.yesterday
    running = run_query("findings", {"types": ["idle_resource"], "state": "running"})
    assert (running["matching"], running["resources"], running["more"]) == (3, 3, 0)
    assert [f["resource_id"] for f in running["findings"]] == [
        "i-0a1b000000000004", "i-0a1b000000000001", "i-0a1b000000000002"]
    assert running["savings_usd"] == 182.5 and running["by_type"] == [
        {"type": "idle_resource", "service": "EC2", "findings": 3, "savings_usd": 182.5}]
    worker = run_query("findings", {"types": ["rightsizing", "spot_migration"], "region": "eu-west-1"})
    assert (worker["matching"], worker["resources"], worker["savings_usd"]) == (2, 1, 277.4)  # counted once
    summary = run_query("report_summary", {})
    assert (summary["total_savings_usd"], summary["opportunities"], summary["findings"]) == (
        float(a.total_waste()), 18, 46)
    assert (summary["total_waste_usd"], summary["pricing_levers_usd"]) == tuple(float(x) for x in a.split())
    assert summary["source"] == f"latest report summary {start}..{end} (generated {a.today}T06:00:00+00:00)"
    stopped = run_query("resources", {"kind": "ec2_instance", "state": "stopped"})
    assert [r["resource_id"] for r in stopped["resources"]] == ["i-0a1b000000000003", "i-0a1b00000000000b"]
    by_team = run_query("resources", {"group_by": "tag", "tag_key": "team", "limit": 1})
    web = [r for r in RESOURCES if r.team == "web"]
    assert by_team["by_tag"]["web"] == {"count": len(web), "monthly_cost_usd": float(
        sum((r.monthly for r in web), Decimal(0)))}
    day = a.spike_day
    spike = run_query("compare_spend", {"start": str(day), "end": str(day), "service": "lambda",
                                        "region": "us-east-1", "baseline_days": 7})
    base = a.cost(day - timedelta(days=7), day - timedelta(days=1), LAMBDA, USE1)
    assert (spike["actual_usd"], spike["baseline_usd"], spike["baseline_daily_mean_usd"]) == (
        float(a.cost(day, day, LAMBDA, USE1)), float(base), float((base / 7).quantize(Decimal("0.01"))))
    assert spike["source"] == (f"compare_spend {day}..{day} against days_before {day - timedelta(days=7)}.."
                               f"{day - timedelta(days=1)}, service='{LAMBDA}', region='us-east-1' "
                               "(ClickHouse cost_metrics)")
    costs = run_query("agent_costs", {"start": str(a.today - timedelta(days=5)), "end": str(end)})
    recent = [r for r in agent_cost_records(a.today) if r["timestamp"] >= a.today - timedelta(days=5)]
    assert (costs["total_usd"], costs["bedrock_usd"], costs["records"]) == (
        float(sum(Decimal(str(r["cost"])) for r in recent)), 0.0168, len(recent))
    catalog = run_query("catalog", {})
    assert catalog["tags"] == {"env": ["dev", "prod", "staging"],
                               "team": ["data", "payments", "platform", "research", "web"]}
    assert (catalog["spend_first_day"], catalog["spend_last_day"]) == (str(a.first_day), str(end))
    assert catalog["regions"]["eu-west-1"]["name"] == "eu-west-1 (Ireland)"
    nothing = run_query("spend", {"start": "2020-01-01", "end": "2020-01-31"})
    assert (nothing["total_usd"], nothing["days_with_data"]) == (0.0, 0)


def test_the_thread_keeps_its_filters_in_the_graph_state(account) -> None:
    from langchain_core.messages import HumanMessage
    from langgraph.checkpoint.memory import InMemorySaver

    from agent.graphs.chat.graph import ChatState, build_chat_graph
    from agent.graphs.context import Context, use_settings

    assert "filters" in ChatState.__annotations__
    graph = build_chat_graph().compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t-state"}}
    with use_settings(load_settings(bedrock_model_id="none")):
        for question in ("What did we spend in eu-west-1 last month?", "and how much of that was RDS?"):
            state = graph.invoke({"messages": [HumanMessage(content=question)]}, config, context=Context())
    lm = last_month(account.today)
    assert state["filters"] == {
        "measure": "spend", "group_by": None, "service": "rds", "region": "eu-west-1", "tag_key": None,
        "tag_value": None, "start": str(lm[0]), "end": str(lm[1]), "period_words": "last month", "kind": None,
        "state": None, "finding_types": [], "resource": None}
    rds = account.cost(*lm, RDS, EU)
    assert m(rds) in state["messages"][-1].content


def test_what_it_cannot_answer_names_two_questions_that_work(account) -> None:
    settings = load_settings(bedrock_model_id="none")
    answer = ask("Write me a poem about the cloud", "t-cannot", settings)
    examples = [q for q in answer.answer.split('"')[1::2]]
    assert examples == ["What did we spend on EC2 in the last 7 days?", "What is the total waste you found?"]
    l7 = (account.today - timedelta(days=7), account.yesterday)
    assert m(account.cost(*l7, EC2)) in ask(examples[0], "t-ex1", settings).answer
    assert m(account.total_waste()) in ask(examples[1], "t-ex2", settings).answer


def test_every_figure_of_every_answer_is_in_the_tool_results_it_read(account) -> None:
    """The guard the LLM's answers face, applied to the planner's: no figure but the tools'; only the LLM's tools."""
    from agent.graphs.chat.answers import answer
    from agent.graphs.chat.tools import TOOLS
    from agent.graphs.context import use_settings

    threads: dict[str, object] = {}
    used: set[str] = set()
    with use_settings(load_settings(bedrock_model_id="none")):
        for case in table(account):
            said = answer(case.question, threads.get(case.thread) if case.thread else None)  # type: ignore[arg-type]
            threads[case.thread] = said.filters
            assert verify_answer(said.text, said.payloads).unverified == [], (case.question, said.text)
            used |= set(said.tools)
    assert used <= {t.name for t in TOOLS}
    assert used >= {"spend", "spend_trend", "compare_spend", "forecast", "report_summary", "top_opportunities",
                    "findings", "resources", "anomalies", "resource_details", "agent_costs", "catalog"}
