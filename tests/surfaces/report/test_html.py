"""The HTML report of a real analysis: "Do this first" leads, the one total with waste and pricing levers apart,
confidence explained once, evidence as sentences, each price source listed once and cited by number."""

from __future__ import annotations

import re
from datetime import date
from html import escape

from agent.analysis.actions import CONFIDENCE
from agent.surfaces.report.html import render_html
from tools.models import Report, TimePeriod

BOOK_EC2 = "price book 2026-07-20 (Karpenter AWS provider pricing table, from the AWS Pricing API): us-east-1 "
BOOK_EBS = "price book 2026-11-01 (AWS EBS prices, transcribed): us-east-1 EBS "
SOURCES = [f"{BOOK_EBS}io1 storage", f"{BOOK_EC2}m5.2xlarge Linux on-demand", f"{BOOK_EC2}m5.xlarge Linux on-demand",
           f"{BOOK_EBS}gp2 storage", f"{BOOK_EC2}m5.large Linux on-demand",
           "price book 2026-05-11 (AWS public IPv4 address price): us-east-1 public IPv4 address",
           f"{BOOK_EBS}gp3 storage"]


def _section(page: str, start: str, end: str) -> str:
    return page.split(start, 1)[1].split(end, 1)[0]


def _rows(page: str) -> list[str]:
    """The finding rows of the opportunity table."""
    return _section(page, "<h2>Opportunities, with evidence</h2>", "<h2>Anomalies</h2>").split("<tr class=ev>")[1:]


def _row(page: str, resource_id: str, recommendation_start: str) -> str:
    [row] = [r for r in _rows(page) if f'title="{resource_id}"' in r and recommendation_start in r]
    return row


def test_do_first_is_the_first_table_with_its_rows_in_rank_order(analysed) -> None:
    report, daily = analysed
    page = render_html(report, daily)
    assert page.index('<h2 id="do-first">Do this first</h2>') < page.index("<h2>Executive summary</h2>")
    assert re.findall(r"<table[^>]*>", page)[0] == '<table class="do-first stack">'
    table = _section(page, '<table class="do-first stack">', "</table>")
    assert re.findall(r'<tr><td class=n>(\d+)</td><td><b title="([^"]+)">([^<]+)</b>', table) == [
        ("1", "vol-journal", "vol-journal"), ("2", "i-worker", "worker"), ("3", "i-idle", "idle"),
        ("4", "vol-orphan", "vol-orphan"), ("5", "i-batch", "batch"), ("6", "eipalloc-0unused", "eipalloc-0unused")]
    assert re.findall(r'class="badge e-[a-z-]+">([^<]+)<', table) == [
        "online change", "restart", "data deletion", "data deletion", "restart", "removal"]
    assert re.findall(r"<td class=n><b>([^<]+)</b><br><span class=\"muted\">([^<]+)</span>", table) == [
        ("$502.50", "waste"), ("$210.24", "waste"), ("$140.16", "waste"), ("$25.00", "waste"),
        ("$24.53", "pricing lever"), ("$3.65", "waste")]
    assert re.findall(r'<td data-label="confidence" class=n>([^<]+)</td>', table) == [
        "0.90", "0.80", "0.95", "0.95", "0.70", "0.99"]
    arithmetic = re.findall(r'<details><summary>arithmetic</summary><div class="arith">([^<]+)</div>', table)
    assert arithmetic == [escape(a.arithmetic) for a in report.do_first]
    assert arithmetic[:3] == [
        "(500 GB x $0.1250/GB-month + 8000 IOPS x $0.0650/IOPS-month) - (500 GB x $0.0800/GB-month + 5000 IOPS x "
        "$0.0050/IOPS-month + 375 MiB/s x $0.0400/MiB/s-month) = $582.50 - $80.00 = $502.50",
        "730 h x ($0.3840/h - $0.0960/h) = $210.24", "730 h x $0.1920/h = $140.16"]
    assert ('<span class="muted rid">i-worker &middot; us-east-1 &middot; EC2</span>' in table
            and '<div class="muted">Also found, not added: spot_migration $98.11.</div>' in table)
    assert (f'<div>Price: {SOURCES[0]} <a class="cite" href="#price-1">[1]</a></div></details>' in table)
    assert "<script" not in page and not re.search(r"https?://", page)


def test_the_total_line_the_merge_rule_and_what_was_merged(analysed) -> None:
    report, _ = analysed
    page = render_html(report)
    assert ('<p class="total">Savings total <b>$906.08</b> a month = waste <b>$881.55</b> + pricing levers '
            "<b>$24.53</b>, each resource counted once.</p>"
            '<p class="muted rule">Each resource is counted once: at its largest waste saving (idle, unused, oversized, '
            "misconfigured), or, when it has no waste finding, at its largest pricing-lever saving (Reserved "
            "Instances, Savings Plans, spot); waste is fixed before commitments are bought, so a lever on a resource "
            "with waste is not added.</p>"
            '<details class="merged"><summary>1 resource had overlapping findings, counted once</summary><ul>'
            "<li>i-worker (us-east-1): counted rightsizing $210.24; not added: spot_migration $98.11 (covered by the "
            "same resource&#x27;s waste finding)</li></ul></details>") in page
    assert "<b>$906.08</b><span>monthly savings, each resource once</span>" in page


def test_waste_and_pricing_levers_side_by_side(analysed) -> None:
    report, _ = analysed
    split = _section(render_html(report), '<div class="split">', "</div>")
    assert split == (
        "<section><h3>Waste $881.55</h3><p class=\"muted\">Idle, unused, oversized and misconfigured resources: fix "
        "first.</p><ul><li><span>volume_type_upgrade (EBS)</span><span>$502.50</span></li><li><span>rightsizing "
        "(EC2)</span><span>$210.24</span></li><li><span>idle_resource (EC2)</span><span>$140.16</span></li><li><span>"
        "unattached_volume (EBS)</span><span>$25.00</span></li><li><span>unused_elastic_ip (VPC)</span><span>$3.65"
        "</span></li></ul></section><section><h3>Pricing levers $24.53</h3><p class=\"muted\">Paying less for what "
        "stays: Reserved Instances, Savings Plans, spot.</p><ul><li><span>spot_migration (EC2)</span><span>$24.53"
        "</span></li></ul></section>")


def test_confidence_is_explained_once_above_the_actions(analysed) -> None:
    page = render_html(analysed[0])
    assert page.count("Confidence is how sure") == 1
    assert f'<p class="legend">{escape(CONFIDENCE)}</p><div class="scroll">' in page


def test_price_sources_are_listed_once_numbered_and_cited(analysed) -> None:
    page = render_html(analysed[0])
    listed = re.findall(r'<li id="price-(\d+)">([^<]+)</li>', _section(page, '<h2 id="prices">', "</ol>"))
    assert listed == [(str(n), escape(s)) for n, s in enumerate(SOURCES, 1)]
    # the opportunity table cites sources by number; their text is only in the collapsed raw evidence
    table = _section(page, "<h2>Opportunities, with evidence</h2>", "<h2>Anomalies</h2>")
    shown = re.sub(r"<pre>.*?</pre>", "", table, flags=re.S)
    assert [s for s in SOURCES if escape(s) in table] == SOURCES
    assert [s for s in SOURCES if escape(s) in shown] == []
    cites = re.compile(r'<a class="cite" href="#price-(\d+)">\[(\d+)\]</a>')
    rightsizing = _row(page, "i-worker", "Resize")
    assert "billed" not in rightsizing.split("<details>")[0] and " &middot; book price " in rightsizing
    assert [n for n, _ in cites.findall(rightsizing)] == ["2", "5"]
    assert [n for n, _ in cites.findall(_row(page, "i-worker", "Run on Spot"))] == ["2"]
    assert [n for n, _ in cites.findall(_row(page, "vol-journal", "Change volume type"))] == ["1", "7"]


def test_findings_read_as_sentences_with_raw_evidence_collapsed(analysed) -> None:
    page = render_html(analysed[0])
    idle = _row(page, "i-idle", "Stop or terminate")
    assert re.findall(r"<li>([^<]+)</li>", idle) == [
        "CPU averaged 1.2 % (peak 3.0 %) over 14 days.", "Network in and out 0 MB a day.",
        "Idle means average CPU under 5.0 %, peak under 10.0 % and network under 1 MB a day.",
        "Running all month (no CPU sample counts to tell otherwise), so a month counts 730 h.",
        "Price $0.1920 an hour."]
    assert "<code>730 h x $0.1920/h = $140.16</code>" in idle
    raw = _section(idle, "<details><summary>raw evidence</summary><pre>", "</pre>")
    assert raw.startswith('{\n "cpu_avg": 1.2,\n "cpu_max": 3.0,')
    assert f'"price_source": "{SOURCES[2]}"' in raw


def test_opportunities_show_counted_shares_and_merged_findings(analysed) -> None:
    page = render_html(analysed[0])
    table = _section(page, "<h2>Opportunities, with evidence</h2>", "<h2>Anomalies</h2>")
    counted = re.findall(r'<td class=wide><b>(\w+)</b>.*?<td data-label="counted / month" class=n><b>([^<]+)</b>'
                         r'(?:<br><span class="muted">found ([^<]+)</span>)?</td>', table)
    assert counted == [("volume_type_upgrade", "$502.50", ""), ("rightsizing", "$210.24", ""),
                       ("idle_resource", "$140.16", ""), ("unattached_volume", "$25.00", ""),
                       ("spot_migration", "$24.53", "$122.64"), ("unused_elastic_ip", "$3.65", "")]
    assert ('saves $98.11 <span class="badge merged-into">merged into rightsizing ($210.24)</span>'
            in _row(page, "i-worker", "Run on Spot"))
    assert table.count("merged into") == 1


def test_a_report_without_findings() -> None:
    empty = Report(time_period=TimePeriod(start=date(2026, 10, 25), end=date(2026, 11, 23)), total_monthly_cost=0.0,
                   total_waste=0.0, waste_percentage=0.0, by_service={}, by_region={}, opportunities=[], anomalies=[])
    page = render_html(empty)
    assert '<p class="muted">No action with a monthly saving was found.</p>' in page
    assert "overlapping findings" not in page and '<p class="muted">No prices were needed.</p>' in page
    assert "<h3>Pricing levers $0.00</h3>" in page and '<li class="muted">none</li>' in page
