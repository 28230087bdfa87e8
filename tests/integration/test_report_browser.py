"""The HTML report in a real headless browser (Debian's chromium): the screenshot must show the charts."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from surface_samples import daily_rows, sample_report

from agent.surfaces.report.charts import PALETTE
from agent.surfaces.report.html import render_html

WIDTH, HEIGHT = 1280, 2000
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if IN_CI:
        pytest.fail("chromium is not installed (CI=true: .ci/run installs Debian's chromium)")
    pytest.skip("chromium is not installed; apt-get install chromium to run this test")


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


@pytest.fixture(scope="module")
def screenshot(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    browser = _chromium()
    out = tmp_path_factory.mktemp("browser")
    html = render_html(sample_report(), daily_rows())
    page = out / "report.html"
    page.write_text(html)
    png = out / "report.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--no-first-run", "--disable-component-update", "--hide-scrollbars",
                    f"--user-data-dir={out / 'profile'}", f"--screenshot={png}", f"--window-size={WIDTH},{HEIGHT}",
                    page.as_uri()], check=True, capture_output=True, timeout=60)
    return html, png


def test_html_is_self_contained(screenshot: tuple[str, Path], report_checker) -> None:
    report_checker(sample_report().model_dump(mode="json", by_alias=True))
    html, _ = screenshot
    assert not re.search(r"https?://", html)
    assert not re.search(r"<(script|link|img|iframe)\b", html)
    assert html.count("<svg") == 2
    for text in ("Executive summary", "Daily cost by service", "Waste by type", "i-0idle000000000001",
                 "730 h x $0.1920/h = $140.16", "USE1-Lambda-GB-Second", "$0.0823", "$2,260.00", "$224.89"):
        assert text in html


def test_screenshot_shows_the_charts(screenshot: tuple[str, Path]) -> None:
    _, png = screenshot
    width, height, rows = decode_png(png.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    # The charts sit in the upper half of the page; count pixels of each series colour there.
    counts = {color: 0 for color in PALETTE[:5]}
    wanted = {_hex(c): c for c in counts}
    non_white = 0
    for row in rows[400:1000]:
        for i in range(0, len(row), 3):
            px = (row[i], row[i + 1], row[i + 2])
            if px in wanted:
                counts[wanted[px]] += 1
            if sum(px) < 720:
                non_white += 1
    # Every one of the five services is drawn as a visible stacked bar (at least a few hundred pixels).
    assert all(n > 300 for n in counts.values()), counts
    # EC2 ($40/day of a $100 axis) is the largest series on screen.
    assert counts[PALETTE[0]] == max(counts.values())
    assert non_white / (600 * WIDTH) > 0.10
