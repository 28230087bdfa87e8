"""The demo's HTML report in a real headless Chromium, at 1280 px and on a 390 px phone: nothing wider than the
screen, "Do this first" is the first table, its arithmetic opens on a click, and the screenshot shows the charts."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import warnings
import zlib
from pathlib import Path

import pytest
from integration.chromium import INSTALL, Page, find_chromium

from agent.surfaces.report.charts import PALETTE
from tools.models import Report

pytestmark = pytest.mark.integration
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SCREENS = [pytest.param(1280, 800, False, id="desktop-1280"), pytest.param(390, 844, True, id="phone-390")]


def _chromium() -> str:
    path = find_chromium()
    if path:
        return path
    message = f"chromium is not installed: {INSTALL}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: this test must run)")
    warnings.warn(f"the report's browser tests are skipped: {message}", stacklevel=2)
    pytest.skip(message)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Path]:
    """`cost-agent demo` as a user runs it: the report it wrote, and its HTML file."""
    work = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DATA_DIR", "CLICKHOUSE", "API_KEY"))}
    env["XDG_DATA_HOME"] = str(work / "xdg")
    done = subprocess.run([sys.executable, "-m", "agent.surfaces.cli.main", "demo", "--out", str(work / "out")],
                          env=env, cwd=work, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode in (0, 3), done.stderr[-2000:]
    report = Report.model_validate_json((work / "out" / "report.json").read_text())
    return report, work / "out" / "report.html"


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory):
    with Page(_chromium(), tmp_path_factory.mktemp("chromium")) as opened:
        yield opened


def test_html_is_self_contained(demo: tuple[Report, Path], report_checker) -> None:
    report, html_path = demo
    report_checker(report.model_dump(mode="json", by_alias=True))
    html = html_path.read_text()
    assert not re.search(r"https?://", html)
    assert not re.search(r"<(script|link|img|iframe)\b", html)
    assert html.count("<svg") == 2 and report.do_first


@pytest.mark.parametrize(("width", "height", "mobile"), SCREENS)
def test_nothing_is_wider_than_the_screen(page: Page, demo: tuple[Report, Path], width: int, height: int,
                                          mobile: bool) -> None:
    page.load(demo[1].as_uri(), width, height, mobile)
    # A phone widens its layout viewport to overflowing content, so compare with the screen's own width too.
    assert page.evaluate("[window.innerWidth, document.documentElement.scrollWidth <= window.innerWidth]") == [
        width, True]
    assert page.evaluate("document.querySelector('table').className") == "do-first stack"
    assert page.evaluate("document.querySelector('h2').innerText") == "Do this first"


@pytest.mark.parametrize(("width", "height", "mobile"), SCREENS)
def test_the_first_actions_arithmetic_opens_on_a_click(page: Page, demo: tuple[Report, Path], width: int,
                                                       height: int, mobile: bool) -> None:
    report, html_path = demo
    page.load(html_path.as_uri(), width, height, mobile)
    first = "table.do-first details"
    shown = f"document.querySelector('{first} .arith').checkVisibility()"
    assert page.evaluate(f"[document.querySelector('{first}').open, {shown}]") == [False, False]
    page.click(f"{first} summary")
    assert page.evaluate(f"[document.querySelector('{first}').open, {shown}]") == [True, True]
    assert page.evaluate(f"document.querySelector('{first} .arith').innerText") == report.do_first[0].arithmetic
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and raw RGB(A) rows of an 8-bit, non-interlaced PNG (what chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    height = channels = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and interlace == 0 and color in (2, 6)
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(idat), width * channels, [], bytearray(width * channels)
    for y in range(height):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, [_rgb(r, channels) for r in rows]


def _rgb(row: bytes, channels: int) -> bytes:
    if channels == 3:
        return row
    return b"".join(row[i:i + 3] for i in range(0, len(row), 4))


def _hex(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def test_screenshot_shows_the_daily_chart(page: Page, demo: tuple[Report, Path]) -> None:
    report, html_path = demo
    page.load(html_path.as_uri(), 1280, 800)
    box = page.evaluate("(() => { const r = document.querySelector('svg[aria-label=\"Daily cost by service\"]')"
                        ".getBoundingClientRect(); return [r.top + window.scrollY, r.height]; })()")
    top, tall = int(box[0]), int(box[1])
    width, height, rows = decode_png(page.screenshot(1280, top + tall))
    assert (width, height) == (1280, top + tall)
    ranked = sorted(report.by_service.values(), reverse=True)[:3]
    counts = {color: 0 for color in PALETTE[:3]}
    wanted = {_hex(c): c for c in counts}
    for row in rows[top:]:
        for i in range(0, len(row), 3):
            px = (row[i], row[i + 1], row[i + 2])
            if px in wanted:
                counts[wanted[px]] += 1
    # The three largest services' stacked bars cover an area in proportion to what each cost (within 10 %).
    per_dollar = [counts[color] / cost for color, cost in zip(PALETTE, ranked, strict=False)]
    assert min(per_dollar) > 0 and max(per_dollar) / min(per_dollar) < 1.1, counts
