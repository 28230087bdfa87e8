"""Screenshots of the HTML report for the docs: the first two screens at 1280 px (docs/report-desktop.png) and on
a 390 px phone (docs/report-phone.png), from a fresh `cost-agent demo` in a temporary directory.

    .venv/bin/python bench/report_screenshots.py [--html report.html] [--out docs]

Needs chromium (the browser test's driver, tests/integration/chromium.py); optipng, when installed, shrinks the
PNGs losslessly.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from chromium import INSTALL, Page, find_chromium  # noqa: E402

CLI = [sys.executable, "-m", "agent.surfaces.cli.main"]
SHOTS = (("report-desktop.png", 1280, 800, False), ("report-phone.png", 390, 844, True))
SCREENS = 2


def demo_report(work: Path) -> Path:
    """The demo's report, its data kept in `work` rather than the user's data directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DATA_DIR", "CLICKHOUSE", "API_KEY"))}
    env["XDG_DATA_HOME"] = str(work / "xdg")
    subprocess.run([*CLI, "demo", "--out", str(work)], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return work / "report.html"


def shoot(browser: str, html: Path, out: Path, work: Path) -> list[Path]:
    written = []
    with Page(browser, work / "profile") as page:
        for name, width, height, mobile in SHOTS:
            page.load(html.resolve().as_uri(), width, height, mobile)
            if not mobile:  # the desktop picture shows the first action's arithmetic, one click away
                page.click("table.do-first details summary")
            tall = min(SCREENS * height, int(page.evaluate("document.documentElement.scrollHeight")))
            path = out / name
            path.write_bytes(page.screenshot(width, tall))
            written.append(path)
    return written


def optimize(paths: list[Path]) -> None:
    optipng = shutil.which("optipng")
    if optipng:
        subprocess.run([optipng, "-quiet", "-o2", *map(str, paths)], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, help="a report to photograph (default: run the demo)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    browser = find_chromium()
    if browser is None:
        print(f"chromium not found: {INSTALL}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        html = args.html or demo_report(work)
        paths = shoot(browser, html, args.out, work)
    optimize(paths)
    for path in paths:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
