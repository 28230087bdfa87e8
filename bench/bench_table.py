"""Markdown tables of a collection-benchmark result file (bench/results/collection-<date>.json)."""

from __future__ import annotations

from typing import Any


def _row(cells: list[Any]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _table(head: list[str], rows: list[list[Any]]) -> str:
    return "\n".join([_row(head), _row(["---"] * len(head))] + [_row(r) for r in rows])


def _s(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


def _usd(x: str | None) -> str:
    if x is None:
        return "-"
    value = float(x)
    return f"${value:.2f}" if round(value, 2) == value else f"${value:.3f}"


def headline(sizes: list[dict[str, Any]]) -> str:
    rows = []
    for s in sizes:
        w, c, r, m = s["wall_s"], s["calls"], s["ratios"], s["maxrss_mb"]
        rows.append([
            f"{s['size']:,}", s["repeats"],
            _s(w["ours_full"]), _s(w["ours_ec2"]), _s(w["custodian"]),
            f"{r['wall_custodian_over_ours_ec2']:.1f}x", f"{r['wall_custodian_over_ours_full']:.2f}x",
            f"{c['ours_full_total']:,}", f"{c['ours_ec2_total']:,}", f"{c['custodian_total']:,}",
            f"{r['calls_custodian_over_ours_ec2']:.0f}x", f"{r['calls_custodian_over_ours_full']:.1f}x",
            f"{m['ours_full']:.0f} / {m['ours_ec2']:.0f} / {m['custodian']:.0f}",
        ])
    head = ["EC2 instances", "repeats", "ours full run s", "ours EC2-idle s", "Custodian s",
            "wall: Custodian / ours EC2", "wall: Custodian / ours full", "ours full calls", "ours EC2-idle calls",
            "Custodian calls", "calls: Custodian / ours EC2", "calls: Custodian / ours full",
            "peak RSS MB (full / EC2 / Custodian)"]
    return _table(head, rows)


def dollars(sizes: list[dict[str, Any]]) -> str:
    rows = []
    for s in sizes:
        p, ce = s["paid_usd"], s["ce_requests"]
        rows.append([f"{s['size']:,}", ce["first"], f"{s['metrics_requested']:,}", _usd(p["ours_full"]),
                     ce["second_within_hour"], _usd(p["ours_full_warm"]), _s(s["wall_s"]["ours_full_warm"]),
                     _usd(p["ours_ec2"]), _usd(p["custodian"]),
                     s["prompt"]["tokens_chars_over_4"], f"{s['prompt']['chars']:,}" if s["prompt"]["chars"] else "-"])
    head = ["EC2 instances", "CE requests", "GetMetricData metrics", "ours paid (full run)",
            "CE requests, 2nd run in the hour", "ours paid, 2nd run", "2nd run s", "ours paid (EC2-idle)",
            "Custodian paid", "summary prompt tokens (chars/4)", "prompt chars"]
    return _table(head, rows)


def bounds(sizes: list[dict[str, Any]]) -> str:
    ops: list[str] = []
    for s in sizes:
        ops += [op for op in s["bounds"] if op not in ops]
        ops += [op for op in s["calls"]["ours_full"] if op not in ops and not op.startswith("ce:")]
    rows = []
    for op in ops:
        formula = next((s["bounds"][op]["formula"] for s in sizes if op in s["bounds"]), "-")
        cells = []
        for s in sizes:
            observed = s["calls"]["ours_full"].get(op, 0)
            bound = s["bounds"].get(op, {}).get("bound")
            mark = "" if bound is None or observed == bound else (" (below: moto pages larger)" if observed < bound
                                                                   else " (above)")
            cells.append(f"{observed:,} / {'-' if bound is None else f'{bound:,}'}{mark}")
        rows.append([f"`{op}`", formula, *cells])
    head = ["operation", "lower bound (per region)", *[f"{s['size']:,}: ours / bound" for s in sizes]]
    return _table(head, rows)


def idle(sizes: list[dict[str, Any]]) -> str:
    rows = []
    for s in sizes:
        i = s["idle"]
        rows.append([f"{s['size']:,}", i["truth_cpu_below_5"], i["custodian"], i["ours"],
                     "yes" if i["custodian_equals_truth"] else "NO",
                     "yes" if i["same_on_cpu_set_after_ignore_tag"] else "NO",
                     f"{i['only_custodian']} ({'all' if i['only_custodian_all_ignore_tagged'] else 'NOT all'} "
                     "tagged cost-agent:ignore)",
                     f"{i['only_ours']} ({'all' if i['only_ours_all_stopped'] else 'NOT all'} stopped, no CPU data)",
                     "yes" if i["ours_full_equals_ec2_only_on_cpu_set"] else "NO"])
    head = ["EC2 instances", "truth: CPU < 5 %", "Custodian idle", "ours idle_resource (EC2)",
            "Custodian = truth", "same set on CPU < 5 % (ignore tag aside)", "only Custodian", "only ours",
            "ours full = ours EC2-idle (on CPU < 5 %)"]
    return _table(head, rows)


def markdown(doc: dict[str, Any]) -> str:
    sizes = doc.get("sizes", [])
    return "\n\n".join([
        "### Wall time, calls, memory (medians of the repeats; ratios within each repeat, then the median)",
        headline(sizes), "### Dollars paid to AWS, the cache, the summary prompt", dollars(sizes),
        "### Our calls next to the lower bound (full run)", bounds(sizes),
        "### Same idle instances?", idle(sizes),
    ])
