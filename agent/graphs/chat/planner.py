"""The offline question planner: a question (and the thread's filters) -> a typed `Plan`, answered without an LLM
by the same read-only tools the LLM calls (`agent.graphs.chat.answers`).

It reads what a question names against what the store holds (`entities`: services, regions, tags, kinds,
states, finding types, resources, dates, a stated baseline), then what is measured and the shape of the answer
(`measure_of`, `shape_of`). A follow-up inherits the previous turn's region, service, period and tag unless it
changes or resets them ("all regions", "in total"). A compound question ("what did we spend on EC2 last month and
why did Lambda jump on the 15th?") is split into parts (`parts_of`), each planned with the filters of the one before.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from agent.graphs.chat import entities as ent
from agent.graphs.chat import vocabulary as vocab
from agent.graphs.chat.plan import Filters, Measure, Period, Plan, Shape, ThreadFilters, previous_period

_AGENT = r"(?:you|the agent|this agent|cost-agent|the (?:last )?(?:analysis|run)|this (?:analysis|run)|your runs?)"
_RUN_COST = re.compile(
    rf"\b(?:do|did|does|have|has)\s+{_AGENT}(?:\s+itself)?\s+(?:cost|spen[dt]|charge)|\b(?:your|the agent'?s|agent|"
    r"bedrock|llm|token|run|analysis|chat)\s+(?:own\s+)?(?:cost|spend|bill|charges)\b|\bcost of (?:running )?"
    rf"{_AGENT}\b|\bown (?:cost|spend|bill)\b|\btokens?\b")
_FORECAST = re.compile(r"\bforecast|\bpredict|\bproject(?:ed|ion)\b|\bexpect(?:ed)? to (?:spend|pay|cost)|\bend of "
                       r"(?:the |this )?month\b|\bnext (?:month|week|quarter|\d+ days)\b|\bwill (?:we|it|our bill) "
                       r"(?:spend|cost|be)\b|\bgoing to (?:spend|cost)\b|\brun[- ]rate\b")
_ANOMALY = re.compile(r"anomal|unusual|unexpected|\bspik|\bjump|\bsurg|\bweird|\bstrange|\bwent up\b|\bincreas"
                      r"|\bgrew\b|\brose\b|\bsoar|\bshot up\b|\bblew up\b")
_CHANGE = re.compile(r"\bchang|\bcompar|\bvs\b|\bversus\b|\bdiffer|\bdropp?e?d?\b|\bdecreas|\bfell\b|\bwent down\b|"
                     r"\bhigher\b|\blower than\b|\bmore than\b|\bless than\b")
_SAVINGS = re.compile(r"\bsav(?:e|es|ed|ing|ings)\b|\bwaste[ds]?\b|\bwasting\b|\bcut (?:costs?|spend)\b|"
                      r"\bcould we cut\b|\breduce\b|\btrim\b|\bpotential\b")
_CUT = re.compile(r"\b(?:lower|reduce|cut|trim|shrink|optimi[sz]e)\s+(?:our |the |my )?(?:\w+ )?(?:bill|costs?|spend)")
_OPPS = re.compile(r"opportunit|recommend|optimi[sz]|quick wins?|\bfindings?\b|\bwhat should (?:we|i) (?:fix|do|"
                   r"change|clean)|\bclean ?up\b|\bissues?\b|\bproblems?\b")
_FIRST = re.compile(r"\bdo first\b|\bstart with\b|\bfirst steps?\b|\bprioriti[sz]e\b|\bwhere (?:do|should) (?:we|i) "
                    r"start\b|\bbest (?:single |next )?actions?\b|\bdo this first\b")
_COUNT = re.compile(r"\bhow many\b|\bnumber of\b|\bcount\b")
_LIST = re.compile(r"\bwhich\b|\blist\b|\bshow\b|\bwhat are\b|\bname (?:the|all)\b|\bgive me\b|\benumerate\b|"
                   r"\bwhat \w+ (?:do|does) we have\b|\bany\b")
_SPEND = re.compile(r"spen[dt]|\bcosts?\b|\bcosting\b|\bbill(?:ed|ing)?\b|\bpa(?:y|id|ying)\b|\bcharged?\b|"
                    r"\bcharges\b|\bhow much\b|\bexpensive\b|\bpricey\b|\bcheap|\bdollars?\b|\bmoney\b|\busage\b")
_SHARE = re.compile(r"\b(?:of|in) (?:that|it|this|those|which)\b|\bwhat (?:share|percentage|fraction|part|portion)\b"
                    r"|\bhow much of\b")
_COMPLETE = re.compile(r"\ball\b|\bevery\b|\bfull list\b|\bcomplete list\b|\bentire\b|\beach one\b")
_BIGGEST = r"biggest|largest|most expensive|costliest|highest"
_TOP = re.compile(rf"\btop\s*(\d+|three|five|ten)?\b|\b(\d+|three|five|ten) (?:{_BIGGEST})\b|\b(?:{_BIGGEST})\b|"
                  r"\bthe most\b|\bmost\b")
_GROUPS = {"service": r"services?", "region": r"regions?", "usage_type": r"usage types?",
           "type": r"(?:finding )?types?|categor(?:y|ies)", "account": r"(?:aws |member |linked )?accounts?"}
_BY_TIME = {"day": re.compile(r"\b(?:by|each|every|for each|per) day\b|\bday by day\b|\bdaily\b|\btrend\b|"
                              r"\bover time\b"),
            "month": re.compile(r"\b(?:by|each|every|for each) month\b|\bmonth by month\b|\bmonthly (?:breakdown|"
                                r"trend|series|spend)\b")}
_RESOURCE = re.compile(r"\bresources?\b")
_OPPORTUNITIES = re.compile(r"\bsav(?:e|ing|ings) opportunit\w*")
_BREAKDOWN = re.compile(r"\bbreak ?down\b|\bbroken down\b|\bsplit\b")
_RESET_REGION = re.compile(r"\b(?:all|every|any|both) regions\b|\bacross (?:all )?(?:the )?regions\b|\bglobally\b|"
                           r"\beverywhere\b|\bany region\b")
_RESET_SERVICE = re.compile(r"\b(?:all|every) services\b|\bin total\b|\boverall\b|\btotal (?:bill|spend)\b|\bwhole "
                            r"(?:account|bill)\b|\bacross (?:all )?services\b|\beverything\b")
_RESET_TAG = re.compile(r"\b(?:all|every) (?:teams|envs|environments|cost cent(?:er|re)s)\b|\bwhole account\b")
_WHOLE = re.compile(r"\btotal (?:waste|savings?|spend|bill|cost)\b|\boverall\b|\bwhole account\b|\bin total\b|"
                    r"\bacross the (?:whole )?account\b")
_BACK = re.compile(r"\b(?:them|those|these|they|it|its|that|this|ones?|same)\b")
_FOLLOW_UP = re.compile(r"^\s*(?:and|what about|how about|also|same|now|then|ok|okay)\b")
_CLAUSE = re.compile(r"(\band\b|[?;])")
_NUMBERS = {"three": 3, "five": 5, "ten": 10}
_FINDING_MEASURES = ("findings", "savings", "resources")
_PERIOD_MEASURES = ("spend", "change", "anomalies", "run_cost")
_INSTANCE_TYPES = {"idle_resource", "rightsizing", "previous_generation", "spot_migration", "savings_plan"}


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("“", '"').replace("”", '"')).strip().lower()


def measure_of(text: str) -> Measure:
    """What a question measures, from its words alone (no store needed)."""
    q = _OPPORTUNITIES.sub("opportunities", normalise(text))
    baseline, core = ent.baseline_of(q)
    types, rest = ent.finding_types(core, None, None)
    if _RUN_COST.search(q):
        return "run_cost"
    if _FORECAST.search(rest):
        return "forecast"
    if _FIRST.search(q):
        return "actions"
    if _CUT.search(rest):
        return "savings"
    if baseline is not None or (_CHANGE.search(rest) and (_SPEND.search(rest) or _ANOMALY.search(rest))):
        return "change"
    if _ANOMALY.search(rest):
        return "anomalies"
    if _SAVINGS.search(rest):
        return "savings"
    if types or _OPPS.search(rest):
        return "findings"
    if (ent.kinds(core) or _RESOURCE.search(core)) and (_COUNT.search(rest) or _LIST.search(rest) or
                                                        _TOP.search(rest)):
        return "resources"
    if _CHANGE.search(rest):
        return "change"
    if _SPEND.search(rest):
        return "spend"
    if ent.ID.search(q):
        return "details"
    return "unknown"


def group_of(text: str) -> str | None:
    for group, words in _GROUPS.items():
        if re.search(rf"\b(?:by|per|each|every|across|split by|broken down by|breakdown by|for each|which|what|"
                     rf"top\s*\d*|{_BIGGEST})\s+(?:{words})\b", text):
            return group
    for group, pattern in _BY_TIME.items():
        if pattern.search(text):
            return group
    return "service" if _BREAKDOWN.search(text) else None


def shape_of(text: str, measure: Measure, group: str | None) -> tuple[Shape, int | None]:
    top = _TOP.search(text)
    if measure == "spend" and _SHARE.search(text):
        return "share", None
    if _COUNT.search(text):
        return "count", None
    if top:
        n = top.group(1) or top.group(2)
        if n:
            return "top", int(n) if n.isdigit() else _NUMBERS[n]
        following = re.match(r"\s*(\w+)", text[top.end():])
        plural = following is not None and following.group(1).endswith("s")
        return "top", 5 if plural or top.group(0) == "top" else 1
    if group:
        return "breakdown", None
    return ("list" if _LIST.search(text) or _COMPLETE.search(text) else "total"), None


def default_period(now: date, lookback: int) -> Period:
    return Period(start=now - timedelta(days=lookback), end=now - timedelta(days=1),
                  words=f"the last {lookback} days", stated=False)


def parse(question: str, thread: ThreadFilters | None, known: ent.Known, now: date, lookback: int = 30) -> Plan:
    """The plan of one question, with the thread's filters where the question does not set its own."""
    q = normalise(question)
    measure = measure_of(q)
    baseline, core = ent.baseline_of(q)
    named = ent.services(core, known)
    kinds = ent.kinds(core)
    kind = kinds[0] if kinds else None
    service = named[0] if named else (vocab.KINDS[kind][0] if kind else None)
    types, rest = ent.finding_types(core, kind, service)
    ec2_only = bool(types) and set(types) <= _INSTANCE_TYPES
    tag_key, tag_value, tag_group = ent.tags(core, known)
    regions = ent.regions(core)
    group = group_of(core) or ("tag" if tag_group else None)
    shape, top_n = shape_of(core, measure, group)
    filters = Filters(service=service, region=regions[0] if regions else None, tag_key=tag_key or tag_group,
                      tag_value=tag_value, period=ent.period_in(core, now), kind=kind,  # type: ignore[arg-type]
                      state=ent.state_of(rest, kind or ("ec2_instance" if ec2_only else None)),
                      finding_types=types, resource=next(iter(ent.resources(core, known)), None))
    if measure in ("unknown", "spend") and filters.resource:
        measure = "details"
    if measure == "spend" and filters.kind and filters.state:
        measure = "resources"  # what running instances cost: the inventory's price-book monthly cost
    if measure == "unknown" and filters.state and (_COUNT.search(core) or _LIST.search(core)) and not thread:
        measure = "resources"
    plan = Plan(measure=measure, shape=shape, group_by=group, top_n=top_n,  # type: ignore[arg-type]
                complete=bool(_COMPLETE.search(core)), baseline=baseline, filters=filters, text=question,
                extra_services=named[1:])
    plan = inherit(plan, thread, q, named_service=bool(named))
    if plan.filters.period is None:
        plan.filters.period = default_period(now, lookback)
    if plan.filters.region and plan.filters.region not in known.spend_regions + known.collected:
        plan.unknown_region = plan.filters.region
        plan.measure = plan.measure if plan.measure != "unknown" else "spend"
    return plan


def inherit(plan: Plan, thread: ThreadFilters | None, q: str, named_service: bool) -> Plan:
    """The plan with the thread's filters where the question sets none (listed in `inherited`): the region and a
    tag value always, the period for spend and change, the service or finding subject within the same topic."""
    plan.service_named = named_service
    if not thread:
        return plan
    f, inherited = plan.filters, []
    if plan.measure == "unknown" and thread.get("measure") and (_FOLLOW_UP.search(q) or _mentions(f)):
        plan.measure = thread["measure"]  # type: ignore[assignment]
        plan.group_by = plan.group_by or thread.get("group_by")  # type: ignore[assignment]
        plan.shape = "breakdown" if plan.group_by and plan.shape == "total" else plan.shape
    whole = bool(_WHOLE.search(q))
    if f.region is None and thread.get("region") and plan.measure not in ("forecast", "run_cost") \
            and not whole and not _RESET_REGION.search(q):
        f.region = thread["region"]
        inherited.append("region")
    if f.period is None and plan.measure in _PERIOD_MEASURES and (period := previous_period(thread)) is not None:
        f.period = period
        inherited.append("period")
    if f.tag_key is None and thread.get("tag_value") is not None and not whole and not _RESET_TAG.search(q):
        f.tag_key, f.tag_value = thread.get("tag_key"), thread.get("tag_value")
        inherited.append("tag")
    same_topic = (plan.measure in _FINDING_MEASURES) == (thread.get("measure") in _FINDING_MEASURES)
    refers_back = bool(_BACK.search(q) or _FOLLOW_UP.search(q)) or len(q.split()) <= 5
    if plan.shape == "share":
        plan.share_of = thread.get("service")
    elif not (named_service or f.kind or f.finding_types or whole) and same_topic:
        in_findings = plan.measure in _FINDING_MEASURES
        if in_findings and refers_back and (thread.get("kind") or thread.get("finding_types")):
            f.kind, f.state = thread.get("kind"), f.state or thread.get("state")  # type: ignore[assignment]
            f.finding_types = list(thread.get("finding_types") or [])  # type: ignore[arg-type]
            inherited.append("subject")
        if thread.get("service") and not _RESET_SERVICE.search(q) and plan.measure not in ("forecast", "run_cost") \
                and (refers_back or not in_findings):
            f.service = thread.get("service")
            plan.service_named = True
            inherited.append("service")
    about_it = thread.get("measure") == "details" and refers_back and not (named_service or f.kind or f.finding_types)
    if plan.measure in ("findings", "savings", "spend") and about_it and f.resource is None:
        plan.measure = "details"  # "and its findings?" after a question about one resource
    if plan.measure == "details" and f.resource is None and thread.get("resource"):
        f.resource = thread.get("resource")
        inherited.append("resource")
    plan.inherited = inherited
    return plan


def _mentions(f: Filters) -> bool:
    return any((f.service, f.region, f.tag_key, f.period, f.kind, f.finding_types, f.resource, f.state))


def intent_of(text: str) -> str | None:
    """The measure of a question ('spend', 'anomalies', 'findings' ...); None if unknown."""
    measure = measure_of(text)
    return None if measure == "unknown" else measure


def parts_of(question: str) -> list[tuple[str, str]]:
    """(measure, text) parts of a compound question, split at 'and', '?' and ';'. A clause of no known kind
    ('... on EC2 and RDS') stays with the clause before it; neighbouring spend clauses are joined (one plan answers
    several services), other neighbours of one kind stay apart (each names its own subject)."""
    parts: list[list[str]] = []
    pieces = _CLAUSE.split(question)
    for i in range(0, len(pieces), 2):
        clause, sep = pieces[i], pieces[i + 1] if i + 1 < len(pieces) else ""
        kind = intent_of(clause) if clause.strip() else None
        if parts and (kind is None or kind == parts[-1][0] == "spend"):
            parts[-1][1] += clause + sep
        else:
            parts.append([kind or "", clause + sep])
    if len(parts) > 1 and not parts[0][0]:
        first = parts.pop(0)
        parts[0][1] = first[1] + parts[0][1]
    return [(kind, text.strip(" ;?").removesuffix(" and").strip()) for kind, text in parts]
