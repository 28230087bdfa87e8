"""Seeding time and peak memory of the simulated organization: `Sandbox(accounts=N)` for N = 10 and 50.

Each size runs in its own process (moto's state is per process, and the peak RSS is that process's own): the
management account at `--scale`, N members at `--member-scale`, every region. Prints one line per size: the
seconds of `Sandbox.timings` (resources, metrics, total) and the peak resident set size.

    .venv/bin/python bench/org_sandbox_bench.py [--accounts 10,50] [--scale 40] [--member-scale 6]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import json, resource, sys
from tools.sandbox.core import Sandbox
accounts, scale, member_scale = (int(a) for a in sys.argv[1:4])
with Sandbox(scale=scale, accounts=accounts, member_scale=member_scale) as sandbox:
    seeded = dict(sandbox.timings, ec2=sandbox.ground_truth["counts"]["ec2_instance"])
print(json.dumps(dict(seeded, peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
"""


def measure(accounts: int, scale: int, member_scale: int) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", CHILD, str(accounts), str(scale), str(member_scale)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", default="10,50", help="comma-separated member counts")
    parser.add_argument("--scale", type=int, default=40, help="the management account's EC2 instances")
    parser.add_argument("--member-scale", type=int, default=6, help="each member's EC2 instances")
    args = parser.parse_args()
    print(f"{'members':>7} {'instances':>9} {'resources s':>11} {'metrics s':>9} {'seed s':>7} {'peak RSS MB':>11}")
    for accounts in (int(n) for n in args.accounts.split(",")):
        m = measure(accounts, args.scale, args.member_scale)
        print(f"{accounts:>7} {int(m['ec2']):>9} {m['resources_s']:>11.1f} {m['metrics_s']:>9.1f} {m['seed_s']:>7.1f} "
              f"{m['peak_rss_mb']:>11.0f}", flush=True)


if __name__ == "__main__":
    main()
